"""Decisions, synthesis and action programme: the pages (permissions for every role,
bad input, query counts)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cocon.ideas.models import Idea, State
from cocon.processes import selectors_decisions as selectors
from cocon.processes import services_decisions as services
from cocon.processes.models.decisions import (
    Action,
    Milestone,
    Outcome,
    ProposalDecision,
    Synthesis,
)
from tests.conftest import fr
from tests.processes.test_decisions_services import decide, fresh, make_idea

SLUG = "parc-des-berges"
DECIDERS = ["elu", "animateur", "admin", "platform"]
NOT_DECIDERS = ["usager", "agent", "manager", "direction", "expert", "agent_b", "admin_b"]


def url(name, *args):
    return reverse(f"processes:{name}", args=[SLUG, *args])


def as_role(client, pworld, role):
    if role != "anonymous":
        client.force_login(pworld[role])
    return client


def decision_post(**overrides):
    data = {
        "outcome": Outcome.RETAINED,
        "reason": "Le budget le permet.",
        "authority": "Conseil communautaire du 12 mai",
        "decided_on": timezone.localdate().isoformat(),
    }
    data.update(overrides)
    return data


# --- decisions ----------------------------------------------------------------------------
@pytest.mark.parametrize("role", DECIDERS)
def test_deciders_see_the_decisions(client, pworld, role):
    idea = make_idea(pworld)
    response = as_role(client, pworld, role).get(url("decisions"))
    assert response.status_code == 200
    assert idea.title in response.content.decode()
    assert as_role(client, pworld, role).get(url("decide", idea.pk)).status_code == 200


@pytest.mark.parametrize("role", [*NOT_DECIDERS, "anonymous"])
def test_others_may_not_decide(client, pworld, role):
    idea = make_idea(pworld)
    c = as_role(client, pworld, role)
    assert c.get(url("decisions")).status_code == 403
    assert c.post(url("decide", idea.pk), decision_post()).status_code == 403
    assert c.post(url("decisions_bulk"), {**decision_post(), "ideas": [idea.pk]}).status_code == 403
    assert not ProposalDecision.objects.exists()


def test_decide_bad_input_400_in_french(client_for, pworld):
    idea = make_idea(pworld)
    response = client_for("elu").post(url("decide", idea.pk), decision_post(reason=""))
    assert response.status_code == 400
    assert fr("A decision must give its reason: participants will read it.") in (
        response.content.decode()
    )
    response = client_for("elu").post(
        url("decide", idea.pk), decision_post(outcome=Outcome.RETAINED_WITH_CHANGES)
    )
    assert response.status_code == 400
    assert fr("Say what changes are made to the proposal.") in response.content.decode()
    response = client_for("elu").post(
        url("decide", idea.pk), decision_post(decided_on="2999-01-01")
    )
    assert response.status_code == 400
    assert fr("A decision cannot be dated in the future.") in response.content.decode()
    assert not ProposalDecision.objects.exists()


def test_decide_records_and_filters(client_for, pworld):
    idea, other = make_idea(pworld, title="Bancs"), make_idea(pworld, title="Toboggan")
    response = client_for("elu").post(url("decide", idea.pk), decision_post())
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.state == State.RETAINED
    c = client_for("elu")
    undecided = c.get(url("decisions"), {"which": "undecided"}).content.decode()
    row = 'data-proposal="%s"'
    assert row % other.pk in undecided and row % idea.pk not in undecided
    retained = c.get(url("decisions"), {"which": "retained"}).content.decode()
    assert row % idea.pk in retained and row % other.pk not in retained


def test_decide_unknown_proposal_404(client_for, pworld):
    assert client_for("elu").get(url("decide", 999999)).status_code == 404


def test_bulk_view_all_or_nothing(client_for, pworld):
    ideas = [make_idea(pworld, title=f"Idée {i}") for i in range(3)]
    bad = client_for("elu").post(
        url("decisions_bulk"),
        {
            **decision_post(outcome=Outcome.OUT_OF_SCOPE, authority=""),
            "ideas": [i.pk for i in ideas],
        },
    )
    assert bad.status_code == 400
    assert fr("Say who decided, e.g. « Conseil communautaire du 12 mai 2026 ».") in (
        bad.content.decode()
    )
    assert not ProposalDecision.objects.exists()
    none = client_for("elu").post(url("decisions_bulk"), decision_post())
    assert none.status_code == 400
    assert fr("Select at least one proposal.") in none.content.decode()
    ok = client_for("elu").post(
        url("decisions_bulk"),
        {**decision_post(outcome=Outcome.OUT_OF_SCOPE), "ideas": [i.pk for i in ideas]},
    )
    assert ok.status_code == 302
    assert ProposalDecision.objects.filter(outcome=Outcome.OUT_OF_SCOPE).count() == 3


def _count_queries(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_decisions_list_constant_queries(client_for, pworld):
    from cocon.processes.models import EventOutput

    for i in range(3):
        decide(pworld, make_idea(pworld, title=f"A{i}"))
    c = client_for("elu")
    c.get(url("decisions"))  # warm caches (territory, content types)
    few = _count_queries(c, url("decisions"))
    for i in range(12):
        idea = make_idea(pworld, title=f"B{i}")
        if i % 2:
            decide(pworld, idea, outcome=Outcome.REJECTED)
        if i % 3 == 0:
            EventOutput.objects.create(event=pworld.workshop, idea=idea, kind="proposal")
    many = _count_queries(c, url("decisions"))
    assert many == few


# --- synthesis ----------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["anonymous", "usager", "agent", "elu", "agent_b"])
def test_unpublished_synthesis_hidden(client, pworld, role):
    assert as_role(client, pworld, role).get(url("synthesis")).status_code == 404


@pytest.mark.parametrize("role", ["usager", "agent", "elu", "admin_b", "anonymous"])
def test_only_managers_publish(client, pworld, role):
    decide(pworld, make_idea(pworld))
    response = as_role(client, pworld, role).post(url("synthesis_publish"))
    assert response.status_code == 403
    assert not Synthesis.objects.exists()


def test_publish_refused_while_undecided_view(client_for, pworld):
    make_idea(pworld, title="A")
    make_idea(pworld, title="B")
    c = client_for("animateur")
    assert c.get(url("synthesis")).status_code == 200
    response = c.post(url("synthesis_publish"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "2 propositions n" in body
    assert not Synthesis.objects.filter(published_at__isnull=False).exists()


def test_publish_then_public(client, client_for, pworld):
    idea = make_idea(pworld, title="Bancs à l'ombre")
    rejected = make_idea(pworld, title="Piscine olympique")
    decide(pworld, idea, outcome=Outcome.RETAINED_WITH_CHANGES, changes="En bois local.")
    decide(pworld, rejected, outcome=Outcome.REJECTED, reason="Coût trop élevé.")
    services.action_create(
        process=fresh(pworld),
        actor=pworld["animateur"],
        ideas=[idea],
        title="Installer 20 bancs",
        service=pworld.world.water,
    )
    c = client_for("animateur")
    assert c.post(url("synthesis"), {"introduction": "Merci à toutes et tous."}).status_code == 302
    assert c.post(url("synthesis_publish")).status_code == 302
    synthesis = Synthesis.objects.get()
    assert synthesis.published_at and synthesis.notified_at
    client.logout()
    body = client.get(url("synthesis")).content.decode()
    assert "Merci à toutes et tous." in body
    assert "En bois local." in body and "Coût trop élevé." in body
    assert "Installer 20 bancs" in body
    assert fr("What you proposed, what was decided, why") in body
    # the anonymous visitor sees no staff form
    assert "synthesis_publish" not in body and url("synthesis_publish") not in body


# --- action programme ---------------------------------------------------------------------
@pytest.fixture
def retained(pworld):
    idea = make_idea(pworld, title="Bancs")
    decide(pworld, idea)
    return idea


@pytest.fixture
def action(pworld, retained):
    return services.action_create(
        process=fresh(pworld),
        actor=pworld["animateur"],
        ideas=[retained],
        title="Installer des bancs",
        service=pworld.world.water,
        owner=pworld["manager"],
        owner_function="Responsable de l'eau",
        budget_band="lt10k",
    )


@pytest.mark.parametrize("role", ["agent", "manager", "expert", "animateur", "admin", "elu"])
def test_actions_list_for_staff_and_service(client, pworld, action, role):
    assert as_role(client, pworld, role).get(url("actions")).status_code == 200


@pytest.mark.parametrize("role", ["usager", "agent_b", "admin_b", "anonymous"])
def test_actions_list_refused(client, pworld, action, role):
    assert as_role(client, pworld, role).get(url("actions")).status_code == 403


def test_create_action_view(client_for, pworld, retained):
    c = client_for("animateur")
    bad = c.post(url("actions"), {"title": "", "budget_band": "none", "ideas": [retained.pk]})
    assert bad.status_code == 400
    assert fr("Choose the service in charge.") in bad.content.decode()
    assert not Action.objects.exists()
    ok = c.post(
        url("actions"),
        {
            "title": "Bancs",
            "budget_band": "none",
            "ideas": [retained.pk],
            "service": pworld.world.water.pk,
        },
    )
    assert ok.status_code == 302
    assert Action.objects.get().ideas.get() == retained
    # a service agent may see the list but not create
    assert client_for("agent").post(url("actions"), {"title": "X"}).status_code == 403


def test_action_edit_permissions(client, pworld, action):
    for role in ("agent", "manager", "elu", "agent_b", "usager"):
        assert as_role(client, pworld, role).get(url("action_edit", action.pk)).status_code == 403
    assert (
        as_role(client, pworld, "animateur").get(url("action_edit", action.pk)).status_code == 200
    )


@pytest.mark.parametrize("role", ["agent", "manager", "animateur"])
def test_service_updates_progress(client, pworld, action, role):
    c = as_role(client, pworld, role)
    assert c.get(url("action_update", action.pk)).status_code == 200
    response = c.post(
        url("action_update", action.pk), {"op": "progress", "status": "in_progress", "progress": 40}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.progress == 40


@pytest.mark.parametrize("role", ["agent_b", "admin_b", "usager", "elu", "anonymous"])
def test_others_may_not_update(client, pworld, action, role):
    response = as_role(client, pworld, role).post(
        url("action_update", action.pk), {"op": "progress", "status": "done", "progress": 100}
    )
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.progress == 0


def test_update_bad_input(client_for, pworld, action):
    c = client_for("agent")
    response = c.post(
        url("action_update", action.pk),
        {"op": "progress", "status": "in_progress", "progress": 150},
    )
    assert response.status_code == 400
    assert fr("The progress is a percentage between 0 and 100.") in response.content.decode()
    response = c.post(
        url("action_update", action.pk), {"op": "progress", "status": "abandoned", "progress": 10}
    )
    assert response.status_code == 400
    assert fr("Say why the action is abandoned: the public will read it.") in (
        response.content.decode()
    )
    response = c.post(url("action_update", action.pk), {"op": "milestone", "title": "Commande"})
    assert response.status_code == 400
    assert fr("Give the date of the milestone.") in response.content.decode()
    action.refresh_from_db()
    assert action.progress == 0 and not Milestone.objects.exists()


def test_milestones_view(client_for, pworld, action):
    c = client_for("agent")
    today = timezone.localdate().isoformat()
    assert (
        c.post(
            url("action_update", action.pk),
            {"op": "milestone", "title": "Commande", "due_on": today},
        ).status_code
        == 302
    )
    milestone = Milestone.objects.get()
    assert (
        c.post(
            url("action_update", action.pk), {"op": "complete", "milestone": milestone.pk}
        ).status_code
        == 302
    )
    milestone.refresh_from_db()
    assert milestone.done_on is not None


def test_programme_public_hides_names(client, client_for, pworld, action):
    body = client.get(url("action_programme")).content.decode()
    assert "Installer des bancs" in body
    assert "Responsable de l&#x27;eau" in body
    assert pworld["manager"].full_name not in body
    assert "0 % réalisé" in body or "0 %" in body
    staff = client_for("animateur").get(url("action_programme")).content.decode()
    assert pworld["manager"].full_name in staff


def test_programme_constant_queries(client, pworld, action, retained):
    client.get(url("action_programme"))
    few = _count_queries(client, url("action_programme"))
    for i in range(5):
        a = services.action_create(
            process=fresh(pworld),
            actor=pworld["animateur"],
            ideas=[retained],
            title=f"Action {i}",
            service=pworld.world.social_b,
            owner=pworld["agent_b"],
        )
        services.milestone_add(
            a, actor=pworld["animateur"], title="J1", due_on=timezone.localdate()
        )
    many = _count_queries(client, url("action_programme"))
    assert many == few


def test_actions_list_constant_queries(client, pworld, action, retained):
    client.force_login(pworld["agent"])
    client.get(url("actions"))
    few = _count_queries(client, url("actions"))
    for i in range(5):
        services.action_create(
            process=fresh(pworld),
            actor=pworld["animateur"],
            ideas=[retained],
            title=f"Action {i}",
            service=pworld.world.social_b,
        )
    assert _count_queries(client, url("actions")) == few


def test_private_process_hidden(client, pworld, action):
    process = pworld.process
    process.is_public = False
    process.save()
    assert client.get(url("action_programme")).status_code == 404
    client.force_login(pworld["agent_b"])  # Département B is involved
    assert client.get(url("action_programme")).status_code == 200


# --- public section -----------------------------------------------------------------------
def test_public_section(pworld, django_assert_max_num_queries):
    process = fresh(pworld)
    assert selectors.public_section(process, None) == {}
    idea = make_idea(pworld)
    decide(pworld, idea, outcome=Outcome.REJECTED)
    with django_assert_max_num_queries(3):
        section = selectors.public_section(process, None)
    assert section["decisions_counts"]["rejected"] == 1
    assert section["decisions_synthesis"] is None
    assert all(k.startswith("decisions_") for k in section)
    services.synthesis_publish(process=process, actor=pworld["animateur"])
    assert selectors.public_section(process, None)["decisions_synthesis"] is not None


def test_public_section_renders(client, pworld):
    idea = make_idea(pworld)
    decide(pworld, idea)
    body = client.get(reverse("processes:detail", args=[SLUG])).content.decode()
    section = body[body.index("data-public-decisions") :]
    assert "Décisions et programme d'actions" in section
    assert '<li data-outcome="retained"><strong>1</strong>' in section
    assert Idea.objects.count() == 1
