"""Services of the process frame: templates, phases, campaign sync, publish, voices."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from cocon.ideas.models import Campaign, Scope
from cocon.processes import services_process as sp
from cocon.processes.blueprints import BLUEPRINTS
from cocon.processes.models import Event, Phase, Process, ProcessVoice, Template

D0 = dt.date(2030, 3, 2)


def create(world, template="pnu", **kw):
    data = {
        "actor": world["animateur"],
        "organization": world.org_a,
        "template": template,
        "title": "Parc des Saules",
        "question": "Quel parc voulons-nous ?",
        "starts_on": D0,
        "organizations": [world.org_b],
    }
    data.update(kw)
    return sp.process_create(**data)


def rows(process):
    return [
        {
            "id": p.pk,
            "title": p.title,
            "description": p.description,
            "starts_on": p.starts_on,
            "ends_on": p.ends_on,
            "components": p.components,
        }
        for p in process.phases.all()
    ]


def messages(exc) -> str:
    return " ".join(m for ms in exc.value.message_dict.values() for m in ms)


@pytest.mark.parametrize("template", Template.values)
def test_each_template_creates_its_phases_in_order_without_overlap(world, template):
    process = create(world, template=template)
    phases = list(process.phases.order_by("position"))
    plan = BLUEPRINTS[template]
    assert [p.title for p in phases] == [b.title for b in plan.phases]
    assert [p.components for p in phases] == [list(b.components) for b in plan.phases]
    assert phases[0].starts_on == D0
    for a, b in itertools.pairwise(phases):
        assert a.ends_on < b.starts_on
        assert b.starts_on == a.ends_on + dt.timedelta(days=1)
    assert [p.position for p in phases] == list(range(1, len(phases) + 1))
    assert process.published_at is None
    assert process.description == plan.description
    assert plan.origin


def test_pnu_follows_the_issue_list(world):
    process = create(world)
    comps = [p.components for p in process.phases.all()]
    assert comps[0] == ["information", "events"]
    assert "white_paper" in comps[3]
    assert comps[4] == ["decision", "actions"]
    assert "feedback" in comps[5]
    assert comps[6] == ["charter"] and "charter" in comps[7]
    assert len(comps) == 8


def test_flash360_has_one_phase_and_a_three_hour_workshop_with_its_panel(world):
    process = create(world, template="flash360")
    assert process.phases.count() == 1
    event = Event.objects.get(process=process)
    assert event.kind == "flash360"
    assert event.ends_at - event.starts_at == dt.timedelta(hours=3)
    assert set(event.target_mix) == {"usager", "agent", "expert", "administration"}
    assert process.campaign is None  # no phase collects proposals


def test_campaign_created_with_the_proposal_phases_dates_and_organizations(world):
    process = create(world)  # PNU: the project workshop collects proposals
    campaign = process.campaign
    workshop = process.phases.get(position=3)
    assert campaign.opens_on == workshop.starts_on and campaign.closes_on == workshop.ends_on
    assert campaign.scope == Scope.BOTH
    assert set(campaign.organizations.all()) == {world.org_a, world.org_b}
    assert campaign.organization == world.org_a
    assert campaign.title == process.title


def test_private_process_campaign_is_for_agents_only(world):
    process = create(world, is_public=False)
    assert process.campaign.scope == Scope.AGENTS


def test_campaign_dates_follow_the_phases(world):
    process = create(world, template="carte_blanche")  # phases 1 and 4 collect proposals
    phases = list(process.phases.all())
    assert process.campaign.opens_on == phases[0].starts_on
    assert process.campaign.closes_on == phases[3].ends_on
    data = rows(process)
    data[3]["components"] = ["events"]
    sp.phases_save(process, actor=world["animateur"], phases=data)
    process.campaign.refresh_from_db()
    assert process.campaign.closes_on == phases[0].ends_on


def test_campaign_created_when_a_phase_starts_collecting_proposals(world):
    process = create(world, template="blank")
    assert process.campaign is None
    data = rows(process)
    data.append(
        {
            "title": "Propositions",
            "starts_on": D0 + dt.timedelta(days=40),
            "ends_on": D0 + dt.timedelta(days=60),
            "components": ["proposals"],
        }
    )
    sp.phases_save(process, actor=world["animateur"], phases=data)
    process.refresh_from_db()
    assert process.campaign.opens_on == D0 + dt.timedelta(days=40)
    assert process.phases.count() == 2


def test_slug_is_derived_unique(world):
    a = create(world)
    b = create(world)
    c = create(world, title="Nouvelle")
    assert a.slug == "parc-des-saules"
    assert b.slug == "parc-des-saules-2"
    assert c.slug == "nouvelle-2"  # "nouvelle" is the address of the creation page


def test_slug_clash_on_update_is_refused(world):
    a = create(world)
    b = create(world, title="Autre démarche")
    with translation.override("fr"), pytest.raises(ValidationError) as exc:
        sp.process_update(b, actor=world["animateur"], slug=a.slug)
    assert "slug" in exc.value.message_dict
    assert "déjà" in messages(exc)
    b.refresh_from_db()
    assert b.slug == "autre-demarche"


def test_update_changes_frame_and_campaign(world):
    process = create(world)
    sp.process_update(
        process,
        actor=world["animateur"],
        title="Parc des Saules et des Berges",
        is_public=False,
        organizations=[],
    )
    process.refresh_from_db()
    process.campaign.refresh_from_db()
    assert process.campaign.title == "Parc des Saules et des Berges"
    assert process.campaign.scope == Scope.AGENTS
    assert list(process.organizations.all()) == []


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"title": ""}, "title"),
        ({"question": "  "}, "question"),
        ({"template": "nope"}, "template"),
        ({"starts_on": None}, "starts_on"),
    ],
)
def test_create_bad_input_writes_nothing(world, kw, field):
    with translation.override("fr"), pytest.raises(ValidationError) as exc:
        create(world, **kw)
    assert field in exc.value.message_dict
    assert Process.objects.count() == 0
    assert Campaign.objects.count() == 0
    assert Phase.objects.count() == 0


def _two(first_end, second_start, second_end=None):
    return [
        {
            "title": "Réunions",
            "starts_on": D0,
            "ends_on": first_end,
            "components": ["events"],
        },
        {
            "title": "Atelier",
            "starts_on": second_start,
            "ends_on": second_end or second_start + dt.timedelta(days=10),
            "components": ["proposals"],
        },
    ]


def _assert_nothing_written(process, before):
    assert rows(process) == before
    process.campaign.refresh_from_db()


def test_overlapping_phases_name_both_and_the_dates(world):
    process = create(world)
    before = rows(process)
    campaign = (process.campaign.opens_on, process.campaign.closes_on)
    data = _two(D0 + dt.timedelta(days=10), D0 + dt.timedelta(days=8))
    with translation.override("fr"), pytest.raises(ValidationError) as exc:
        sp.phases_save(process, actor=world["animateur"], phases=data)
    text = messages(exc)
    assert "« Réunions »" in text and "« Atelier »" in text
    assert "chevauchent" in text
    assert "10 mars 2030" in text and "12 mars 2030" in text
    assert rows(process) == before
    process.campaign.refresh_from_db()
    assert (process.campaign.opens_on, process.campaign.closes_on) == campaign


def test_reversed_phase_is_refused(world):
    process = create(world)
    before = rows(process)
    data = _two(D0 - dt.timedelta(days=1), D0 + dt.timedelta(days=10))
    with translation.override("fr"), pytest.raises(ValidationError) as exc:
        sp.phases_save(process, actor=world["animateur"], phases=data)
    assert "phases.0.ends_on" in exc.value.message_dict
    assert "avant" in messages(exc) and "« Réunions »" in messages(exc)
    assert rows(process) == before


def test_unknown_component_and_empty_title_are_refused(world):
    process = create(world)
    before = rows(process)
    data = _two(D0 + dt.timedelta(days=5), D0 + dt.timedelta(days=6))
    data[0]["components"] = ["events", "fireworks"]
    data[1]["title"] = " "
    with translation.override("fr"), pytest.raises(ValidationError) as exc:
        sp.phases_save(process, actor=world["animateur"], phases=data)
    assert "fireworks" in " ".join(exc.value.message_dict["phases.0.components"])
    assert exc.value.message_dict["phases.1.title"] == ["Ce champ est obligatoire."]
    assert rows(process) == before


def test_no_phase_is_refused(world):
    process = create(world)
    with pytest.raises(ValidationError) as exc:
        sp.phases_save(process, actor=world["animateur"], phases=[])
    assert "phases" in exc.value.message_dict
    assert process.phases.count() == 8


def test_phases_save_keeps_existing_phases_and_their_events(pworld):
    process = pworld.process
    data = rows(process)
    data[1]["title"] = "Atelier projet (renommé)"
    del data[0]  # drop the first phase
    saved = sp.phases_save(process, actor=pworld["animateur"], phases=data)
    assert [p.pk for p in saved] == [pworld.phases[1].pk, pworld.phases[2].pk]
    assert [p.position for p in process.phases.all()] == [1, 2]
    pworld.workshop.refresh_from_db()
    assert pworld.workshop.phase_id == pworld.phases[1].pk
    assert not Phase.objects.filter(pk=pworld.phases[0].pk).exists()


def test_publish_and_close(world):
    process = create(world)
    sp.process_publish(process, actor=world["animateur"])
    assert process.published_at is not None
    with pytest.raises(ValidationError):
        sp.process_publish(process, actor=world["animateur"])
    sp.process_close(process, actor=world["animateur"])
    assert process.closed_at is not None
    with pytest.raises(ValidationError):
        sp.process_close(process, actor=world["animateur"])


@pytest.fixture
def voice(pworld):
    from cocon.voices.models import RoutingRule
    from cocon.voices.services import voice_capture

    world = pworld.world
    RoutingRule.objects.create(organization=world.org_a, service=world.water)
    return voice_capture(
        territory=world.territory,
        kind="complaint",
        text="Il manque des bancs le long de la rivière.",
        channel="web",
        service=world.water,
    ).voice


def test_link_voice(pworld, voice):
    process = pworld.process
    link = sp.process_link_voice(process, voice, actor=pworld["platform"])
    assert link.voice == voice and link.linked_by == pworld["platform"]
    with pytest.raises(ValidationError):
        sp.process_link_voice(process, voice, actor=pworld["platform"])
    assert ProcessVoice.objects.count() == 1


def test_link_voice_refused_to_who_may_not_see_it(pworld, voice):
    with pytest.raises(PermissionDenied):
        sp.process_link_voice(pworld.process, voice, actor=pworld["usager"])
    assert ProcessVoice.objects.count() == 0


def test_created_process_is_not_published_and_has_no_overlap_with_today(world):
    process = create(world, starts_on=timezone.localdate())
    assert process.phases.first().state() == "current"
