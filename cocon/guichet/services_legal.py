"""Writes of the access-to-rights follow-up of a mobile legal team: cases (pseudonymized:
a number, a contact only with consent), actions, training sessions, the team's own
indicators, the read log, and retention.

Errors are `ValidationError({field: [msg]})` with French messages; nothing is written
then. Permissions are checked by the views (`guichet.legal_read` / `guichet.legal_write`).
Nothing about a case goes into notifications or the shared history: the read log is the
case's only trace outside its tables.

Retention: closing a case erases its contact at once and sets `erase_on = closed_on +
team.retention_months`; the daily job `guichet.legal_retention` deletes the cases past
that date. Their actions are kept, de-identified (no case, no note; team, kind, outcome,
dates and the erased case's key stay), so the team's indicators do not change.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cocon.core.schedule import daily
from cocon.guichet.models import (
    CaseAction,
    CaseReadLog,
    Indicator,
    LegalCase,
    LegalTeam,
    TrainingSession,
)
from cocon.lib.indicators import Formula, FormulaError, IndicatorValue, compile_formula
from cocon.lib.workdays import add_months

NUMBER_MAX = 30
CONTACT_MAX = 300
NUMBER_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")

# What indicator formulas may filter on, and the values they may use.
FORMULA_FIELDS = {"kind", "outcome"}
FORMULA_CHOICES = {
    "kind": set(CaseAction.Kind.values),
    "outcome": set(CaseAction.Outcome.values),
}


# --- helpers -----------------------------------------------------------------------------
def number_prefix(team: LegalTeam) -> str:
    """ "EM" for the slug "equipe-mobile": the initials of the slug's words (3 at most)."""
    initials = "".join(part[0] for part in team.slug.split("-") if part)[:3].upper()
    return initials or "EJ"


def next_number(team: LegalTeam, year: int) -> str:
    """ "EM-2026-0042": the next free number of the year for this team."""
    prefix = f"{number_prefix(team)}-{year}-"
    pattern = re.compile(re.escape(prefix) + r"(\d+)$")
    used = LegalCase.objects.filter(team=team, number__startswith=prefix).values_list(
        "number", flat=True
    )
    highest = max((int(m.group(1)) for n in used if (m := pattern.match(n))), default=0)
    return f"{prefix}{highest + 1:04d}"


def action_row(action: CaseAction) -> dict:
    """What an indicator formula sees of an action (see `cocon.lib.indicators`)."""
    return {
        "kind": action.kind,
        "outcome": action.outcome,
        "date": action.date,
        "outcome_on": action.outcome_on,
        "case": action.case_key,
    }


def compile_indicator(text: str) -> Formula:
    return compile_formula(text, fields=FORMULA_FIELDS, choices=FORMULA_CHOICES)


