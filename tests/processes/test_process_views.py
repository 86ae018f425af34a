"""Pages of the process frame for every role: list, public page, new process, edit,
phases, publish, dashboard; query counts; "Mon espace" panel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from cocon.ideas.models import Idea, Visibility
from cocon.processes.models import Phase, Process
from tests.conftest import fr

ROLES = ["anonymous", "usager", "agent", "agent_b", "admin_b", "animateur", "admin", "platform"]
MANAGERS = {"animateur", "admin", "platform"}


def as_role(client, pworld, role):
    client.logout()
    if role != "anonymous":
        client.force_login(pworld[role])
    return client


def url(name, process):
    return reverse(f"processes:{name}", args=[process.slug])


def make_idea(pworld, n, supports=0):
    return Idea.objects.create(
        campaign=pworld.process.campaign,
        organization=pworld.world.org_a,
        author=pworld["usager"],
        author_category="usager",
        visibility=Visibility.PUBLIC,
        title=f"Proposition numéro {n}",
        problem="Il fait chaud.",
        proposal="Installer des bancs.",
        benefit="Se reposer.",
        decision_level="elus",
        support_count=supports,
    )


# --- public page ---------------------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES)
def test_public_process_page_for_every_role(client, pworld, role):
    response = as_role(client, pworld, role).get(url("detail", pworld.process))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Parc des Berges" in html
    assert pworld.process.question in html
    assert "Élise Élue, vice-présidente" in html
    assert "Département de Test" in html  # involved organization
    assert fr("current phase") in html  # the current phase says so in words
    assert ('aria-current="step"') in html
    assert fr("Everything produced so far") in html
    assert (url("manage", pworld.process) in html) == (role in MANAGERS)


@pytest.mark.parametrize("role", ROLES)
def test_private_process_is_seen_by_the_organizations_involved(client, pworld, role):
    Process.objects.filter(pk=pworld.process.pk).update(is_public=False)
    response = as_role(client, pworld, role).get(url("detail", pworld.process))
    expected = 404 if role in {"anonymous", "usager"} else 200
    assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_unpublished_process_is_seen_only_by_its_team(client, pworld, role):
    Process.objects.filter(pk=pworld.process.pk).update(published_at=None)
    response = as_role(client, pworld, role).get(url("detail", pworld.process))
    assert response.status_code == (200 if role in MANAGERS else 404)
    listing = client.get(reverse("processes:list")).content.decode()
    assert ("Parc des Berges" in listing) == (role in MANAGERS)


def test_unknown_process_is_404(client, pworld):
    assert client.get(reverse("processes:detail", args=["nope"])).status_code == 404


def test_public_page_shows_the_most_supported_proposals_and_the_campaign(client, pworld):
    for n in range(12):
        make_idea(pworld, n, supports=n)
    html = client.get(url("detail", pworld.process)).content.decode()
    assert "12 propositions" in html
    assert "Proposition numéro 11" in html and "Proposition numéro 2" in html
    assert "Proposition numéro 1<" not in html  # only the 10 most supported
    assert html.index("Proposition numéro 11") < html.index("Proposition numéro 10")
    assert reverse("ideas:campaign", args=[pworld.process.campaign_id]) in html


def test_public_page_query_count_is_constant(client, pworld, django_assert_max_num_queries):
    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("detail", pworld.process)).status_code == 200
        return len(ctx)

    client.get(url("detail", pworld.process))  # warm caches
    small = count()
    for n in range(30):
        make_idea(pworld, n, supports=n)
    today = timezone.localdate()
    for i in range(5):
        Phase.objects.create(
            process=pworld.process,
            position=10 + i,
            title=f"Phase {i}",
            starts_on=today + dt.timedelta(days=200 + 10 * i),
            ends_on=today + dt.timedelta(days=205 + 10 * i),
            components=["events"],
        )
    assert count() == small


def test_list_query_count_is_constant(client, pworld, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(pworld["agent"])
    client.get(reverse("processes:list"))

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("processes:list"))
            assert response.status_code == 200
        return len(ctx), response.content.decode()

    small, _html = count()
    for i in range(8):
        p = Process.objects.create(
            territory=pworld.world.territory,
            organization=pworld.world.org_a if i % 2 else pworld.world.org_b,
            title=f"Démarche {i}",
            slug=f"demarche-{i}",
            question="?",
            is_public=bool(i % 3),
            published_at=timezone.now(),
        )
        p.organizations.add(pworld.world.org_b)
        Phase.objects.create(
            process=p,
            position=1,
            title="Unique",
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate(),
        )
    big, html = count()
    assert big == small
    assert "Démarche 7" in html
    assert fr("Current phase: %(t)s (until %(d)s)").split("%")[0] in html
    with django_assert_max_num_queries(small):
        client.get(reverse("processes:list"))


def test_list_for_anonymous_hides_private(client, pworld):
    Process.objects.filter(pk=pworld.process.pk).update(is_public=False)
    assert "Parc des Berges" not in client.get(reverse("processes:list")).content.decode()
    client.force_login(pworld["agent_b"])
    assert "Parc des Berges" in client.get(reverse("processes:list")).content.decode()


# --- new process -----------------------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES)
def test_new_process_page_access(client, pworld, role):
    response = as_role(client, pworld, role).get(reverse("processes:create"))
    if role == "anonymous":
        assert response.status_code == 302
    elif role in MANAGERS | {"admin_b"}:
        assert response.status_code == 200
        html = response.content.decode()
        assert "Strasbourg" in html and "27e Région" in html and "Grenoble" in html
        assert "DITP" in html and "Cahors" in html
    else:
        assert response.status_code == 403


def _create_post(pworld, **kw):
    data = {
        "organization": pworld.world.org_a.pk,
        "template": "pnu",
        "title": "Parc du Nord",
        "question": "Quel parc pour les quartiers nord ?",
        "starts_on": "2031-04-01",
        "is_public": "on",
    }
    data.update(kw)
    return data


def test_animateur_creates_a_process_from_a_template(client, pworld):
    client.force_login(pworld["animateur"])
    response = client.post(reverse("processes:create"), _create_post(pworld))
    process = Process.objects.get(slug="parc-du-nord")
    assert response.status_code == 302
    assert response["Location"] == url("manage", process)
    assert process.phases.count() == 8 and process.published_at is None
    assert process.organization == pworld.world.org_a


def test_admin_b_cannot_create_for_org_a(client, pworld):
    client.force_login(pworld["admin_b"])
    before = Process.objects.count()
    response = client.post(reverse("processes:create"), _create_post(pworld))
    assert response.status_code == 400
    assert Process.objects.count() == before


def test_create_bad_input_is_400_in_french_and_writes_nothing(client, pworld):
    client.force_login(pworld["animateur"])
    before = Process.objects.count()
    response = client.post(reverse("processes:create"), _create_post(pworld, title="", template=""))
    assert response.status_code == 400
    html = response.content.decode()
    assert fr("This field is required.") in html
    assert Process.objects.count() == before


# --- team pages ------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["manage", "edit", "phases"])
def test_team_pages_access(client, pworld, role, name):
    response = as_role(client, pworld, role).get(url(name, pworld.process))
    if role == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == (200 if role in MANAGERS else 403)


def test_team_pages_of_an_unpublished_process_are_404_for_outsiders(client, pworld):
    Process.objects.filter(pk=pworld.process.pk).update(published_at=None)
    client.force_login(pworld["admin_b"])
    assert client.get(url("manage", pworld.process)).status_code == 404


def test_dashboard_links_the_domains_pages(client, pworld):
    client.force_login(pworld["animateur"])
    html = client.get(url("manage", pworld.process)).content.decode()
    assert url("phases", pworld.process) in html
    assert reverse("ideas:campaign", args=[pworld.process.campaign_id]) in html
    found = 0
    for name in ("event_list", "call_list", "persona_list", "decisions", "actions", "charter"):
        try:
            link = url(name, pworld.process)
        except NoReverseMatch:  # the domain is not there yet: skipped on the page too
            continue
        assert link in html
        found += 1
    assert found


@pytest.mark.parametrize("role", ["agent", "admin_b", "usager"])
def test_publish_refused_to_non_managers(client, pworld, role):
    Process.objects.filter(pk=pworld.process.pk).update(published_at=None, is_public=True)
    client.force_login(pworld[role])
    response = client.post(url("publish", pworld.process))
    assert response.status_code in (403, 404)
    pworld.process.refresh_from_db()
    assert pworld.process.published_at is None


def test_publish_and_close(client, pworld):
    Process.objects.filter(pk=pworld.process.pk).update(published_at=None)
    client.force_login(pworld["animateur"])
    assert client.post(url("publish", pworld.process)).status_code == 302
    pworld.process.refresh_from_db()
    assert pworld.process.published_at is not None
    assert client.get(url("publish", pworld.process)).status_code == 405
    client.post(url("close", pworld.process))
    pworld.process.refresh_from_db()
    assert pworld.process.closed_at is not None


def test_edit_slug_clash_is_400(client, pworld):
    Process.objects.create(
        territory=pworld.world.territory,
        organization=pworld.world.org_a,
        title="Autre",
        slug="autre",
        question="?",
    )
    client.force_login(pworld["animateur"])
    response = client.post(
        url("edit", pworld.process),
        {"title": "Parc des Berges", "slug": "autre", "question": "Quoi ?", "is_public": "on"},
    )
    assert response.status_code == 400
    assert "autre-2" in response.content.decode()
    pworld.process.refresh_from_db()
    assert pworld.process.slug == "parc-des-berges"


def test_edit_saves(client, pworld):
    client.force_login(pworld["admin"])
    response = client.post(
        url("edit", pworld.process),
        {
            "title": "Parc des Berges",
            "slug": "berges",
            "question": "Quel parc ?",
            "is_public": "on",
            "organizations": [],
        },
    )
    assert response.status_code == 302
    pworld.process.refresh_from_db()
    assert pworld.process.slug == "berges"
    assert list(pworld.process.organizations.all()) == []


def _phase_post(pworld, rows, add_row=False):
    data = {"rows": str(len(rows))}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"p{i}_{key}"] = value
    if add_row:
        data["add_row"] = "1"
    return data


def _current_rows(pworld):
    return [
        {
            "id": str(p.pk),
            "title": p.title,
            "starts_on": p.starts_on.isoformat(),
            "ends_on": p.ends_on.isoformat(),
            "components": p.components,
        }
        for p in pworld.phases
    ]


def test_phases_page_saves_in_order_and_adds_a_row_without_js(client, pworld):
    client.force_login(pworld["animateur"])
    page = client.get(url("phases", pworld.process)).content.decode()
    assert 'name="p3_title"' in page and 'name="p4_title"' not in page  # 3 phases + 1 blank
    rows = _current_rows(pworld)
    response = client.post(url("phases", pworld.process), _phase_post(pworld, rows, add_row=True))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="p3_title"' in html and "Atelier projet" in html
    last = pworld.phases[2].ends_on
    rows.append(
        {
            "title": "Charte",
            "starts_on": (last + dt.timedelta(days=1)).isoformat(),
            "ends_on": (last + dt.timedelta(days=30)).isoformat(),
            "components": ["charter"],
        }
    )
    rows.append({"title": ""})  # a blank row is ignored
    response = client.post(url("phases", pworld.process), _phase_post(pworld, rows))
    assert response.status_code == 302
    assert [p.title for p in pworld.process.phases.all()][-1] == "Charte"
    assert pworld.process.phases.count() == 4


def test_phases_overlap_is_400_in_french_and_writes_nothing(client, pworld):
    client.force_login(pworld["animateur"])
    rows = _current_rows(pworld)
    rows[1]["starts_on"] = (pworld.phases[0].ends_on - dt.timedelta(days=2)).isoformat()
    response = client.post(url("phases", pworld.process), _phase_post(pworld, rows))
    assert response.status_code == 400
    html = response.content.decode()
    assert "se chevauchent" in html and "« Réunions publiques »" in html
    assert [p.starts_on for p in pworld.process.phases.all()] == [
        p.starts_on for p in pworld.phases
    ]


def test_phases_reversed_row_error_next_to_the_field(client, pworld):
    client.force_login(pworld["animateur"])
    rows = _current_rows(pworld)
    rows[2]["ends_on"] = (pworld.phases[2].starts_on - dt.timedelta(days=1)).isoformat()
    response = client.post(url("phases", pworld.process), _phase_post(pworld, rows))
    assert response.status_code == 400
    assert 'id="id_p2_ends_on_error"' in response.content.decode()


def test_phases_post_refused_to_agent(client, pworld):
    client.force_login(pworld["agent"])
    response = client.post(url("phases", pworld.process), _phase_post(pworld, []))
    assert response.status_code == 403


# --- Mon espace ------------------------------------------------------------------------------
def test_panel_for_who_may_create(pworld, django_assert_max_num_queries):
    from cocon.backoffice.panels import panels_for
    from cocon.processes.panels import processes_panel

    animateur = pworld["animateur"]
    animateur.grants.roles  # noqa: B018 - loaded with "Mon espace"
    with django_assert_max_num_queries(2):
        panels = processes_panel(animateur, animateur.grants)
    labels = [i.label for i in panels[0].items]
    assert "Parc des Berges" in labels
    assert any(p.key == "processes" for p in panels_for(animateur))
    agent = pworld["agent"]
    assert processes_panel(agent, agent.grants) == []
    admin_b = pworld["admin_b"]
    items = processes_panel(admin_b, admin_b.grants)[0].items
    assert [i.label for i in items] == [str(items[0].label)]  # only "New process"


def test_public_section_costs_three_queries_at_most(pworld, django_assert_max_num_queries):
    from django.contrib.auth.models import AnonymousUser

    from cocon.processes.selectors_process import process_for_page, public_section

    for n in range(15):
        make_idea(pworld, n, supports=n)
    process = process_for_page(pworld.world.territory, pworld.process.slug)  # as the page
    with django_assert_max_num_queries(3):
        section = public_section(process, AnonymousUser())
    assert section["process_proposals_count"] == 15
    assert len(section["process_proposals_top"]) == 10


def test_public_section_is_empty_without_campaign_nor_voices(pworld):
    Process.objects.filter(pk=pworld.process.pk).update(campaign=None)
    pworld.process.refresh_from_db()
    from cocon.processes.selectors_process import public_section

    assert public_section(pworld.process, None) == {}


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


def test_voice_link_by_reference(client, pworld, voice):
    from cocon.processes.models import ProcessVoice

    client.force_login(pworld["platform"])
    target = reverse("processes:voice_link", args=[pworld.process.slug])
    response = client.post(target, {"reference": voice.reference.lower()})
    assert response.status_code == 302
    assert ProcessVoice.objects.filter(process=pworld.process, voice=voice).exists()
    again = client.post(target, {"reference": voice.reference})
    assert again.status_code == 400
    assert fr("This voice is already linked to the process.") in again.content.decode()
    unknown = client.post(target, {"reference": "ZZZZZZZZZ"})
    assert unknown.status_code == 400
    assert ProcessVoice.objects.count() == 1


@pytest.mark.parametrize("role", ["agent", "admin_b", "usager"])
def test_voice_link_refused_to_non_managers(client, pworld, voice, role):
    from cocon.processes.models import ProcessVoice

    client.force_login(pworld[role])
    target = reverse("processes:voice_link", args=[pworld.process.slug])
    assert client.post(target, {"reference": voice.reference}).status_code == 403
    assert not ProcessVoice.objects.exists()
