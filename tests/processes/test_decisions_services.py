"""Decisions on proposals, synthesis and action programme: the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cocon.core import history
from cocon.core.models import Notification, OutboxEmail, StatusEvent
from cocon.ideas.models import Idea, State, Visibility
from cocon.processes import services_decisions as services
from cocon.processes.models import Event, EventOutput, ProcessVoice, Registration
from cocon.processes.models.decisions import (
    Action,
    ActionStatus,
    Milestone,
    Outcome,
    ProposalDecision,
    Synthesis,
)

TODAY = timezone.localdate


def make_idea(pworld, title="Des bancs à l’ombre", author="usager", **fields):
    return Idea.objects.create(
        campaign=pworld.process.campaign,
        organization=pworld.world.org_a,
        author=pworld[author] if author else None,
        author_category="usager",
        visibility=Visibility.PUBLIC,
        title=title,
        problem="Il fait chaud.",
        proposal="Installer des bancs sous les arbres.",
        benefit="Se reposer.",
        decision_level="elus",
        **fields,
    )


def decide(pworld, idea, actor="elu", **overrides):
    data = {
        "outcome": Outcome.RETAINED,
        "reason": "Le budget le permet.",
        "authority": "Conseil communautaire du 12 mai",
        "decided_on": TODAY(),
    }
    data.update(overrides)
    return services.decision_save(process=pworld.process, idea=idea, actor=pworld[actor], **data)


def fresh(pworld):
    from cocon.processes.selectors_decisions import process_by_slug

    return process_by_slug(pworld.process.slug)


# --- decisions ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"reason": "  "}, "reason", "A decision must give its reason: participants will read it."),
        (
            {"authority": ""},
            "authority",
            "Say who decided, e.g. « Conseil communautaire du 12 mai 2026 ».",
        ),
        (
            {"decided_on": dt.date.today() + dt.timedelta(days=3)},
            "decided_on",
            "A decision cannot be dated in the future.",
        ),
        (
            {"outcome": Outcome.RETAINED_WITH_CHANGES},
            "changes",
            "Say what changes are made to the proposal.",
        ),
        ({"outcome": "maybe"}, "outcome", "Choose a decision."),
        ({"decided_on": None}, "decided_on", "Give the date of the decision."),
    ],
)
def test_decision_bad_input_writes_nothing(pworld, overrides, field, message):
    from django.utils import translation

    idea = make_idea(pworld)
    with translation.override("fr"), pytest.raises(ValidationError) as exc:
        decide(pworld, idea, **overrides)
    with translation.override("fr"):
        french = translation.gettext(message)
    assert french != message  # translated
    assert exc.value.message_dict[field] == [french]
    assert not ProposalDecision.objects.exists()
    idea.refresh_from_db()
    assert idea.state == State.SUBMITTED
    assert not Notification.objects.exists()


def test_decision_applies_to_the_idea_and_tells_the_author(pworld):
    idea = make_idea(pworld)
    idea.coauthors.add(pworld["agent"])
    decision = decide(
        pworld,
        idea,
        outcome=Outcome.RETAINED_WITH_CHANGES,
        changes="Des bancs en bois local.",
    )
    idea.refresh_from_db()
    assert idea.state == State.RETAINED
    assert idea.decision_signature == "Conseil communautaire du 12 mai"
    assert "Le budget le permet." in idea.decision_text
    assert "Des bancs en bois local." in idea.decision_text
    assert decision.decided_by == pworld["elu"]
    events = list(history.history_of(idea))
    assert [e.to_status for e in events] == [State.RETAINED]
    told = set(
        Notification.objects.filter(kind="ideas.decision").values_list("recipient_id", flat=True)
    )
    assert told == {pworld["usager"].pk, pworld["agent"].pk}


def test_out_of_scope_rejects_the_idea(pworld):
    idea = make_idea(pworld)
    decide(pworld, idea, outcome=Outcome.OUT_OF_SCOPE, reason="Compétence de l'État.")
    idea.refresh_from_db()
    assert idea.state == State.REJECTED


def test_changing_a_decision_records_history(pworld):
    idea = make_idea(pworld)
    decision = decide(pworld, idea)
    decide(pworld, idea, outcome=Outcome.REJECTED, reason="Finalement trop cher.")
    decision.refresh_from_db()
    idea.refresh_from_db()
    assert decision.outcome == Outcome.REJECTED
    assert idea.state == State.REJECTED
    changes = history.history_of(decision).filter(action="decision_changed")
    assert changes.count() == 1
    assert changes[0].from_status == Outcome.RETAINED
    assert changes[0].data["previous"]["reason"] == "Le budget le permet."
    # the same decision again: nothing recorded, nobody told again
    n = Notification.objects.count()
    decide(pworld, idea, outcome=Outcome.REJECTED, reason="Finalement trop cher.")
    assert Notification.objects.count() == n
    assert history.history_of(decision).count() == 2


def test_who_may_decide(pworld):
    idea = make_idea(pworld)
    for role in ("usager", "agent", "manager", "expert", "admin_b", "agent_b"):
        with pytest.raises(PermissionDenied):
            decide(pworld, idea, actor=role)
    for role in ("elu", "animateur", "admin"):
        decide(pworld, idea, actor=role)


def test_idea_of_another_campaign_refused(pworld):
    from cocon.ideas.models import Campaign

    other = make_idea(pworld)

    other.campaign = Campaign.objects.create(
        territory=pworld.world.territory,
        organization=pworld.world.org_a,
        title="Autre",
        question="?",
        scope="both",
        opens_on=TODAY(),
        closes_on=TODAY(),
    )
    other.save()
    with pytest.raises(ValidationError) as exc:
        decide(pworld, other)
    assert "outcome" in exc.value.message_dict
    assert not ProposalDecision.objects.exists()


def test_bulk_is_all_or_nothing(pworld):
    ideas = [make_idea(pworld, title=f"Idée {i}") for i in range(3)]
    merged = make_idea(pworld, title="Fusionnée", state=State.MERGED)
    common = {
        "outcome": Outcome.OUT_OF_SCOPE,
        "reason": "Hors du périmètre du parc.",
        "authority": "Bureau communautaire",
        "decided_on": TODAY(),
    }
    with pytest.raises(ValidationError) as exc:
        services.decisions_bulk(
            process=pworld.process, ideas=[*ideas, merged], actor=pworld["elu"], **common
        )
    assert any("Fusionnée" in m for m in exc.value.message_dict["ideas"])
    assert not ProposalDecision.objects.exists()
    assert not Idea.objects.filter(state=State.REJECTED).exists()
    with pytest.raises(ValidationError) as exc:
        services.decisions_bulk(
            process=pworld.process, ideas=ideas, actor=pworld["elu"], **{**common, "reason": ""}
        )
    assert not ProposalDecision.objects.exists()
    done = services.decisions_bulk(
        process=pworld.process, ideas=ideas, actor=pworld["elu"], **common
    )
    assert len(done) == 3
    assert Idea.objects.filter(state=State.REJECTED).count() == 3


def test_rejecting_a_proposal_an_action_implements_is_refused(pworld):
    idea = make_idea(pworld)
    decide(pworld, idea)
    services.action_create(
        process=fresh(pworld),
        actor=pworld["animateur"],
        ideas=[idea],
        title="Bancs",
        service=pworld.world.water,
    )
    with pytest.raises(ValidationError):
        decide(pworld, idea, outcome=Outcome.REJECTED)
    assert ProposalDecision.objects.get().outcome == Outcome.RETAINED


# --- synthesis ----------------------------------------------------------------------------
def test_publish_refused_while_undecided(pworld):
    from django.utils import translation

    a, _b = make_idea(pworld, title="A"), make_idea(pworld, title="B")
    decide(pworld, a)
    with translation.override("fr"), pytest.raises(ValidationError) as exc:
        services.synthesis_publish(process=fresh(pworld), actor=pworld["animateur"])
    assert "1" in exc.value.messages[0]
    assert "décision" in exc.value.messages[0]
    assert not Synthesis.objects.filter(published_at__isnull=False).exists()
    assert not Notification.objects.filter(kind="processes.synthesis").exists()


def _participants_world(pworld):
    """Author (usager), co-author (agent), a voice author (manager), registrants: one
    with an account (expert, consenting), one without account consenting, one without
    account not consenting, and the usager registered again (dedup)."""
    idea = make_idea(pworld)
    idea.coauthors.add(pworld["agent"])
    workshop_idea = make_idea(pworld, title="Post-it", author=None)
    EventOutput.objects.create(event=pworld.workshop, idea=workshop_idea, kind="sticky_note")
    event = pworld.workshop
    Registration.objects.create(
        event=event,
        user=pworld["expert"],
        name="Expert",
        email="expert@test.fr",
        email_consent=True,
        role="expert",
    )
    Registration.objects.create(
        event=event,
        name="Nina Sans-Compte",
        email="nina@example.fr",
        email_consent=True,
        role="usager",
    )
    Registration.objects.create(
        event=event,
        name="Paul Discret",
        email="paul@example.fr",
        email_consent=False,
        role="usager",
    )
    Registration.objects.create(
        event=event,
        name="Nina encore",
        email="NINA@example.fr",
        email_consent=True,
        role="usager",
    )
    Registration.objects.create(
        event=event, user=pworld["usager"], name="Ulysse", email="", role="usager"
    )
    # a registrant without account using the email of an account holder: told once
    Registration.objects.create(
        event=event, name="Ulysse bis", email="usager@test.fr", email_consent=True, role="usager"
    )
    return idea, workshop_idea


def test_publish_notifies_each_participant_once(pworld):
    idea, workshop_idea = _participants_world(pworld)
    for i in (idea, workshop_idea):
        decide(pworld, i)
    Notification.objects.all().delete()
    OutboxEmail.objects.all().delete()
    synthesis = services.synthesis_publish(process=fresh(pworld), actor=pworld["animateur"])
    told = list(
        Notification.objects.filter(kind="processes.synthesis").values_list(
            "recipient_id", flat=True
        )
    )
    assert sorted(told) == sorted({pworld["usager"].pk, pworld["agent"].pk, pworld["expert"].pk})
    outside = [e.to for e in OutboxEmail.objects.all() if "nina" in e.to[0].lower()]
    assert outside == [["nina@example.fr"]]
    assert not [e for e in OutboxEmail.objects.all() if "paul@example.fr" in e.to]
    # the consenting account holder gets an email right away; the others per preference
    expert_mail = [e for e in OutboxEmail.objects.all() if e.to == ["expert@test.fr"]]
    assert len(expert_mail) == 1
    assert synthesis.recipients_count == 4
    assert synthesis.emails_count == 1
    assert synthesis.in_app_count == 3
    assert synthesis.notified_at is not None
    # republishing does not tell anyone again, unless asked
    services.synthesis_publish(process=fresh(pworld), actor=pworld["animateur"])
    assert Notification.objects.filter(kind="processes.synthesis").count() == 3
    services.synthesis_publish(process=fresh(pworld), actor=pworld["animateur"], notify_again=True)
    assert Notification.objects.filter(kind="processes.synthesis").count() == 6


def test_voice_authors_are_participants(pworld):
    from cocon.voices.models import Voice

    voice = Voice.objects.create(
        territory=pworld.world.territory,
        kind="testimony",
        text="Le parc manque d'ombre.",
        channel="web",
        organization=pworld.world.org_a,
        service=pworld.world.water,
        author=pworld["direction"],
        acknowledge_due=timezone.now(),
        answer_due=timezone.now(),
    )
    ProcessVoice.objects.create(process=pworld.process, voice=voice)
    ids, _consenting, _emails = services.participants(pworld.process)
    assert pworld["direction"].pk in ids


def test_publish_needs_manager(pworld):
    with pytest.raises(PermissionDenied):
        services.synthesis_publish(process=fresh(pworld), actor=pworld["elu"])


# --- actions ------------------------------------------------------------------------------
def test_action_only_from_retained_proposals(pworld):
    retained, rejected, undecided = (make_idea(pworld, title=t) for t in "ABC")
    decide(pworld, retained)
    decide(pworld, rejected, outcome=Outcome.REJECTED)
    with pytest.raises(ValidationError) as exc:
        services.action_create(
            process=fresh(pworld),
            actor=pworld["animateur"],
            ideas=[retained, rejected, undecided],
            title="Bancs",
            service=pworld.world.water,
        )
    assert len(exc.value.message_dict["ideas"]) == 2
    assert not Action.objects.exists()
    with pytest.raises(ValidationError) as exc:
        services.action_create(
            process=fresh(pworld),
            actor=pworld["animateur"],
            ideas=[retained],
            title="",
            service=None,
            starts_on=TODAY(),
            due_on=TODAY() - dt.timedelta(days=1),
        )
    assert set(exc.value.message_dict) == {"title", "service", "due_on"}
    action = services.action_create(
        process=fresh(pworld),
        actor=pworld["animateur"],
        ideas=[retained],
        title="Bancs",
        service=pworld.world.social_b,  # Département B is involved
        owner=pworld["agent_b"],
    )
    assert action.owner_function == "Agent"
    assert list(action.ideas.all()) == [retained]


def test_action_service_must_be_involved(pworld):
    from cocon.territory.models import Organization, Service

    other = Organization.objects.create(
        territory=pworld.world.territory, kind="commune", name="Autre", slug="autre"
    )
    service = Service.objects.create(organization=other, name="X", slug="x")
    idea = make_idea(pworld)
    decide(pworld, idea)
    with pytest.raises(ValidationError) as exc:
        services.action_create(
            process=fresh(pworld),
            actor=pworld["animateur"],
            ideas=[idea],
            title="Bancs",
            service=service,
        )
    assert "service" in exc.value.message_dict


@pytest.fixture
def action(pworld):
    idea = make_idea(pworld)
    decide(pworld, idea)
    return services.action_create(
        process=fresh(pworld),
        actor=pworld["animateur"],
        ideas=[idea],
        title="Bancs à l'ombre",
        service=pworld.world.water,
    )


@pytest.mark.parametrize(
    "status, progress, reason, field",
    [
        (ActionStatus.IN_PROGRESS, 101, "", "progress"),
        (ActionStatus.IN_PROGRESS, -1, "", "progress"),
        (ActionStatus.ABANDONED, 20, " ", "abandon_reason"),
        (ActionStatus.DONE, 80, "", "progress"),
        (ActionStatus.IN_PROGRESS, 100, "", "status"),
        ("later", 10, "", "status"),
    ],
)
def test_action_update_bad_input(pworld, action, status, progress, reason, field):
    with pytest.raises(ValidationError) as exc:
        services.action_update(
            action, actor=pworld["agent"], status=status, progress=progress, abandon_reason=reason
        )
    assert field in exc.value.message_dict
    action.refresh_from_db()
    assert (action.status, action.progress) == (ActionStatus.PLANNED, 0)


def test_action_update_records_history(pworld, action):
    services.action_update(action, actor=pworld["agent"], status="in_progress", progress=40)
    services.action_update(action, actor=pworld["manager"], status="done", progress=100)
    action.refresh_from_db()
    assert (action.status, action.progress) == ("done", 100)
    events = StatusEvent.objects.filter(action="progress").order_by("pk")
    assert [(e.from_status, e.to_status) for e in events] == [
        ("planned", "in_progress"),
        ("in_progress", "done"),
    ]
    services.action_update(
        action, actor=pworld["agent"], status="abandoned", progress=90, abandon_reason="Gel."
    )
    action.refresh_from_db()
    assert action.abandon_reason == "Gel."


def test_action_update_permissions(pworld, action):
    action = Action.objects.select_related("process").get(pk=action.pk)
    action.process = fresh(pworld)
    for role in ("usager", "agent_b", "admin_b", "elu", "direction"):
        with pytest.raises(PermissionDenied):
            services.action_update(action, actor=pworld[role], status="in_progress", progress=5)
    # the expert is an agent of the water service, in charge of the action
    for role in ("agent", "expert", "manager", "animateur", "admin", "platform"):
        services.action_update(action, actor=pworld[role], status="in_progress", progress=5)


def test_milestones(pworld, action):
    with pytest.raises(ValidationError):
        services.milestone_add(action, actor=pworld["agent"], title="", due_on=None)
    assert not Milestone.objects.exists()
    milestone = services.milestone_add(
        action, actor=pworld["agent"], title="Commande des bancs", due_on=TODAY()
    )
    with pytest.raises(PermissionDenied):
        services.milestone_complete(milestone, actor=pworld["agent_b"])
    services.milestone_complete(milestone, actor=pworld["agent"])
    milestone.refresh_from_db()
    assert milestone.done_on == TODAY()


def test_gdpr(pworld, action):
    from cocon.core.gdpr import export_person
    from cocon.processes.gdpr_decisions import erase_decisions

    data = export_person(pworld["elu"])["processes_decisions"]
    assert data["decisions_recorded"][0]["outcome"] == "retained"
    erase_decisions(pworld["elu"])
    assert ProposalDecision.objects.get().decided_by is None
    erase_decisions(pworld["animateur"])
    assert Action.objects.get().created_by is None


def test_event_participants_shape(pworld):
    """The registrants read through the events domain (or our fallback) keep the
    consent: an email only for those who agreed."""
    Registration.objects.create(
        event=pworld.workshop, name="A", email="a@example.fr", email_consent=False, role="usager"
    )
    rows = services._registrants(pworld.process)
    assert rows and all(set(r) >= {"user_id", "name", "email"} for r in rows)
    assert all(r["email"] == "" for r in rows)
    assert Event.objects.count() == 1
