"""Writes of the Baromètre's construction: the barometer itself, the first-round
questionnaire and its aggregation, technical criteria, the crossing into the final list
of criteria, technical indicator values (form or CSV) and the action plan.

Every write validates first (raising `ValidationError` keyed by field, with messages
shown next to the field) then writes inside one transaction: nothing is half-written.
Permissions are checked by the views through `cocon.core.permissions`; a few rules that
depend on the data (the service must be one the person manages) are checked here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cocon.barometer.models import (
    RESERVED_CODES,
    Action,
    Barometer,
    Criterion,
    FirstRoundAnswer,
    IndicatorSource,
    IndicatorValue,
    Provenance,
    TechnicalCriterion,
    Wave,
)
from cocon.barometer.rules import manages_in
from cocon.core import history
from cocon.core.permissions import grants_of
from cocon.lib.keywords import normalize, tokens
from cocon.territory.models import Commune, Service

FIRST_ROUND_MAX_ITEMS = 5
FIRST_ROUND_ITEM_MAX = 200
#: The final list should hold about ten criteria: warn outside this range, never forbid.
CRITERIA_MIN, CRITERIA_MAX = 5, 12
#: Column names of imported response files that a criterion code may not take.
CSV_MAX_BYTES = 1_000_000


# --- barometer -----------------------------------------------------------------------------
def managed_services(user):
    """The services `user` may create a barometer for (those they manage)."""
    grants = grants_of(user)
    qs = Service.objects.select_related("organization").order_by("organization__name", "name")
    if grants.is_platform_admin:
        return list(qs)
    org_ids = {r.organization_id for r in grants.roles}
    return [
        s
        for s in qs.filter(organization_id__in=org_ids)
        if manages_in(grants, s.organization_id, s.pk)
    ]


def _unique_slug(service: Service, title: str, exclude_pk: int | None = None) -> str:
    base = slugify(title)[:70] or "barometre"
    taken = set(
        Barometer.objects.filter(service=service, slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_settings(threshold: int, min_cell: int, trim: float | None) -> None:
    errors = {}
    if not 1 <= threshold <= 10:
        errors["threshold"] = _("The threshold is a score between 1 and 10.")
    if min_cell < 1:
        errors["min_cell"] = _("The smallest published cell is at least 1 respondent.")
    if trim is not None and trim < 1:
        errors["trim"] = _("Trimming caps weights at a multiple of at least 1 of the mean weight.")
    if errors:
        raise ValidationError(errors)


def barometer_create(
    *,
    actor,
    service: Service,
    title: str,
    intro: str = "",
    threshold: int = 7,
    min_cell: int = 10,
    trim: float | None = None,
) -> Barometer:
    """A new barometer for a service the actor manages; the slug comes from the title."""
    if not manages_in(grants_of(actor), service.organization_id, service.pk):
        raise ValidationError({"service": _("You do not manage this service.")})
    title = title.strip()
    if not title:
        raise ValidationError({"title": _("Give the barometer a title.")})
    _check_settings(threshold, min_cell, trim)
    with transaction.atomic():
        barometer = Barometer.objects.create(
            service=service,
            title=title,
            slug=_unique_slug(service, title),
            intro=intro.strip(),
            threshold=threshold,
            min_cell=min_cell,
            trim=trim,
        )
        history.record(barometer, action="created", actor=actor)
    return barometer


SETTINGS_FIELDS = (
    "title",
    "intro",
    "explanation",
    "first_round_open",
    "first_round_question",
    "threshold",
    "min_cell",
    "trim",
    "is_published",
)


def barometer_update(barometer: Barometer, *, actor, **values) -> Barometer:
    """Change the settings; the changed field names are kept in the history."""
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    if "title" in values:
        values["title"] = values["title"].strip()
        if not values["title"]:
            raise ValidationError({"title": _("Give the barometer a title.")})
    _check_settings(
        values.get("threshold", barometer.threshold),
        values.get("min_cell", barometer.min_cell),
        values.get("trim", barometer.trim),
    )
    changed = [k for k, v in values.items() if getattr(barometer, k) != v]
    if not changed:
        return barometer
    with transaction.atomic():
        for key in changed:
            setattr(barometer, key, values[key])
        barometer.save()
        history.record(barometer, action="updated", actor=actor, data={"fields": changed})
    return barometer


# --- first round ---------------------------------------------------------------------------
def first_round_submit(
    *, barometer: Barometer, items: list[str], commune: Commune | None = None
) -> FirstRoundAnswer:
    """An anonymous answer: up to five things that matter, most important first."""
    if not barometer.first_round_open:
        raise ValidationError(_("This questionnaire is closed."))
    cleaned = [" ".join(i.split()) for i in items if i and i.strip()]
    errors = {}
    if not cleaned:
        errors["item_1"] = _("Name at least one thing that matters to you.")
    elif len(cleaned) > FIRST_ROUND_MAX_ITEMS:
        errors["item_1"] = _("Name at most five things.")
    elif any(len(i) > FIRST_ROUND_ITEM_MAX for i in cleaned):
        errors["item_1"] = _("Each answer is at most 200 characters long.")
    if commune is not None and commune.territory_id != barometer.service.organization.territory_id:
        errors["commune"] = _("This commune is not in the territory.")
    if errors:
        raise ValidationError(errors)
    return FirstRoundAnswer.objects.create(barometer=barometer, items=cleaned, commune=commune)


def topic_key(text: str) -> str:
    """Two wordings with the same key are the same topic: lower case, no accents, no stop
    words, no plural -s, word order ignored ("Le goût de l'eau" = "eau, goût")."""
    words = sorted(set(tokens(text)))
    return " ".join(words) if words else normalize(text)


@dataclass
class Topic:
    key: str
    label: str  # the most frequent wording
    mentions: int = 0
    rank_total: int = 0
    verbatims: list[str] = field(default_factory=list)

    @property
    def mean_rank(self) -> float:
        return self.rank_total / self.mentions if self.mentions else 0.0


def first_round_topics(barometer: Barometer) -> tuple[list[Topic], int]:
    """The first-round answers grouped by topic, most mentioned first (then best mean
    rank), and the number of answers. A topic is labelled with its most frequent wording
    (the earliest on a tie)."""
    topics: dict[str, Topic] = {}
    wordings: dict[str, Counter] = defaultdict(Counter)
    answers = 0
    answers_qs = FirstRoundAnswer.objects.filter(barometer=barometer).order_by("pk")
    for items in answers_qs.values_list("items", flat=True):
        answers += 1
        for rank, text in enumerate(items, start=1):
            key = topic_key(text)
            if not key:
                continue
            topic = topics.setdefault(key, Topic(key=key, label=text))
            topic.mentions += 1
            topic.rank_total += rank
            topic.verbatims.append(text)
            wordings[key][text.strip().lower()] += 1
    for key, topic in topics.items():
        best = wordings[key].most_common(1)[0][0]
        topic.label = next(v for v in topic.verbatims if v.strip().lower() == best)
    ordered = sorted(topics.values(), key=lambda t: (-t.mentions, t.mean_rank, t.key))
    return ordered, answers


# --- technical criteria --------------------------------------------------------------------
def _check_floor_target(floor: float | None, target: float | None) -> None:
    if floor is not None and target is not None and floor == target:
        raise ValidationError({"target": _("The target must differ from the floor.")})


TECHNICAL_FIELDS = (
    "name",
    "description",
    "indicator_name",
    "indicator_unit",
    "direction",
    "floor",
    "target",
)


def technical_criterion_save(
    *, actor, barometer: Barometer, instance: TechnicalCriterion | None = None, **values
) -> TechnicalCriterion:
    """Create (instance None) or update a technical criterion listed by the service."""
    if not (values.get("name") or "").strip():
        raise ValidationError({"name": _("Name the criterion.")})
    if not (values.get("indicator_name") or "").strip():
        raise ValidationError({"indicator_name": _("Say which indicator measures it.")})
    _check_floor_target(values.get("floor"), values.get("target"))
    with transaction.atomic():
        created = instance is None
        if instance is None:
            instance = TechnicalCriterion(barometer=barometer, proposed_by=actor)
        for key in TECHNICAL_FIELDS:
            if key in values:
                setattr(instance, key, values[key])
        instance.save()
        history.record(
            barometer,
            action="technical_criterion_created" if created else "technical_criterion_changed",
            actor=actor,
            data={"technical_criterion": instance.pk, "name": instance.name},
        )
    return instance


def technical_criterion_delete(instance: TechnicalCriterion, *, actor) -> None:
    """Remove a technical criterion listed by mistake. Criteria of the final list crossed
    with it keep the indicator they copied (and their provenance note); only the link goes."""
    with transaction.atomic():
        history.record(
            instance.barometer,
            action="technical_criterion_deleted",
            actor=actor,
            data={"technical_criterion": instance.pk, "name": instance.name},
        )
        instance.delete()


# --- final list of criteria ----------------------------------------------------------------
def check_code(barometer: Barometer, code: str, exclude_pk: int | None = None) -> str:
    code = (code or "").strip().lower()
    if not code:
        raise ValidationError({"code": _("Give the criterion a code.")})
    if not re.fullmatch(r"[a-z0-9_-]{1,40}", code):
        raise ValidationError(
            {"code": _("Use only lower-case letters, digits, - and _ (40 at most).")}
        )
    if code in RESERVED_CODES:
        raise ValidationError(
            {
                "code": _(
                    "« %(code)s » is reserved for another column of response files: "
                    "choose another code."
                )
                % {"code": code}
            }
        )
    if Criterion.objects.filter(barometer=barometer, code=code).exclude(pk=exclude_pk).exists():
        raise ValidationError({"code": _("Another criterion of this barometer has this code.")})
    return code


def criteria_count_warning(count: int) -> str:
    """A warning (not an error) when the final list is far from about ten criteria."""
    if count > CRITERIA_MAX:
        return _(
            "%(n)s active criteria: a questionnaire of more than 12 criteria tires "
            "respondents. About ten is advised."
        ) % {"n": count}
    if count < CRITERIA_MIN:
        return ngettext(
            "%(n)s active criterion: fewer than 5 say little about the service. About ten "
            "is advised.",
            "%(n)s active criteria: fewer than 5 say little about the service. About ten "
            "is advised.",
            count,
        ) % {"n": count}
    return ""


def criterion_create(
    *,
    actor,
    barometer: Barometer,
    code: str,
    wording: str,
    theme: str = "",
    topic: Topic | None = None,
    technical: TechnicalCriterion | None = None,
) -> Criterion:
    """A criterion of the final list, from a users' topic and/or a technical criterion;
    where it comes from is kept (provenance, mentions, verbatim topic)."""
    if topic is None and technical is None:
        raise ValidationError(
            {"topic": _("Choose a topic named by users, a technical criterion, or both.")}
        )
    if technical is not None and technical.barometer_id != barometer.pk:
        raise ValidationError({"technical": _("This technical criterion is of another barometer.")})
    code = check_code(barometer, code)
    wording = (wording or "").strip() or (topic.label if topic else technical.name)
    if len(wording) > 300:
        raise ValidationError({"wording": _("The wording is at most 300 characters long.")})
    if topic and technical:
        provenance = Provenance.BOTH
    elif topic:
        provenance = Provenance.USERS
    else:
        provenance = Provenance.TECHNICAL
    notes = []
    if topic:
        sample = sorted(set(topic.verbatims), key=topic.verbatims.index)[:10]
        notes.append(
            _("Users' topic « %(label)s », named %(n)s times (mean rank %(rank)s): %(verbatims)s")
            % {
                "label": topic.label,
                "n": topic.mentions,
                "rank": f"{topic.mean_rank:.1f}",
                "verbatims": " ; ".join(sample),
            }
        )
    if technical:
        notes.append(_("Technical criterion « %(name)s »") % {"name": technical.name})
    with transaction.atomic():
        position = (
            Criterion.objects.filter(barometer=barometer).aggregate(m=Max("position"))["m"] or 0
        ) + 1
        criterion = Criterion.objects.create(
            barometer=barometer,
            code=code,
            position=position,
            wording=wording,
            theme=theme.strip(),
            provenance=provenance,
            provenance_note="\n".join(notes),
            user_mentions=topic.mentions if topic else 0,
            technical_source=technical,
            indicator_name=technical.indicator_name if technical else "",
            indicator_unit=technical.indicator_unit if technical else "",
            direction=technical.direction if technical else Criterion.direction.field.default,
            floor=technical.floor if technical else None,
            target=technical.target if technical else None,
        )
        history.record(criterion, action="created", actor=actor, data={"provenance": provenance})
    return criterion


CRITERION_FIELDS = (
    "code",
    "wording",
    "theme",
    "technical_source",
    "indicator_name",
    "indicator_unit",
    "direction",
    "floor",
    "target",
    "is_active",
)


def criterion_update(criterion: Criterion, *, actor, **values) -> Criterion:
    """Edit wording, theme, technical counterpart, activity. A criterion that gains or
    loses its technical source moves between the provenances."""
    unknown = set(values) - set(CRITERION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    if "code" in values:
        values["code"] = check_code(criterion.barometer, values["code"], exclude_pk=criterion.pk)
    if "wording" in values:
        values["wording"] = values["wording"].strip()
        if not values["wording"]:
            raise ValidationError({"wording": _("Give the wording asked to users.")})
    source = values.get("technical_source", criterion.technical_source)
    if source is not None and source.barometer_id != criterion.barometer_id:
        raise ValidationError(
            {"technical_source": _("This technical criterion is of another barometer.")}
        )
    if "floor" in values or "target" in values:
        floor = values.get("floor", criterion.floor)
        target = values.get("target", criterion.target)
        _check_floor_target(floor, target)
        if (floor is None) != (target is None):
            raise ValidationError({"target": _("Give both the floor and the target, or neither.")})
    changed = [k for k, v in values.items() if getattr(criterion, k) != v]
    if "technical_source" in changed:
        users = criterion.user_mentions > 0 or criterion.provenance != Provenance.TECHNICAL
        if source is not None:
            values["provenance"] = Provenance.BOTH if users else Provenance.TECHNICAL
        else:
            values["provenance"] = Provenance.USERS
        changed.append("provenance")
    if not changed:
        return criterion
    with transaction.atomic():
        for key in changed:
            setattr(criterion, key, values[key])
        criterion.save()
        history.record(criterion, action="updated", actor=actor, data={"fields": changed})
    return criterion


def criterion_move(criterion: Criterion, *, actor, up: bool) -> None:
    """Swap with the previous (or next) criterion; positions are renumbered 1..n."""
    with transaction.atomic():
        siblings = list(
            Criterion.objects.select_for_update()
            .filter(barometer_id=criterion.barometer_id)
            .order_by("position", "pk")
        )
        index = next(i for i, c in enumerate(siblings) if c.pk == criterion.pk)
        other = index - 1 if up else index + 1
        if 0 <= other < len(siblings):
            siblings[index], siblings[other] = siblings[other], siblings[index]
        for position, item in enumerate(siblings, start=1):
            if item.position != position:
                item.position = position
                item.save(update_fields=["position"])
        history.record(
            criterion,
            action="moved",
            actor=actor,
            data={"order": [item.code for item in siblings]},
        )


# --- technical indicator values ------------------------------------------------------------
_YEAR = re.compile(r"(\d{4})")
_QUARTER = re.compile(r"(\d{4})-[TtQq]([1-4])")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")


def parse_period(text: str) -> tuple[str, dt.date]:
    """'2025' → year, '2025-T2' → quarter, '2025-06' → month: (canonical label, start)."""
    text = (text or "").strip()
    if m := _YEAR.fullmatch(text):
        return m[1], dt.date(int(m[1]), 1, 1)
    if m := _QUARTER.fullmatch(text):
        year, quarter = int(m[1]), int(m[2])
        return f"{year}-T{quarter}", dt.date(year, 3 * quarter - 2, 1)
    if (m := _MONTH.fullmatch(text)) and 1 <= int(m[2]) <= 12:
        return f"{m[1]}-{int(m[2]):02d}", dt.date(int(m[1]), int(m[2]), 1)
    raise ValueError(
        _("« %(p)s » is not a period: write 2025, 2025-T2 (quarter) or 2025-06 (month).")
        % {"p": text}
    )


def parse_number(text: str) -> float:
    """A decimal number, with a comma or a point ('97,5'), spaces as thousands separator."""
    cleaned = (text or "").strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    cleaned = cleaned.replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        raise ValueError(_("« %(v)s » is not a number.") % {"v": text.strip()}) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(_("« %(v)s » is not a number.") % {"v": text.strip()})
    return value


def _write_value(criterion, period, start, value, comment, actor, source) -> bool:
    """Create or replace the value of the period; True when one was replaced."""
    _obj, created = IndicatorValue.objects.update_or_create(
        criterion=criterion,
        period=period,
        defaults={
            "period_start": start,
            "value": value,
            "comment": comment[:300],
            "source": source,
            "entered_by": actor,
        },
    )
    return not created


def indicator_value_set(
    *, actor, criterion: Criterion, period: str, value: float, comment: str = ""
) -> bool:
    """Enter the value of one period; an existing value of the same period is replaced
    (returns True then, so that the page can say so)."""
    if not criterion.indicator_name:
        raise ValidationError({"criterion": _("This criterion has no technical indicator.")})
    try:
        label, start = parse_period(period)
    except ValueError as exc:
        raise ValidationError({"period": str(exc)}) from None
    with transaction.atomic():
        return _write_value(
            criterion, label, start, value, comment.strip(), actor, IndicatorSource.ENTERED
        )


@dataclass
class ImportResult:
    created: int
    replaced: list[str]  # "code period" of the values replaced


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError({"file": _("The file is not a text (CSV) file.")})


def indicator_import(*, actor, barometer: Barometer, content: bytes) -> ImportResult:
    """Import `criterion,period,value[,comment]` rows (`;` or `,` separated, decimal
    comma accepted). Every row is checked first and every error is reported with its
    line number; if any row is wrong nothing is imported."""
    if len(content) > CSV_MAX_BYTES:
        raise ValidationError({"file": _("The file is too large (1 MB at most).")})
    text = _decode(content)
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise ValidationError({"file": _("The file is empty.")})
    delimiter = ";" if ";" in lines[0] else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader)]
    if (
        header[:3] != ["criterion", "period", "value"]
        or len(header) > 4
        or (len(header) == 4 and header[3] != "comment")
    ):
        raise ValidationError(
            {
                "file": _(
                    "Line 1: the columns must be criterion, period, value and optionally "
                    "comment (found: %(found)s)."
                )
                % {"found": ", ".join(header)}
            }
        )
    criteria = {c.code: c for c in Criterion.objects.filter(barometer=barometer)}
    errors: list[str] = []
    rows: dict[tuple[int, str], tuple] = {}
    for line_no, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 3 or len(row) > 4:
            errors.append(
                _("Line %(n)s: 3 or 4 columns expected, %(k)s found.")
                % {"n": line_no, "k": len(row)}
            )
            continue
        code, period_text, value_text = (cell.strip() for cell in row[:3])
        comment = row[3].strip() if len(row) == 4 else ""
        criterion = criteria.get(code.lower())
        problems = []
        if criterion is None:
            problems.append(_("no criterion has the code « %(c)s »") % {"c": code})
        elif not criterion.indicator_name:
            problems.append(_("criterion « %(c)s » has no technical indicator") % {"c": code})
        try:
            period, start = parse_period(period_text)
        except ValueError as exc:
            problems.append(str(exc))
            period = start = None
        try:
            value = parse_number(value_text)
        except ValueError as exc:
            problems.append(str(exc))
        if len(comment) > 300:
            problems.append(_("the comment is longer than 300 characters"))
        if not problems and (criterion.pk, period) in rows:
            problems.append(
                _("criterion « %(c)s » already has a value for %(p)s on line %(l)s")
                % {"c": code, "p": period, "l": rows[(criterion.pk, period)][0]}
            )
        if problems:
            errors.append(_("Line %(n)s: %(p)s.") % {"n": line_no, "p": " ; ".join(problems)})
            continue
        rows[(criterion.pk, period)] = (line_no, criterion, period, start, value, comment)
    if errors:
        raise ValidationError({"file": errors})
    if not rows:
        raise ValidationError({"file": _("The file has no value to import.")})
    replaced: list[str] = []
    with transaction.atomic():
        for _line, criterion, period, start, value, comment in rows.values():
            if _write_value(
                criterion, period, start, value, comment, actor, IndicatorSource.IMPORTED
            ):
                replaced.append(f"{criterion.code} {period}")
    return ImportResult(created=len(rows) - len(replaced), replaced=replaced)


# --- action plan ---------------------------------------------------------------------------
ACTION_FIELDS = (
    "criterion",
    "title",
    "description",
    "owner",
    "due_on",
    "status",
    "from_wave",
    "is_public",
)


def _check_action(barometer: Barometer, values: dict) -> None:
    errors = {}
    criterion = values.get("criterion")
    if criterion is not None and criterion.barometer_id != barometer.pk:
        errors["criterion"] = _("This criterion belongs to another barometer.")
    wave: Wave | None = values.get("from_wave")
    if wave is not None and wave.barometer_id != barometer.pk:
        errors["from_wave"] = _("This wave belongs to another barometer.")
    if "title" in values and not values["title"].strip():
        errors["title"] = _("Say what the action is.")
    if "owner" in values and not values["owner"].strip():
        errors["owner"] = _("Say which function or team is in charge.")
    if errors:
        raise ValidationError(errors)


def action_create(*, actor, barometer: Barometer, **values) -> Action:
    unknown = set(values) - set(ACTION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    if values.get("criterion") is None:
        raise ValidationError({"criterion": _("Choose the criterion the action improves.")})
    _check_action(barometer, values)
    with transaction.atomic():
        action = Action.objects.create(barometer=barometer, **values)
        history.record(action, action="created", actor=actor, to_status=action.status)
    return action


def action_update(action: Action, *, actor, **values) -> Action:
    """Edit an action; a change of status is recorded with its from/to states, other
    changes with the names of the fields changed."""
    unknown = set(values) - set(ACTION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    _check_action(action.barometer, values)
    changed = [k for k, v in values.items() if getattr(action, k) != v]
    if not changed:
        return action
    old_status = action.status
    with transaction.atomic():
        for key in changed:
            setattr(action, key, values[key])
        action.save()
        if "status" in changed:
            history.record(
                action,
                action="status",
                actor=actor,
                from_status=old_status,
                to_status=action.status,
            )
        others = [k for k in changed if k != "status"]
        if others:
            history.record(action, action="updated", actor=actor, data={"fields": others})
    return action