# --- cases -------------------------------------------------------------------------------
def case_open(
    *,
    team: LegalTeam,
    author,
    number: str | None = None,
    situation: str,
    contact: str = "",
    contact_consent: bool = False,
    opened_on: dt.date | None = None,
) -> LegalCase:
    """Open a case. Without `number`, the next "EM-2026-0042" of the team. A contact is
    kept only when the person consents (the consent time is recorded)."""
    number = (number or "").strip()
    contact = (contact or "").strip()
    situation = (situation or "").strip()
    today = timezone.localdate()
    opened_on = opened_on or today
    errors: dict[str, list[str]] = {}
    if len(number) > NUMBER_MAX:
        errors["number"] = [
            _("The case number must be at most %(n)d characters.") % {"n": NUMBER_MAX}
        ]
    elif number and not NUMBER_RE.fullmatch(number):
        errors["number"] = [
            _("Use only letters, digits, dashes, dots and underscores in the case number.")
        ]
    elif number and LegalCase.objects.filter(team=team, number=number).exists():
        errors["number"] = [_("This case number is already used by the team.")]
    if contact and not contact_consent:
        errors["contact"] = [
            _(
                "Keep a contact only if the person agrees to be contacted: tick the consent "
                "box or leave the contact empty."
            )
        ]
    elif len(contact) > CONTACT_MAX:
        errors["contact"] = [
            _("The contact must be at most %(n)d characters.") % {"n": CONTACT_MAX}
        ]
    if opened_on > today:
        errors["opened_on"] = [_("The date cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    fields = {
        "team": team,
        "situation": situation,
        "contact": contact,
        "contact_consent_at": timezone.now() if contact else None,
        "opened_on": opened_on,
        "created_by": author,
    }
    if number:
        try:
            with transaction.atomic():
                return LegalCase.objects.create(number=number, **fields)
        except IntegrityError:
            raise ValidationError(
                {"number": [_("This case number is already used by the team.")]}
            ) from None
    for _attempt in range(5):  # two people opening a case at the same instant
        try:
            with transaction.atomic():
                return LegalCase.objects.create(number=next_number(team, opened_on.year), **fields)
        except IntegrityError:
            continue
    raise ValidationError({"number": [_("No case number is free; type one.")]})


def case_close(case: LegalCase, *, author, closed_on: dt.date | None = None) -> LegalCase:
    """Close a case: its contact is erased now, the whole case on `erase_on`."""
    closed_on = closed_on or timezone.localdate()
    if case.state == LegalCase.State.CLOSED:
        raise ValidationError({"closed_on": [_("This case is already closed.")]})
    if closed_on > timezone.localdate():
        raise ValidationError({"closed_on": [_("The date cannot be in the future.")]})
    if closed_on < case.opened_on:
        raise ValidationError({"closed_on": [_("A case cannot be closed before it was opened.")]})
    case.state = LegalCase.State.CLOSED
    case.closed_on = closed_on
    case.erase_on = add_months(closed_on, case.team.retention_months)
    case.contact = ""
    case.contact_consent_at = None
    case.save(update_fields=["state", "closed_on", "erase_on", "contact", "contact_consent_at"])
    return case


def action_record(
    *,
    case: LegalCase,
    author,
    kind: str,
    date: dt.date,
    outcome: str = CaseAction.Outcome.PENDING,
    outcome_on: dt.date | None = None,
    note: str = "",
) -> CaseAction:
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if case.state != LegalCase.State.OPEN:
        raise ValidationError(_("This case is closed: no action can be added."))
    if kind not in CaseAction.Kind.values:
        errors["kind"] = [_("Choose an action from the list.")]
    if outcome not in CaseAction.Outcome.values:
        errors["outcome"] = [_("Choose an outcome from the list.")]
    if date is None:
        errors["date"] = [_("Give the date of the action.")]
    elif date > today:
        errors["date"] = [_("The date cannot be in the future.")]
    elif date < case.opened_on - dt.timedelta(days=366):
        errors["date"] = [_("The date is more than a year before the case was opened.")]
    if outcome_on is not None:
        if outcome_on > today:
            errors["outcome_on"] = [_("The date cannot be in the future.")]
        elif date is not None and outcome_on < date:
            errors["outcome_on"] = [_("The outcome cannot come before the action.")]
    if errors:
        raise ValidationError(errors)
    return CaseAction.objects.create(
        team_id=case.team_id,
        case=case,
        case_key=case.pk,
        kind=kind,
        date=date,
        outcome=outcome,
        outcome_on=outcome_on,
        note=(note or "").strip(),
        author=author,
    )


# --- training sessions -------------------------------------------------------------------
def training_record(
    *,
    team: LegalTeam,
    author=None,
    title: str,
    date: dt.date,
    partner: str = "",
    attendees: int | None = None,
    attendance: str = "",
) -> TrainingSession:
    """A session given to partner front-line workers. Without a number of attendees, the
    lines of the attendance list are counted."""
    title = (title or "").strip()
    attendance = "\n".join(line.strip() for line in (attendance or "").splitlines() if line.strip())
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("Give the title of the session.")]
    if date is None:
        errors["date"] = [_("Give the date of the session.")]
    listed = len(attendance.splitlines()) if attendance else 0
    if attendees is None:
        attendees = listed
    elif attendees < listed:
        errors["attendees"] = [
            _("The attendance list has %(n)d names: the number of attendees cannot be lower.")
            % {"n": listed}
        ]
    if errors:
        raise ValidationError(errors)
    return TrainingSession.objects.create(
        team=team,
        title=title,
        date=date,
        partner=(partner or "").strip(),
        attendees=attendees,
        attendance=attendance,
    )


