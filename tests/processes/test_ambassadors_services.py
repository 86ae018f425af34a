"""Call for ambassadors: services (call, applications and manager approval, draw, final
list, swaps, time) and GDPR."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cocon.core.gdpr import erase_person, export_person
from cocon.core.history import history_of
from cocon.core.models import Notification
from cocon.lib import draw as draw_lib
from cocon.processes import selectors_ambassadors as selectors
from cocon.processes import services_ambassadors as services
from cocon.processes.models.ambassadors import AmbassadorCall, Application, TimeEntry
from tests.conftest import fr


def make_call(pworld, **overrides) -> AmbassadorCall:
    today = timezone.localdate()
    fields = {
        "process": pworld.process,
        "by": pworld["animateur"],
        "title": "Ambassadeurs de la Transfo",
        "commitment": "3 jours par mois pendant 16 mois",
        "days_per_month": Decimal(3),
        "months": 16,
        "opens_on": today - dt.timedelta(days=5),
        "closes_on": today + dt.timedelta(days=10),
        "seats": 4,
        "targets": {"category": {"A": 25, "B": 25, "C": 50}},
    }
    fields.update(overrides)
    return services.call_create(**fields)


def add_pool(call, specs, decision="approved") -> list[Application]:
    """Approved applications without accounts: (category, service, gender) each."""
    made = []
    for category, service, gender in specs:
        call.key_counter += 1
        made.append(
            Application.objects.create(
                call=call,
                key=f"C-{call.key_counter:04d}",
                motivation="Envie de changer les choses.",
                category=category,
                service_label=service,
                gender=gender,
                manager_decision=decision,
            )
        )
    call.save(update_fields=["key_counter"])
    return made


def close(call):
    call.closed_at = timezone.now()
    call.save(update_fields=["closed_at"])


@pytest.fixture
def call(pworld):
    return make_call(pworld)


def apply(pworld, call, role="agent", **overrides):
    fields = {
        "call": call,
        "applicant": pworld[role],
        "motivation": "Je connais bien les usagers du service.",
        "service": pworld.world.water,
        "category": "C",
        "gender": "F",
        "manager": pworld["manager"],
    }
    fields.update(overrides)
    return services.application_submit(**fields)


# --- call ---------------------------------------------------------------------------------
def test_call_created_with_published_seed_and_history(call):
    assert len(call.seed) == 16
    assert call.targets == {"category": {"A": 25, "B": 25, "C": 50}}
    assert call.is_open()
    assert [e.action for e in history_of(call)] == ["created"]


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"seats": 0}, "seats"),
        ({"title": " "}, "title"),
        ({"commitment": ""}, "commitment"),
        ({"months": 0}, "months"),
        ({"targets": {"category": {"A": -1, "B": 2}}}, "targets_category"),
        ({"targets": {"gender": {"F": "beaucoup"}}}, "targets_gender"),
        ({"closes_on": timezone.localdate() - dt.timedelta(days=30)}, "closes_on"),
    ],
)
def test_call_bad_input_writes_nothing(pworld, overrides, field):
    with pytest.raises(ValidationError) as exc:
        make_call(pworld, **overrides)
    assert field in exc.value.message_dict
    assert not AmbassadorCall.objects.exists()


def test_parse_targets_text():
    assert services.parse_targets_text("A: 30\nB : 30 %\n\nnon renseigné: 2,5") == {
        "A": 30,
        "B": 30,
        "": 2.5,
    }
    for bad in ("A 30", "A: -3", "A: 0", "A: x", "A: 1\nA: 2"):
        with pytest.raises(ValidationError):
            services.parse_targets_text(bad)


def test_seed_change_recorded_and_frozen_once_finalized(pworld, call):
    base = {
        "call": call,
        "by": pworld["animateur"],
        "title": call.title,
        "commitment": call.commitment,
        "days_per_month": call.days_per_month,
        "months": call.months,
        "opens_on": call.opens_on,
        "closes_on": call.closes_on,
        "seats": call.seats,
        "targets": call.targets,
    }
    old = call.seed
    call = services.call_update(**base, seed="graine-publique")
    event = history_of(call).filter(action="seed_changed").get()
    assert (event.from_status, event.to_status) == (old, "graine-publique")
    call.finalized_at = timezone.now()
    call.save()
    base["call"] = call
    with pytest.raises(ValidationError) as exc:
        services.call_update(**base, seed="autre")
    assert "seed" in exc.value.message_dict
    call.refresh_from_db()
    assert call.seed == "graine-publique"


# --- applications -------------------------------------------------------------------------
def test_apply_notifies_manager_and_twice_is_refused(pworld, call):
    application = apply(pworld, call)
    assert application.key == "C-0001"
    assert application.service_label == "Eau"
    assert application.manager_decision == "pending"
    assert Notification.objects.filter(
        recipient=pworld["manager"], kind="processes.ambassador_application"
    ).exists()
    with pytest.raises(ValidationError) as exc:
        apply(pworld, call)
    assert fr("You have already applied to this call.") in str(exc.value.messages)
    assert Application.objects.count() == 1


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"motivation": "  "}, "motivation"),
        ({"category": "Z"}, "category"),
        ({"gender": "X"}, "gender"),
        ({"manager": None}, "manager"),
        ({"manager": "agent_b"}, "manager"),  # another organization
        ({"manager": "agent"}, "manager"),  # oneself
        ({"service": "social_b"}, "service"),
    ],
)
def test_apply_bad_input(pworld, call, overrides, field):
    for key, value in list(overrides.items()):
        if key == "manager" and value:
            overrides[key] = pworld[value]
        if key == "service":
            overrides[key] = getattr(pworld.world, value)
    with pytest.raises(ValidationError) as exc:
        apply(pworld, call, **overrides)
    assert field in exc.value.message_dict
    assert not Application.objects.exists()


def test_default_manager_is_the_service_manager(pworld):
    assert services.default_manager(pworld["agent"]) == pworld["manager"]
    assert services.default_manager(pworld["animateur"]) is None  # no service


def test_manager_approves_or_refuses_with_reason(pworld, call):
    application = apply(pworld, call)
    with pytest.raises(ValidationError) as exc:
        services.application_decide(
            application=application, by=pworld["manager"], approve=False, reason=" "
        )
    assert "reason" in exc.value.message_dict
    application.refresh_from_db()
    assert application.manager_decision == "pending"
    services.application_decide(
        application=application,
        by=pworld["manager"],
        approve=False,
        reason="Service en sous-effectif",
    )
    application.refresh_from_db()
    assert application.manager_decision == "refused"
    note = Notification.objects.get(recipient=pworld["agent"], kind="processes.ambassador_decision")
    assert "did not approve" in note.title or "pas" in note.title
    services.application_decide(application=application, by=pworld["manager"], approve=True)
    application.refresh_from_db()
    assert application.in_pool


def test_only_approved_non_withdrawn_enter_the_draw(pworld, call):
    approved = apply(pworld, call)
    services.application_decide(application=approved, by=pworld["manager"], approve=True)
    apply(pworld, call, role="expert", category="A")  # pending
    withdrawn = apply(pworld, call, role="direction", category="A", service=None)
    services.application_decide(application=withdrawn, by=pworld["manager"], approve=True)
    services.application_withdraw(application=withdrawn, by=pworld["direction"])
    close(call)
    services.draw_run(call=call, by=pworld["animateur"])
    call.refresh_from_db()
    assert [c["key"] for c in call.draw_data["candidates"]] == [approved.key]
    assert call.draw_data["selected"] == [approved.key]


# --- draw ---------------------------------------------------------------------------------
def test_draw_refused_while_open_or_empty(pworld, call):
    with pytest.raises(ValidationError) as exc:
        services.draw_run(call=call, by=pworld["animateur"])
    assert exc.value.messages == [fr("The call is still open: close it before the draw.")]
    close(call)
    with pytest.raises(ValidationError) as exc:
        services.draw_run(call=call, by=pworld["animateur"])
    assert exc.value.messages == [fr("No approved application: there is nobody to draw.")]
    call.refresh_from_db()
    assert call.drawn_at is None


def feasible_pool(call):
    return add_pool(
        call,
        [
            ("A", "Eau", "F"),
            ("A", "Déchets", "M"),
            ("B", "Eau", "M"),
            ("B", "Eau", "F"),
            ("C", "Déchets", "F"),
            ("C", "Eau", "M"),
            ("C", "Eau", ""),
            ("C", "Déchets", "M"),
            ("C", "Eau", "F"),
            ("A", "Eau", "other"),
        ],
    )


def test_targets_met_on_a_feasible_pool(pworld, call):
    feasible_pool(call)
    close(call)
    result = services.draw_run(call=call, by=pworld["animateur"])
    assert result.quotas == {"category": {"A": 1, "B": 1, "C": 2}}
    assert result.achieved["category"] == {"A": 1, "B": 1, "C": 2}
    assert all(gap == 0 for gap in result.gaps["category"].values())
    chosen = Application.objects.filter(call=call, selected=True)
    assert sorted(a.key for a in chosen) == sorted(result.selected)
    assert sorted(a.category for a in chosen) == ["A", "B", "C", "C"]
    waiting = list(
        Application.objects.filter(call=call, waiting_rank__isnull=False).order_by("waiting_rank")
    )
    assert [a.key for a in waiting] == result.waiting_list


def test_same_seed_same_result_and_redraw_is_idempotent(pworld, call):
    feasible_pool(call)
    close(call)
    first = services.draw_run(call=call, by=pworld["animateur"])
    ranks = dict(Application.objects.values_list("key", "draw_rank"))
    call.refresh_from_db()
    second = services.draw_run(call=call, by=pworld["animateur"])
    assert (first.selected, first.waiting_list) == (second.selected, second.waiting_list)
    assert dict(Application.objects.values_list("key", "draw_rank")) == ranks
    assert [e.action for e in history_of(call)][:2] == ["created", "drawn"]
    # anyone re-running the published data gets the same result
    data = AmbassadorCall.objects.get(pk=call.pk).draw_data
    rerun = draw_lib.draw(
        [draw_lib.Candidate(c["key"], c["values"]) for c in reversed(data["candidates"])],
        seats=data["seats"],
        targets=data["targets"],
        seed=data["seed"],
    )
    assert rerun.selected == data["selected"] == first.selected
    assert rerun.waiting_list == data["waiting_list"]


def test_unmet_targets_explained_with_the_right_numbers(pworld):
    call = make_call(pworld, seats=4, targets={"category": {"A": 50, "C": 50}})
    add_pool(call, [("A", "Eau", "F")] + [("C", "Eau", "M")] * 5)
    close(call)
    pool = selectors.pool_of(call)
    preview = services.draw_preview(call, pool)
    lines = selectors.gap_lines(call, preview, pool)
    assert len(lines) == 1
    gap = lines[0].gap
    assert (gap.attribute, gap.value, gap.quota, gap.available, gap.achieved) == (
        "category",
        "A",
        2,
        1,
        1,
    )
    assert gap.candidates_needed == 1
    assert lines[0].max_share == 25
    # nothing written by the preview; the stored draw gives the same explanation
    assert not Application.objects.filter(draw_rank__isnull=False).exists()
    services.draw_run(call=call, by=pworld["animateur"])
    call.refresh_from_db()
    stored = selectors.gap_lines(call, call.draw_data, None)
    assert [(g.gap.quota, g.gap.available, g.gap.achieved) for g in stored] == [(2, 1, 1)]


# --- final list, swap, time ---------------------------------------------------------------
def drawn(pworld, call):
    people = []
    for role, category in (("agent", "C"), ("expert", "A"), ("admin", "A"), ("direction", "B")):
        application = apply(pworld, call, role=role, category=category)
        services.application_decide(application=application, by=pworld["manager"], approve=True)
        people.append(application)
    call.seats = 2
    call.targets = {}
    call.save()
    close(call)
    services.draw_run(call=call, by=pworld["animateur"])
    return people


def test_finalize_notifies_and_swap_takes_the_next_waiting(pworld, call):
    drawn(pworld, call)
    with pytest.raises(ValidationError):
        services.application_swap(
            application=Application.objects.filter(selected=True).first(), by=pworld["animateur"]
        )
    services.call_finalize(call=call, by=pworld["animateur"])
    selected = list(Application.objects.filter(selected=True).select_related("applicant"))
    assert len(selected) == 2 and all(a.letter_generated_at for a in selected)
    for application in selected:
        assert Notification.objects.filter(
            recipient=application.applicant, kind="processes.ambassador_selected"
        ).exists()
    assert (
        Notification.objects.filter(
            recipient=pworld["manager"], kind="processes.ambassador_selected"
        ).count()
        == 2
    )
    with pytest.raises(ValidationError):
        services.call_finalize(call=call, by=pworld["animateur"])
    with pytest.raises(ValidationError):
        services.draw_run(call=call, by=pworld["animateur"])
    leaving = selected[0]
    services.application_withdraw(application=leaving, by=leaving.applicant)
    first_waiting = Application.objects.get(waiting_rank=1)
    following = services.application_swap(application=leaving, by=pworld["animateur"])
    assert following.pk == first_waiting.pk
    assert set(Application.objects.filter(selected=True).values_list("pk", flat=True)) == {
        selected[1].pk,
        first_waiting.pk,
    }
    assert history_of(call).filter(action="swapped").exists()
    assert Notification.objects.filter(
        recipient=following.applicant, kind="processes.ambassador_selected"
    ).exists()


def test_time_entries_and_summary(pworld, call):
    drawn(pworld, call)
    services.call_finalize(call=call, by=pworld["animateur"])
    call.refresh_from_db()
    AmbassadorCall.objects.filter(pk=call.pk).update(
        finalized_at=timezone.now() - dt.timedelta(days=61)
    )
    call.refresh_from_db()
    ambassador = Application.objects.filter(selected=True).order_by("key").first()
    today = timezone.localdate()
    services.time_entry_add(
        application=ambassador,
        by=ambassador.applicant,
        date=today,
        amount=Decimal(1),
        unit="days",
        activity="Enquête terrain",
    )
    services.time_entry_add(
        application=ambassador,
        by=pworld["manager"],
        date=today,
        amount=Decimal("3.5"),
        unit="hours",
        activity="Atelier",
    )
    for bad, field in (
        ({"amount": Decimal(0)}, "amount"),
        ({"amount": Decimal(30), "unit": "hours"}, "amount"),
        ({"date": today + dt.timedelta(days=2)}, "date"),
        ({"activity": " "}, "activity"),
    ):
        fields = {"date": today, "amount": Decimal(1), "unit": "days", "activity": "x"}
        fields.update(bad)
        with pytest.raises(ValidationError) as exc:
            services.time_entry_add(application=ambassador, by=pworld["manager"], **fields)
        assert field in exc.value.message_dict
    assert TimeEntry.objects.count() == 2
    lines = {line.application.pk: line for line in selectors.time_summary(call)}
    assert len(lines) == 2
    assert lines[ambassador.pk].recorded_days == 1.5
    assert lines[ambassador.pk].expected_days == pytest.approx(6.0, abs=0.1)
    assert lines[ambassador.pk].balance == pytest.approx(-4.5, abs=0.1)
    not_selected = Application.objects.filter(selected=False).first()
    with pytest.raises(ValidationError):
        services.time_entry_add(
            application=not_selected,
            by=pworld["manager"],
            date=today,
            amount=Decimal(1),
            unit="days",
            activity="x",
        )


# --- GDPR ---------------------------------------------------------------------------------
def test_gdpr_export_and_erasure_keeps_the_draw_verifiable(pworld, call):
    drawn(pworld, call)
    other_call = make_call(pworld, title="Deuxième appel")
    pending = apply(pworld, other_call)
    ambassador = Application.objects.get(applicant=pworld["agent"], call=call)
    data = export_person(pworld["agent"])["processes_ambassadors"]
    assert {a["key"] for a in data["applications"]} == {ambassador.key, pending.key}
    assert data["applications"][0]["motivation"]
    erase_person(pworld["agent"])
    assert not Application.objects.filter(pk=pending.pk).exists()
    ambassador.refresh_from_db()
    assert ambassador.applicant is None and ambassador.motivation == ""
    assert ambassador.anonymized_at and ambassador.key and ambassador.category == "C"
    call.refresh_from_db()
    assert ambassador.key in [c["key"] for c in call.draw_data["candidates"]]


def test_new_seed_after_a_draw_is_recorded_and_changes_the_lottery(pworld, call):
    feasible_pool(call)
    close(call)
    first = services.draw_run(call=call, by=pworld["animateur"])
    call.refresh_from_db()
    services.call_update(
        call=call,
        by=pworld["admin"],
        title=call.title,
        commitment=call.commitment,
        days_per_month=call.days_per_month,
        months=call.months,
        opens_on=call.opens_on,
        closes_on=call.closes_on,
        seats=call.seats,
        targets=call.targets,
        seed="nouvelle-graine-publique",
    )
    second = services.draw_run(call=call, by=pworld["animateur"])
    assert second.seed == "nouvelle-graine-publique" != first.seed
    assert second.lottery != first.lottery
    actions = [e.action for e in history_of(call)]
    assert actions == ["created", "drawn", "seed_changed", "drawn_again"]
    assert history_of(call).get(action="seed_changed").data["after_draw"] is True
    call.refresh_from_db()
    assert call.draw_data["seed"] == "nouvelle-graine-publique"
