"""Writes of the call for ambassadors: the call, applications and the manager's approval,
the stratified draw (`cocon.lib.draw`, never re-implemented here), the final list,
swaps with the waiting list and time entries. Each function validates, then writes in
one transaction; a `ValidationError` (dict by field) leaves nothing written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cocon.accounts.models import Category, RoleKind, User
from cocon.core.history import record
from cocon.core.notifications import notify
from cocon.lib import draw as draw_lib
from cocon.processes.models.ambassadors import (
    TARGET_ATTRIBUTES,
    AmbassadorCall,
    Application,
    Decision,
    Gender,
    TimeEntry,
    TimeUnit,
)

NOT_GIVEN_ALIASES = {"", "non renseigné", "non renseigne", "not given", "-"}


# --- targets ------------------------------------------------------------------------------
def parse_targets_text(text: str) -> dict[str, float | int]:
    """ "A: 30" lines → {"A": 30}. Raises ValidationError (message only) on a bad line."""
    shares: dict[str, float | int] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if ":" not in line:
            raise ValidationError(
                _("Write one value per line as « value: percentage », e.g. « A: 30 ».")
            )
        name, _sep, number = line.rpartition(":")
        name = name.strip()
        if name.lower() in NOT_GIVEN_ALIASES:
            name = ""
        try:
            share = Decimal(number.strip().rstrip("%").strip().replace(",", "."))
        except InvalidOperation:
            raise ValidationError(
                _("« %(share)s » is not a number.") % {"share": number.strip()}
            ) from None
        if not share.is_finite() or share <= 0:
            raise ValidationError(
                _("The share of « %(value)s » must be a positive number.")
                % {"value": name or _("not given")}
            )
        if name in shares:
            raise ValidationError(_("« %(value)s » is given twice.") % {"value": name})
        shares[name] = int(share) if share == share.to_integral_value() else float(share)
    return shares


def targets_as_text(shares: dict) -> str:
    return "\n".join(f"{name or 'non renseigné'}: {share}" for name, share in shares.items())


def _validate_targets(targets, seats) -> dict:
    errors = {}
    if not isinstance(targets, dict):
        return {"targets": _("The targets are not valid.")}
    for attribute, shares in targets.items():
        field = f"targets_{attribute}"
        if attribute not in TARGET_ATTRIBUTES:
            errors["targets"] = _("Unknown target attribute.")
            continue
        if not isinstance(shares, dict):
            errors[field] = _("The targets are not valid.")
            continue
        bad = [
            v
            for v, s in shares.items()
            if isinstance(s, bool) or not isinstance(s, int | float) or not s > 0
        ]
        if bad:
            errors[field] = _("The share of « %(value)s » must be a positive number.") % {
                "value": bad[0] or _("not given")
            }
    if not errors and isinstance(seats, int) and seats >= 1:
        try:
            draw_lib.quotas_for({a: s for a, s in targets.items() if s}, seats)
        except ValueError:
            errors["targets"] = _("The targets are not valid.")
    return errors


def _validate_call(*, title, commitment, days_per_month, months, opens_on, closes_on, seats):
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("Give the call a title.")
    if not (commitment or "").strip():
        errors["commitment"] = _("Describe the time commitment asked of the ambassadors.")
    if days_per_month is None or days_per_month <= 0:
        errors["days_per_month"] = _("The days per month must be a positive number.")
    if not months or months < 1:
        errors["months"] = _("The commitment lasts at least one month.")
    if not seats or seats < 1:
        errors["seats"] = _("There must be at least one seat.")
    if opens_on and closes_on and closes_on < opens_on:
        errors["closes_on"] = _("The closing date is before the opening date.")
    return errors


@transaction.atomic
def call_create(
    *,
    process,
    by: User,
    title: str,
    commitment: str,
    days_per_month: Decimal,
    months: int,
    opens_on: dt.date,
    closes_on: dt.date,
    seats: int,
    targets: dict,
    description: str = "",
) -> AmbassadorCall:
    targets = {a: s for a, s in (targets or {}).items() if s}
    errors = _validate_call(
        title=title,
        commitment=commitment,
        days_per_month=days_per_month,
        months=months,
        opens_on=opens_on,
        closes_on=closes_on,
        seats=seats,
    )
    errors.update(_validate_targets(targets, seats))
    if errors:
        raise ValidationError(errors)
    call = AmbassadorCall.objects.create(
        process=process,
        title=title.strip(),
        description=description.strip(),
        commitment=commitment.strip(),
        days_per_month=days_per_month,
        months=months,
        opens_on=opens_on,
        closes_on=closes_on,
        seats=seats,
        targets=targets,
        seed=draw_lib.new_seed(),
        created_by=by,
    )
    record(call, action="created", actor=by, data={"seed": call.seed})
    return call


@transaction.atomic
def call_update(
    *,
    call: AmbassadorCall,
    by: User,
    title: str,
    commitment: str,
    days_per_month: Decimal,
    months: int,
    opens_on: dt.date,
    closes_on: dt.date,
    seats: int,
    targets: dict,
    seed: str,
    description: str = "",
) -> AmbassadorCall:
    """Edit the call; the seed stays editable until the list is finalized (each change
    recorded in the call's history, so a new seed after a draw is visible)."""
    targets = {a: s for a, s in (targets or {}).items() if s}
    errors = _validate_call(
        title=title,
        commitment=commitment,
        days_per_month=days_per_month,
        months=months,
        opens_on=opens_on,
        closes_on=closes_on,
        seats=seats,
    )
    errors.update(_validate_targets(targets, seats))
    seed = (seed or "").strip()
    if not seed:
        errors["seed"] = _("The seed cannot be empty.")
    elif seed != call.seed and call.is_finalized:
        errors["seed"] = _("The list is finalized: the seed can no longer change.")
    elif len(seed) > 64 or ":" in seed:
        errors["seed"] = _("The seed has at most 64 characters and no colon.")
    if call.is_finalized and (seats != call.seats or targets != call.targets):
        errors[NON_FIELD_ERRORS] = _(
            "The list is finalized: seats and targets can no longer change."
        )
    if errors:
        raise ValidationError(errors)
    call = AmbassadorCall.objects.select_for_update().get(pk=call.pk)
    old_seed = call.seed
    call.title = title.strip()
    call.description = description.strip()
    call.commitment = commitment.strip()
    call.days_per_month = days_per_month
    call.months = months
    call.opens_on = opens_on
    call.closes_on = closes_on
    call.seats = seats
    call.targets = targets
    call.seed = seed
    call.save()
    if seed != old_seed:
        record(
            call,
            action="seed_changed",
            actor=by,
            from_status=old_seed,
            to_status=seed,
            public_text=_("Seed changed from %(old)s to %(new)s.") % {"old": old_seed, "new": seed},
            data={"old": old_seed, "new": seed, "after_draw": call.is_drawn},
        )
    else:
        record(call, action="edited", actor=by)
    return call


@transaction.atomic
def call_close(*, call: AmbassadorCall, by: User) -> AmbassadorCall:
    """Close the applications now, so that the draw can run."""
    if call.is_closed():
        raise ValidationError({NON_FIELD_ERRORS: _("The call is already closed.")})
    call.closed_at = timezone.now()
    call.save(update_fields=["closed_at"])
    record(call, action="closed", actor=by)
    return call


# --- applications -------------------------------------------------------------------------
def manager_choices(organization_id: int, *, exclude_id: int | None = None):
    """The people an applicant may ask: the agents of their organization."""
    qs = User.objects.filter(is_active=True, agent_profile__organization_id=organization_id)
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    return qs.order_by("full_name")


def default_manager(applicant: User) -> User | None:
    """The manager of the applicant's service (a current manager role over it)."""
    profile = getattr(applicant, "agent_profile", None)
    if profile is None or not profile.service_id:
        return None
    today = timezone.localdate()
    return (
        User.objects.filter(
            is_active=True,
            roles__kind=RoleKind.MANAGER,
            roles__services=profile.service_id,
            roles__starts_on__lte=today,
        )
        .filter(Q(roles__ends_on__isnull=True) | Q(roles__ends_on__gte=today))
        .exclude(pk=applicant.pk)
        .order_by("full_name")
        .first()
    )


def _url(name: str, pk: int) -> str:
    return reverse(f"processes:{name}", args=[pk])


@transaction.atomic
def application_submit(
    *,
    call: AmbassadorCall,
    applicant: User,
    motivation: str,
    service,
    category: str,
    gender: str,
    manager: User | None,
) -> Application:
    errors = {}
    profile = getattr(applicant, "agent_profile", None)
    if not (motivation or "").strip():
        errors["motivation"] = _("Tell us why you want to be an ambassador.")
    if category not in Category.values:
        errors["category"] = _("Choose your category.")
    if gender not in Gender.values:
        errors["gender"] = _("Choose a gender or « not given ».")
    if profile is None:
        errors[NON_FIELD_ERRORS] = _("Only agents may apply.")
    else:
        if service is not None and service.organization_id != profile.organization_id:
            errors["service"] = _("This service belongs to another organization.")
        if manager is None:
            errors["manager"] = _("Choose the manager who approves your time commitment.")
        elif (
            manager.pk == applicant.pk
            or not manager_choices(profile.organization_id).filter(pk=manager.pk).exists()
        ):
            errors["manager"] = _("Choose an agent of your organization other than yourself.")
    if not call.is_open():
        errors[NON_FIELD_ERRORS] = _("Applications to this call are closed.")
    if errors:
        raise ValidationError(errors)
    call = AmbassadorCall.objects.select_for_update().get(pk=call.pk)
    if Application.objects.filter(call=call, applicant=applicant).exists():
        raise ValidationError({NON_FIELD_ERRORS: _("You have already applied to this call.")})
    call.key_counter += 1
    call.save(update_fields=["key_counter"])
    application = Application.objects.create(
        call=call,
        applicant=applicant,
        key=f"C-{call.key_counter:04d}",
        motivation=motivation.strip(),
        service=service,
        service_label=service.name if service else "",
        category=category,
        gender=gender,
        manager=manager,
    )
    record(application, action="submitted", actor=applicant, to_status=Decision.PENDING)
    notify(
        [manager],
        kind="processes.ambassador_application",
        title=_("%(name)s asks you to approve their commitment as an ambassador (%(call)s)")
        % {"name": applicant.full_name, "call": call.title},
        body=call.commitment,
        url=_url("application_review", application.pk),
        obj=application,
    )
    return application


@transaction.atomic
def application_decide(
    *, application: Application, by: User, approve: bool, reason: str = ""
) -> Application:
    """The manager approves or refuses the time commitment (refusal needs a reason)."""
    reason = (reason or "").strip()
    if application.call.is_drawn:
        raise ValidationError({NON_FIELD_ERRORS: _("The draw has taken place.")})
    if application.withdrawn_at:
        raise ValidationError({NON_FIELD_ERRORS: _("This application was withdrawn.")})
    if not approve and not reason:
        raise ValidationError({"reason": _("Give the reason for refusing.")})
    old = application.manager_decision
    application.manager_decision = Decision.APPROVED if approve else Decision.REFUSED
    application.manager_reason = reason
    application.decided_at = timezone.now()
    application.decided_by = by
    application.save(
        update_fields=["manager_decision", "manager_reason", "decided_at", "decided_by"]
    )
    record(
        application,
        action="decided",
        actor=by,
        from_status=old,
        to_status=application.manager_decision,
        internal_text=reason,
    )
    title = (
        _("Your manager approved your commitment as an ambassador (%(call)s)")
        if approve
        else _("Your manager did not approve your commitment as an ambassador (%(call)s)")
    ) % {"call": application.call.title}
    notify(
        [application.applicant],
        kind="processes.ambassador_decision",
        title=title,
        body=reason,
        url=_url("call_detail", application.call_id),
        obj=application,
        exclude=by,
    )
    return application


@transaction.atomic
def application_withdraw(*, application: Application, by: User) -> Application:
    if application.withdrawn_at:
        raise ValidationError({NON_FIELD_ERRORS: _("This application was already withdrawn.")})
    application.withdrawn_at = timezone.now()
    application.save(update_fields=["withdrawn_at"])
    record(application, action="withdrawn", actor=by)
    return application


# --- draw ---------------------------------------------------------------------------------
def candidates_of(pool) -> list[draw_lib.Candidate]:
    return [draw_lib.Candidate(a.key, a.draw_values()) for a in pool]


def draw_preview(call: AmbassadorCall, pool: list[Application]) -> draw_lib.DrawResult | None:
    """The draw the call would make now (nothing written), None without candidates or
    targets that cannot be used."""
    if not pool:
        return None
    return draw_lib.draw(
        candidates_of(pool), seats=call.seats, targets=call.targets, seed=call.seed
    )


def draw_data_of(call: AmbassadorCall, pool, result: draw_lib.DrawResult) -> dict:
    """What anyone needs to re-run the draw, and its result."""
    return {
        "seed": call.seed,
        "seats": call.seats,
        "targets": call.targets,
        "candidates": [
            {"key": a.key, "values": {k: a.draw_values()[k] for k in call.targets}}
            for a in sorted(pool, key=lambda a: a.key)
        ],
        "selected": result.selected,
        "waiting_list": result.waiting_list,
        "quotas": result.quotas,
        "achieved": result.achieved,
        "gaps": result.gaps,
    }


@transaction.atomic
def draw_run(*, call: AmbassadorCall, by: User) -> draw_lib.DrawResult:
    """Run the draw over the approved, non-withdrawn applications and store the ranks.
    Possible again until the list is finalized: the same seed gives the same result."""
    call = AmbassadorCall.objects.select_for_update().get(pk=call.pk)
    if call.is_finalized:
        raise ValidationError({NON_FIELD_ERRORS: _("The list is finalized: no new draw.")})
    if not call.is_closed():
        raise ValidationError(
            {NON_FIELD_ERRORS: _("The call is still open: close it before the draw.")}
        )
    applications = list(call.applications.all())
    pool = [a for a in applications if a.in_pool]
    if not pool:
        raise ValidationError(
            {NON_FIELD_ERRORS: _("No approved application: there is nobody to draw.")}
        )
    result = draw_preview(call, pool)
    order = {key: i for i, key in enumerate(result.selected + result.waiting_list, start=1)}
    waiting = {key: i for i, key in enumerate(result.waiting_list, start=1)}
    chosen = set(result.selected)
    for application in applications:
        application.draw_rank = order.get(application.key)
        application.selected = application.key in chosen
        application.waiting_rank = waiting.get(application.key)
    Application.objects.bulk_update(applications, ["draw_rank", "selected", "waiting_rank"])
    again = call.is_drawn
    call.drawn_at = timezone.now()
    call.drawn_by = by
    call.draw_data = draw_data_of(call, pool, result)
    call.save(update_fields=["drawn_at", "drawn_by", "draw_data"])
    record(
        call,
        action="drawn_again" if again else "drawn",
        actor=by,
        public_text=_("Draw made with the seed %(seed)s.") % {"seed": call.seed},
        data={"seed": call.seed, "selected": result.selected},
    )
    return result


@transaction.atomic
def call_finalize(*, call: AmbassadorCall, by: User) -> AmbassadorCall:
    """Fix the list; the selected applicants and their managers are told, their mission
    letters become available."""
    call = AmbassadorCall.objects.select_for_update().get(pk=call.pk)
    if not call.is_drawn:
        raise ValidationError({NON_FIELD_ERRORS: _("Run the draw before finalizing the list.")})
    if call.is_finalized:
        raise ValidationError({NON_FIELD_ERRORS: _("The list is already finalized.")})
    now = timezone.now()
    call.finalized_at = now
    call.finalized_by = by
    call.save(update_fields=["finalized_at", "finalized_by"])
    selected = list(call.applications.filter(selected=True).select_related("applicant", "manager"))
    Application.objects.filter(pk__in=[a.pk for a in selected]).update(letter_generated_at=now)
    record(call, action="finalized", actor=by, data={"selected": [a.key for a in selected]})
    for application in selected:
        _tell_selected(application, by)
    return call


def _tell_selected(application: Application, by: User) -> None:
    call = application.call
    notify(
        [application.applicant],
        kind="processes.ambassador_selected",
        title=_("You are an ambassador of « %(call)s »") % {"call": call.title},
        body=call.commitment,
        url=_url("mission_letter", application.pk),
        obj=application,
        exclude=by,
    )
    if application.applicant and application.manager:
        notify(
            [application.manager],
            kind="processes.ambassador_selected",
            title=_("%(name)s is an ambassador of « %(call)s »")
            % {"name": application.applicant.full_name, "call": call.title},
            body=call.commitment,
            url=_url("mission_letter", application.pk),
            obj=application,
            exclude=by,
        )


@transaction.atomic
def application_swap(*, application: Application, by: User) -> Application:
    """Replace a selected person who withdrew by the next on the waiting list."""
    call = AmbassadorCall.objects.select_for_update().get(pk=application.call_id)
    application = Application.objects.get(pk=application.pk)
    if not application.selected or not application.withdrawn_at:
        raise ValidationError(
            {NON_FIELD_ERRORS: _("Only a selected person who withdrew can be replaced.")}
        )
    following = (
        call.applications.filter(
            selected=False,
            waiting_rank__isnull=False,
            withdrawn_at__isnull=True,
            manager_decision=Decision.APPROVED,
        )
        .select_related("applicant", "manager", "call")
        .order_by("waiting_rank")
        .first()
    )
    if following is None:
        raise ValidationError({NON_FIELD_ERRORS: _("Nobody is left on the waiting list.")})
    application.selected = False
    application.save(update_fields=["selected"])
    following.selected = True
    following.waiting_rank = None
    if call.is_finalized:
        following.letter_generated_at = timezone.now()
    following.save(update_fields=["selected", "waiting_rank", "letter_generated_at"])
    record(
        call,
        action="swapped",
        actor=by,
        public_text=_("%(old)s withdrew and is replaced by %(new)s, next on the waiting list.")
        % {"old": application.key, "new": following.key},
        data={"out": application.key, "in": following.key},
    )
    record(following, action="selected_from_waiting_list", actor=by)
    if call.is_finalized:
        _tell_selected(following, by)
    return following


# --- time spent ---------------------------------------------------------------------------
@transaction.atomic
def time_entry_add(
    *,
    application: Application,
    by: User,
    date: dt.date,
    amount: Decimal,
    unit: str,
    activity: str,
) -> TimeEntry:
    errors = {}
    if not application.selected:
        errors[NON_FIELD_ERRORS] = _("Only ambassadors record their time.")
    if date is None:
        errors["date"] = _("Give the date.")
    elif date > timezone.localdate():
        errors["date"] = _("The date is in the future.")
    if unit not in TimeUnit.values:
        errors["unit"] = _("Choose days or hours.")
    if amount is None or amount <= 0:
        errors["amount"] = _("The duration must be a positive number.")
    elif (unit == TimeUnit.DAYS and amount > 1) or (unit == TimeUnit.HOURS and amount > 24):
        errors["amount"] = _("Record one day at most per entry.")
    if not (activity or "").strip():
        errors["activity"] = _("Say what you did.")
    if errors:
        raise ValidationError(errors)
    return TimeEntry.objects.create(
        application=application,
        date=date,
        amount=amount,
        unit=unit,
        activity=activity.strip(),
        created_by=by,
    )