# --- indicators --------------------------------------------------------------------------
def _check_indicator(name: str, formula: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors["name"] = [_("Give the indicator a name.")]
    try:
        compile_indicator(formula or "")
    except FormulaError as error:
        errors["formula"] = [str(error)]  # French, with the position
    return errors


def indicator_define(
    *, team: LegalTeam, name: str, formula: str, definition: str = "", target=None
) -> Indicator:
    errors = _check_indicator(name, formula)
    if errors:
        raise ValidationError(errors)
    return Indicator.objects.create(
        team=team,
        name=name.strip(),
        definition=(definition or "").strip(),
        formula=compile_indicator(formula).text,
        target=target,
    )


def indicator_update(
    indicator: Indicator, *, name: str, formula: str, definition: str = "", target=None
) -> Indicator:
    errors = _check_indicator(name, formula)
    if errors:
        raise ValidationError(errors)
    indicator.name = name.strip()
    indicator.definition = (definition or "").strip()
    indicator.formula = compile_indicator(formula).text
    indicator.target = target
    indicator.save(update_fields=["name", "definition", "formula", "target"])
    return indicator


def indicator_delete(indicator: Indicator) -> None:
    indicator.delete()


def indicators_compute(
    team: LegalTeam, period: tuple[dt.date, dt.date] | None = None
) -> list[tuple[Indicator, IndicatorValue]]:
    """Every indicator of the team with its value over the recorded actions (optionally
    within `period`, inclusive): 2 queries whatever the number of indicators."""
    indicators = list(Indicator.objects.filter(team=team))
    if not indicators:
        return []
    rows = list(
        CaseAction.objects.filter(team=team)
        .order_by()
        .values("kind", "outcome", "date", "outcome_on", "case_key")
    )
    actions = [{**row, "case": row.pop("case_key")} for row in rows]
    result = []
    for indicator in indicators:
        try:
            formula = compile_indicator(indicator.formula)
        except FormulaError:  # the allowed values changed since it was saved
            result.append((indicator, IndicatorValue(None, indicator.target, None)))
            continue
        value = formula.evaluate(actions, period=period)
        met = None if value is None or indicator.target is None else value >= indicator.target
        result.append((indicator, IndicatorValue(value, indicator.target, met)))
    return result


# --- read log ----------------------------------------------------------------------------
def log_read(*, team: LegalTeam | None, case: LegalCase | None, user, allowed: bool, path: str):
    """One line of the access journal: a read of a case, or a refused attempt."""
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    return CaseReadLog.objects.create(
        team=team,
        case=case,
        case_label=(case.number if case is not None else "")[:60],
        user=user,
        allowed=allowed,
        path=(path or "")[:300],
    )


# --- retention ---------------------------------------------------------------------------
def legal_retention(today: dt.date | None = None) -> int:
    """Delete the cases whose `erase_on` has come (that day included); their actions
    stay, de-identified, and the read log keeps the case number only. Returns the number
    of cases erased."""
    today = today or timezone.localdate()
    with transaction.atomic():
        ids = list(
            LegalCase.objects.filter(erase_on__isnull=False, erase_on__lte=today).values_list(
                "pk", flat=True
            )
        )
        if ids:
            CaseAction.objects.filter(case_id__in=ids).update(case=None, note="")
            CaseReadLog.objects.filter(case_id__in=ids).update(case=None)
            LegalCase.objects.filter(pk__in=ids).delete()
    return len(ids)


daily("guichet.legal_retention", hour=2)(legal_retention)
