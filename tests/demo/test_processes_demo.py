"""The demo Démarches: a finished Parc naturel urbain (150 proposals all decided, white
paper handed over by the inhabitants, synthesis notified, action programme, charter
revised and re-signed), a running Transfo whose draw can be re-run from its published
seed, a Flash 360 workshop next week with gaps in its panel, and Carte blanche personas
quoting demo voices."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from cocon.accounts.models import User
from cocon.barometer.models import Response
from cocon.core.models import Notification, OutboxEmail
from cocon.demo import processes_loader
from cocon.demo.loader import DEMO_ACCOUNTS, demo_users, load_demo
from cocon.guichet.models import Appointment, KnowledgeEntry, Place, Question
from cocon.ideas.models import Idea, Review, State, Support
from cocon.lib import draw as draw_lib
from cocon.processes import selectors_events
from cocon.processes.models import EventOutput, Phase, Process, Registration, Template
from cocon.processes.models.ambassadors import AmbassadorCall, Application, Decision
from cocon.processes.models.charter import Signature, SignerKind
from cocon.processes.models.decisions import RETAINED_OUTCOMES, Outcome, ProposalDecision
from cocon.processes.models.events import EventKind
from cocon.processes.models.personas import PersonaQuote
from cocon.territory.models import Territory
from cocon.voices.models import Voice

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db, monkeypatch):
    monkeypatch.setenv("COCON_DEMO_APPOINTMENTS", "20")
    load_demo(voices=200, reports=0, barometer_respondents=0, ideas=0)
    return {p.template: p for p in Process.objects.all()}


def test_four_processes_and_accounts(demo):
    assert set(demo) == {Template.PNU, Template.TRANSFO, Template.FLASH_360, Template.CARTE_BLANCHE}
    for label, email in processes_loader.DEMO_ACCOUNTS:
        assert (label, email) in DEMO_ACCOUNTS
        assert User.objects.filter(email=email).exists(), label
    assert all(p.published_at for p in demo.values())


def test_pnu_is_finished_with_its_events(demo):
    pnu = demo[Template.PNU]
    today = timezone.localdate()
    assert pnu.title == processes_loader.PNU_TITLE
    assert pnu.closed_at is not None and pnu.closed_at <= timezone.now()
    phases = list(pnu.phases.order_by("position"))
    assert len(phases) == 8
    assert all(p.state(today) == "past" for p in phases)
    assert (today - phases[0].starts_on).days <= 19 * 31  # about eighteen months
    assert pnu.organization.slug == "ville-de-montlise"
    assert "agglo-val-de-lise" in {o.slug for o in pnu.organizations.all()}
    kinds = Counter(pnu.events.values_list("kind", flat=True))
    assert kinds == {EventKind.MEETING: 2, EventKind.WALK: 2, EventKind.WORKSHOP: 1}
    for event in pnu.events.all():
        regs = Registration.objects.filter(event=event)
        assert 20 <= regs.count() <= 70, event.title
        assert len(set(regs.values_list("role", flat=True))) >= 3, event.title
        assert not regs.filter(attended__isnull=True).exists()  # attendance taken
        assert regs.filter(attended=True).count() > regs.filter(attended=False).count()
        assert regs.exclude(age_band="").exists() and regs.filter(commune__isnull=False).exists()
        if event.kind == EventKind.WALK:  # élus, inhabitants, associations, experts, agents
            assert {"elu", "usager", "association", "expert", "agent"} <= set(
                regs.values_list("role", flat=True)
            )
    workshop = pnu.events.get(kind=EventKind.WORKSHOP)
    outputs = Counter(EventOutput.objects.filter(event=workshop).values_list("kind", flat=True))
    assert outputs[EventOutput.Kind.STICKY_NOTE] > 0 and outputs[EventOutput.Kind.PROPOSAL] > 0
    assert (
        not EventOutput.objects.filter(event=workshop).exclude(idea__campaign=pnu.campaign).exists()
    )
    # six months after the events, the contacts of the registrants are erased
    assert not Registration.objects.filter(event__process=pnu).exclude(email="").exists()


def test_pnu_proposals_all_decided(demo):
    pnu = demo[Template.PNU]
    ideas = Idea.objects.filter(campaign=pnu.campaign)
    assert ideas.count() == 150
    decisions = ProposalDecision.objects.filter(process=pnu)
    assert decisions.count() == 150
    assert not ideas.filter(process_decision__isnull=True).exists()
    assert set(decisions.values_list("outcome", flat=True)) == set(Outcome.values)
    assert not decisions.filter(reason="").exists()
    assert not decisions.filter(authority="").exists()
    assert not decisions.filter(decided_on__gt=timezone.localdate()).exists()
    retained = decisions.filter(outcome__in=RETAINED_OUTCOMES).values_list("idea", flat=True)
    assert set(ideas.filter(pk__in=retained).values_list("state", flat=True)) == {State.RETAINED}
    assert set(ideas.exclude(pk__in=retained).values_list("state", flat=True)) == {State.REJECTED}
    assert not ideas.filter(decision_text="").exists()
    # supports: counters equal the rows
    counted = dict(
        Support.objects.filter(idea__campaign=pnu.campaign)
        .values_list("idea")
        .annotate(n=Count("pk"))
    )
    assert sum(counted.values()) > 150
    for idea in ideas:
        assert idea.support_count == counted.get(idea.pk, 0)
    assert Review.objects.filter(idea__campaign=pnu.campaign, published_at__isnull=False).exists()


def test_pnu_white_paper_synthesis_actions(demo):
    pnu = demo[Template.PNU]
    version = pnu.white_paper.versions.get()
    assert version.is_handed_over and version.published
    assert version.handed_to_elus_on < timezone.localdate()
    assert "habitants" in version.handed_by_label
    assert pnu.title in version.html
    assert pnu.white_paper.introduction and pnu.white_paper.conclusion
    synthesis = pnu.synthesis
    assert synthesis.published_at < timezone.now() and synthesis.notified_at
    assert synthesis.recipients_count > 0
    assert Notification.objects.filter(kind="processes.synthesis").count() > 0
    actions = list(pnu.actions.prefetch_related("ideas", "milestones"))
    assert 6 <= len(actions) <= 10
    assert {a.status for a in actions} >= {"done", "in_progress", "planned"}
    for action in actions:
        assert action.service.organization_id in pnu.organization_ids
        assert action.milestones.all()
        outcomes = {i.process_decision.outcome for i in action.ideas.all()}
        assert outcomes and outcomes <= RETAINED_OUTCOMES
        if action.status == "done":
            assert action.progress == 100


def test_pnu_charter_revised_and_resigned(demo):
    charter = demo[Template.PNU].charter
    v1, v2 = charter.versions.order_by("number")
    assert v1.published_at < v2.published_at < timezone.now()
    assert v1.text != v2.text and v2.note
    kinds = Counter(Signature.objects.filter(version=v1).values_list("signer_kind", flat=True))
    assert kinds == {
        SignerKind.INHABITANT: 30,
        SignerKind.ASSOCIATION: 5,
        SignerKind.ORGANIZATION: 3,
    }
    renewed = Signature.objects.filter(version=v2)
    assert 0 < renewed.count() < 38
    assert not renewed.filter(renews__isnull=True).exists()
    assert not renewed.exclude(renews__version=v1).exists()
    assert Signature.objects.filter(version=v1, withdrawn_at__isnull=False).count() == 1


def test_transfo_draw_is_reproducible(demo):
    transfo = demo[Template.TRANSFO]
    today = timezone.localdate()
    current = [p for p in transfo.phases.all() if p.state(today) == "current"]
    assert [p.position for p in current] == [2]  # training, after the call
    call = transfo.ambassador_calls.get()
    assert call.seats == 16
    assert call.targets["category"] == {"A": 20, "B": 30, "C": 50}
    assert {"service", "gender"} <= set(call.targets)
    assert call.is_drawn and not call.is_finalized
    applications = call.applications.all()
    assert 40 <= applications.count() <= 50
    decisions = Counter(applications.values_list("manager_decision", flat=True))
    assert decisions[Decision.APPROVED] > decisions[Decision.PENDING] > 0
    assert decisions[Decision.REFUSED] > 0
    assert not applications.filter(manager_decision=Decision.REFUSED, manager_reason="").exists()
    assert applications.values("service").distinct().count() >= 5
    assert applications.filter(applicant__email="agent@demo.cocon.test").exists()
    # anyone can re-run the draw from the published data and get the same order
    stored = call.draw_data
    result = draw_lib.draw(
        [draw_lib.Candidate(c["key"], c["values"]) for c in stored["candidates"]],
        seats=stored["seats"],
        targets=stored["targets"],
        seed=call.seed,
    )
    assert stored["seed"] == call.seed
    assert result.selected == stored["selected"] and result.waiting_list == stored["waiting_list"]
    assert len(result.selected) == 16 and result.waiting_list
    selected = set(applications.filter(selected=True).values_list("key", flat=True))
    assert selected == set(stored["selected"])
    pool = applications.filter(manager_decision=Decision.APPROVED).count()
    assert len(stored["candidates"]) == pool


def test_flash_360_gathers_voices_before_its_workshop(demo, client):
    from cocon.processes.models import ProcessVoice
    from cocon.processes.selectors_process import collecting_phase

    flash = demo[Template.FLASH_360]
    assert collecting_phase(flash) is not None
    links = ProcessVoice.objects.filter(process=flash)
    assert links.count() == 4
    assert {link.voice.service.slug for link in links} == {"france-services"}
    page = client.get(reverse("processes:detail", args=[flash.slug])).content.decode()
    assert reverse("processes:voice_give", args=[flash.slug]) in page


def test_flash_360_workshop_next_week(demo):
    flash = demo[Template.FLASH_360]
    event = flash.events.get()
    now = timezone.now()
    assert now < event.starts_at <= now + dt.timedelta(days=8)
    assert event.ends_at - event.starts_at == dt.timedelta(hours=3)
    assert set(event.target_mix) == {"usager", "agent", "expert", "administration"}
    assert event.registrations.count() == 8
    rows, _totals = selectors_events.panel(event)
    missing = {r.key: r.missing for r in rows if not r.is_category}
    assert missing["expert"] == 2 and missing["usager"] > 0


def test_carte_blanche_personas_quote_voices(demo):
    carte = demo[Template.CARTE_BLANCHE]
    assert carte.personas.filter(published=True).count() == 3
    quotes = PersonaQuote.objects.filter(persona__process=carte)
    assert quotes.exists() and not quotes.filter(voice__isnull=True).exists()
    assert carte.voice_links.count() == quotes.count()


def test_demo_pages_render(demo, client):
    pnu, transfo = demo[Template.PNU], demo[Template.TRANSFO]
    flash = demo[Template.FLASH_360]
    public = [reverse("processes:detail", args=[p.slug]) for p in demo.values()] + [
        reverse("processes:synthesis", args=[pnu.slug]),
        reverse("processes:action_programme", args=[pnu.slug]),
        reverse("processes:charter", args=[pnu.slug]),
        reverse("processes:charter_diff", args=[pnu.slug, 1, 2]),
        reverse("processes:white_paper_version", args=[pnu.slug, 1]),
        reverse("processes:event_detail", args=[pnu.slug, pnu.events.first().pk]),
        reverse("processes:persona_list", args=[demo[Template.CARTE_BLANCHE].slug]),
    ]
    for url in public:
        assert client.get(url).status_code == 200, url
    client.force_login(User.objects.get(email="animateur@demo.cocon.test"))
    call = transfo.ambassador_calls.get()
    event = flash.events.get()
    workshop = pnu.events.get(kind=EventKind.WORKSHOP)
    staff = [
        reverse("processes:call_detail", args=[call.pk]),
        reverse("processes:call_result", args=[call.pk]),
        reverse("processes:event_panel", args=[flash.slug, event.pk]),
        reverse("processes:event_attendance", args=[pnu.slug, workshop.pk]),
        reverse("processes:event_outputs", args=[pnu.slug, workshop.pk]),
        reverse("processes:decisions", args=[pnu.slug]),
        reverse("processes:event_list", args=[pnu.slug]),
        reverse("processes:white_paper", args=[pnu.slug]),
        reverse("processes:manage", args=[pnu.slug]),
    ]
    for url in staff:
        assert client.get(url).status_code == 200, url


def _snapshot() -> dict[str, list]:
    """What the generator decides in the demo processes, in a stable order (no pks)."""
    return {
        "phases": sorted(
            Phase.objects.values_list("process__title", "position", "starts_on", "ends_on")
        ),
        "registrations": sorted(
            Registration.objects.values_list(
                "event__title",
                "role",
                "category",
                "age_band",
                "commune__name",
                "attended",
                "walk_in",
                "user__email",
                "organization_label",
            ),
            key=repr,
        ),
        "ideas": sorted(
            Idea.objects.filter(campaign__process__isnull=False).values_list(
                "title", "state", "support_count", "author__email", "decision_signature"
            ),
            key=repr,
        ),
        "decisions": sorted(ProposalDecision.objects.values_list("idea__title", "outcome")),
        "draw": list(AmbassadorCall.objects.values_list("seed", "draw_data")),
        "applications": sorted(
            Application.objects.values_list("key", "applicant__email", "manager_decision")
        ),
        "signatures": sorted(
            Signature.objects.values_list("version__number", "signer_kind", "name", "signed_at"),
            key=repr,
        ),
        "quotes": sorted(PersonaQuote.objects.values_list("persona__name", "text")),
    }


def test_processes_are_deterministic(demo):
    first = _snapshot()
    assert first["ideas"] and first["draw"][0][1]
    # as tests/demo/test_loader.py: what protects organizations, services and communes
    # goes first (the processes protect their organization, actions their service)
    Process.objects.all().delete()
    Voice.objects.all().delete()
    Response.objects.all().delete()
    Question.objects.all().delete()
    KnowledgeEntry.objects.all().delete()
    Appointment.objects.all().delete()
    Place.objects.all().delete()
    demo_users().delete()
    Territory.objects.all().delete()
    load_demo(voices=200, reports=0, barometer_respondents=0, ideas=0)
    assert _snapshot() == first


def test_no_email_queued_to_the_demo_domain(demo):
    assert not OutboxEmail.objects.filter(status="pending").exists()
    assert Notification.objects.filter(kind="processes.charter_resign").exists()
