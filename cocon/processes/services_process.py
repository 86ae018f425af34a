"""Writes of the process frame: create a process from a template, edit it, replace its
ordered phases, publish, close, link voices of Paroles.

Everything is validated first (French messages keyed by field), then written in one
transaction. The proposals of a process are the ideas of its Idées campaign: the
campaign is created through `cocon.ideas.services.campaign_save` and its opening and
closing dates follow the phases that collect proposals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cocon.core import history
from cocon.core.permissions import can
from cocon.ideas import services as idea_services
from cocon.ideas.models import Scope
from cocon.processes.blueprints import blueprint
from cocon.processes.models.events import Event
from cocon.processes.models.process import (
    Component,
    Phase,
    Process,
    ProcessVoice,
    Template,
)

TITLE_MAX = 200
QUESTION_MAX = 1000
DESCRIPTION_MAX = 10000
PHASE_DESCRIPTION_MAX = 5000
MAX_PHASES = 30
SLUG_MAX = 80
# first segments of other pages under /demarches/
RESERVED_SLUGS = {"nouvelle", "ambassadeurs"}


def _d(day: dt.date) -> str:
    return formats.date_format(day, "j F Y")


def _text(errors: dict, name: str, value, maximum: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        errors.setdefault(name, []).append(_("This field is required."))
    elif len(value) > maximum:
        errors.setdefault(name, []).append(
            _("The text is too long (%(max)s characters at most, %(n)s given).")
            % {"max": maximum, "n": len(value)}
        )
    return value


def unique_slug(territory_id: int, title: str, *, exclude_pk: int | None = None) -> str:
    """A web address derived from the title, unique in the territory (-2, -3… added)."""
    base = slugify(title)[: SLUG_MAX - 4].strip("-") or "demarche"
    taken = set(
        Process.objects.filter(territory_id=territory_id, slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    taken |= RESERVED_SLUGS
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _validate_frame(data: dict, organization) -> tuple[dict, dict]:
    errors: dict[str, list[str]] = {}
    clean = {
        "title": _text(errors, "title", data.get("title"), TITLE_MAX),
        "question": _text(errors, "question", data.get("question"), QUESTION_MAX),
        "description": _text(
            errors, "description", data.get("description"), DESCRIPTION_MAX, required=False
        ),
        "scope": _text(errors, "scope", data.get("scope"), 300, required=False),
        "owner_team": _text(errors, "owner_team", data.get("owner_team"), 200, required=False),
        "sponsor_label": _text(
            errors, "sponsor_label", data.get("sponsor_label"), 250, required=False
        ),
        "is_public": bool(data.get("is_public", True)),
    }
    if clean["title"] and len(clean["title"]) < 4 and "title" not in errors:
        errors["title"] = [_("Give a title of at least 4 characters.")]
    for name in ("organizations", "services", "communes"):
        for obj in data.get(name) or ():
            territory_id = obj.organization.territory_id if name == "services" else obj.territory_id
            if territory_id != organization.territory_id:
                errors.setdefault(name, []).append(
                    _("“%(name)s” is outside the territory.") % {"name": obj}
                )
    return clean, errors


def validate_phases(phases: Iterable[dict]) -> list[dict]:
    """Check an ordered list of phases; errors are keyed `phases` (the whole list) and
    `phases.<index>.<field>` (one row), every message in French and naming the phase."""
    rows = list(phases)
    errors: dict[str, list[str]] = {}

    def err(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    if not rows:
        err("phases", _("A process needs at least one phase."))
    if len(rows) > MAX_PHASES:
        err("phases", _("%(n)s phases at most.") % {"n": MAX_PHASES})
    clean: list[dict] = []
    for i, row in enumerate(rows):
        key = f"phases.{i}."
        number = i + 1
        row_errors: dict[str, list[str]] = {}
        title = _text(row_errors, "title", row.get("title"), TITLE_MAX)
        description = _text(
            row_errors, "description", row.get("description"), PHASE_DESCRIPTION_MAX, required=False
        )
        for name, messages in row_errors.items():
            for message in messages:
                err(key + name, message)
        starts, ends = row.get("starts_on"), row.get("ends_on")
        label = title or _("phase %(n)s") % {"n": number}
        if not starts:
            err(key + "starts_on", _("Give the start date of « %(phase)s ».") % {"phase": label})
        if not ends:
            err(key + "ends_on", _("Give the end date of « %(phase)s ».") % {"phase": label})
        if starts and ends and ends < starts:
            err(
                key + "ends_on",
                _("« %(phase)s » ends on %(ends)s, before it starts (%(starts)s).")
                % {"phase": label, "ends": _d(ends), "starts": _d(starts)},
            )
        components = list(dict.fromkeys(row.get("components") or ()))
        unknown = [c for c in components if c not in Component.values]
        if unknown:
            err(
                key + "components",
                _("Unknown component for « %(phase)s »: %(names)s.")
                % {"phase": label, "names": ", ".join(map(str, unknown))},
            )
        clean.append(
            {
                "id": row.get("id"),
                "title": title,
                "label": label,
                "description": description,
                "starts_on": starts,
                "ends_on": ends,
                "components": components,
                "survey": row.get("survey"),
            }
        )
    dated = [r for r in clean if r["starts_on"] and r["ends_on"] and r["ends_on"] >= r["starts_on"]]
    for a_index, a in enumerate(dated):
        for b in dated[a_index + 1 :]:
            start, end = max(a["starts_on"], b["starts_on"]), min(a["ends_on"], b["ends_on"])
            if start <= end:
                err(
                    "phases",
                    _(
                        "The phases « %(a)s » and « %(b)s » overlap from %(start)s to %(end)s: "
                        "a phase starts after the previous one ends."
                    )
                    % {"a": a["label"], "b": b["label"], "start": _d(start), "end": _d(end)},
                )
    if errors:
        raise ValidationError(errors)
    return clean


def _proposal_dates(rows: Iterable) -> tuple[dt.date, dt.date] | None:
    """Opening and closing dates of the campaign: from the first to the last phase that
    collects proposals."""
    spans = [
        (_get(r, "starts_on"), _get(r, "ends_on"))
        for r in rows
        if Component.PROPOSALS in _get(r, "components")
    ]
    if not spans:
        return None
    return min(s for s, _e in spans), max(e for _s, e in spans)


def _get(row, name):
    return row[name] if isinstance(row, dict) else getattr(row, name)


def _sync_campaign(process: Process, actor, rows: Iterable) -> None:
    """Create the Idées campaign when a phase collects proposals; keep its title,
    question, audience, organizations and dates in line with the process."""
    dates = _proposal_dates(rows)
    campaign = process.campaign
    if campaign is None and dates is None:
        return
    data = {
        "title": process.title,
        "question": process.question,
        "description": (process.description or "")[:5000],
        "scope": Scope.BOTH if process.is_public else Scope.AGENTS,
        "organizations": [process.organization, *process.organizations.all()],
    }
    if dates is not None:
        data["opens_on"], data["closes_on"] = dates
    elif campaign is not None:
        data["opens_on"], data["closes_on"] = campaign.opens_on, campaign.closes_on
    if campaign is not None:
        for name in ("decision_calendar", "decisions_by", "moderation", "moderation_rules"):
            data[name] = getattr(campaign, name)
        if data["decisions_by"] and data["closes_on"] and data["decisions_by"] < data["closes_on"]:
            data["decisions_by"] = None
    try:
        saved = idea_services.campaign_save(
            actor=actor, organization=process.organization, campaign=campaign, **data
        )
    except ValidationError as exc:
        raise ValidationError({"phases": exc.messages}) from exc
    if campaign is None:
        process.campaign = saved
        process.save(update_fields=["campaign"])


def _check_people(process: Process, data: dict) -> dict[str, list[str]]:
    """The sponsor holds an élu role in the territory; the facilitators are agents of the
    organizations of the process (those involved after this change)."""
    from cocon.processes import selectors_process

    errors: dict[str, list[str]] = {}
    sponsor = data.get("sponsor")
    if sponsor is not None and not (
        selectors_process.possible_sponsors(process).filter(pk=sponsor.pk).exists()
    ):
        errors["sponsor"] = [_("Choose an élu of one of the territory's organizations.")]
    animateurs = list(data.get("animateurs") or ())
    if animateurs:
        involved = {process.organization_id} | {
            o.pk for o in (data.get("organizations") or process.organizations.all())
        }
        outside = [
            u
            for u in animateurs
            if getattr(getattr(u, "agent_profile", None), "organization_id", None) not in involved
        ]
        if outside:
            errors["animateurs"] = [
                _("%(names)s: not an agent of the organizations of the process.")
                % {"names": ", ".join(u.full_name for u in outside)}
            ]
    return errors


def _check_surveys(process: Process, rows: list[dict]) -> None:
    """A phase's survey is a barometer of one of the process's organizations, and turns
    on the "survey" component."""
    allowed = {process.organization_id} | set(process.organizations.values_list("pk", flat=True))
    errors: dict[str, list[str]] = {}
    for i, row in enumerate(rows):
        survey = row.get("survey")
        if survey is None:
            continue
        if survey.service.organization_id not in allowed:
            errors[f"phases.{i}.survey"] = [
                _("This barometer belongs to an organization outside the process.")
            ]
        elif Component.SURVEY not in row["components"]:
            row["components"].append(Component.SURVEY)
    if errors:
        raise ValidationError(errors)


def _write_phases(process: Process, rows: list[dict]) -> list[Phase]:
    existing = {p.pk: p for p in process.phases.all()}
    kept_ids = {r["id"] for r in rows if r.get("id") in existing}
    Phase.objects.filter(process=process).exclude(pk__in=kept_ids).delete()
    # move the kept ones out of the way of the unique (process, position) first
    kept = [existing[pk] for pk in kept_ids]
    for phase in kept:
        phase.position += 1000
    Phase.objects.bulk_update(kept, ["position"])
    result, to_update = [], []
    for position, row in enumerate(rows, start=1):
        fields = {
            "position": position,
            "title": row["title"],
            "description": row["description"],
            "starts_on": row["starts_on"],
            "ends_on": row["ends_on"],
            "components": row["components"],
            "survey": row.get("survey"),
        }
        phase = existing.get(row.get("id"))
        if phase is None:
            phase = Phase.objects.create(process=process, **fields)
        else:
            for name, value in fields.items():
                setattr(phase, name, value)
            to_update.append(phase)
        result.append(phase)
    Phase.objects.bulk_update(
        to_update,
        ["position", "title", "description", "starts_on", "ends_on", "components", "survey"],
    )
    return result


@transaction.atomic
def process_create(
    *,
    actor,
    organization,
    template: str,
    title: str,
    question: str,
    starts_on: dt.date | None = None,
    description: str | None = None,
    scope: str = "",
    is_public: bool = True,
    organizations: Iterable = (),
    services: Iterable = (),
    communes: Iterable = (),
    owner_team: str = "",
    sponsor=None,
    sponsor_label: str = "",
    animateurs: Iterable = (),
) -> Process:
    """A process of `organization` with the phases, default texts (and, for Flash 360,
    the workshop) of `template`, laid out from `starts_on`, and its Idées campaign when a
    phase collects proposals. Not published: the team reviews it first."""
    errors: dict[str, list[str]] = {}
    if template not in Template.values:
        errors["template"] = [_("Choose a template.")]
    if not starts_on:
        errors["starts_on"] = [_("Give the date the first phase starts.")]
    plan = blueprint(template) if template in Template.values else None
    data = {
        "title": title,
        "question": question,
        "description": plan.description if description is None and plan else description,
        "scope": scope,
        "owner_team": owner_team,
        "sponsor_label": sponsor_label,
        "is_public": is_public,
        "organizations": organizations,
        "services": services,
        "communes": communes,
    }
    clean, frame_errors = _validate_frame(data, organization)
    errors.update(frame_errors)
    if errors:
        raise ValidationError(errors)
    rows = validate_phases(plan.phase_rows(starts_on))
    process = Process.objects.create(
        territory_id=organization.territory_id,
        organization=organization,
        slug=unique_slug(organization.territory_id, clean["title"]),
        template=template,
        sponsor=sponsor,
        created_by=actor,
        **clean,
    )
    process.organizations.set([o for o in organizations if o.pk != organization.pk])
    process.services.set(list(services))
    process.communes.set(list(communes))
    process.animateurs.set(list(animateurs))
    phases = _write_phases(process, rows)
    for event in plan.events:
        phase = phases[event.phase]
        day = phase.starts_on + dt.timedelta(days=event.day)
        starts = timezone.make_aware(dt.datetime.combine(day, dt.time(event.hour)))
        Event.objects.create(
            process=process,
            phase=phase,
            kind=event.kind,
            title=event.title,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=event.hours),
            target_mix=dict(event.target_mix),
            created_by=actor,
        )
    _sync_campaign(process, actor, rows)
    history.record(process, action="created", actor=actor, data={"template": template})
    return process


@transaction.atomic
def process_update(process: Process, *, actor, slug: str | None = None, **data) -> Process:
    """Change the frame of a process (title, question, texts, organizations, élu…). A
    new web address must be free in the territory."""
    organization = process.organization
    merged = {
        "title": process.title,
        "question": process.question,
        "description": process.description,
        "scope": process.scope,
        "owner_team": process.owner_team,
        "sponsor_label": process.sponsor_label,
        "is_public": process.is_public,
        **data,
    }
    clean, errors = _validate_frame(merged, organization)
    if slug is not None:
        slug = slugify(slug)[:SLUG_MAX]
        if not slug:
            errors.setdefault("slug", []).append(_("This field is required."))
        elif slug in RESERVED_SLUGS or (
            Process.objects.filter(territory_id=process.territory_id, slug=slug)
            .exclude(pk=process.pk)
            .exists()
        ):
            errors.setdefault("slug", []).append(
                _("The address “%(slug)s” is already used by another process; try “%(free)s”.")
                % {
                    "slug": slug,
                    "free": unique_slug(process.territory_id, slug, exclude_pk=process.pk),
                }
            )
    errors.update(_check_people(process, data))
    if errors:
        raise ValidationError(errors)
    for name, value in clean.items():
        setattr(process, name, value)
    if slug:
        process.slug = slug
    if "sponsor" in data:
        process.sponsor = data["sponsor"]
    process.save()
    for name in ("organizations", "services", "communes", "animateurs"):
        if name in data:
            objs = list(data[name] or ())
            if name == "organizations":
                objs = [o for o in objs if o.pk != organization.pk]
            getattr(process, name).set(objs)
    if process.campaign_id:
        _sync_campaign(process, actor, list(process.phases.all()))
    history.record(process, action="updated", actor=actor)
    return process


@transaction.atomic
def phases_save(process: Process, *, actor, phases: Iterable[dict]) -> list[Phase]:
    """Replace the ordered list of phases (rows with the `id` of an existing phase keep
    it, with its events and voices; missing ones are deleted), then align the campaign."""
    rows = validate_phases(phases)
    _check_surveys(process, rows)
    result = _write_phases(process, rows)
    _sync_campaign(process, actor, rows)
    history.record(process, action="phases_saved", actor=actor, data={"count": len(rows)})
    return result


@transaction.atomic
def process_publish(process: Process, *, actor) -> Process:
    if process.published_at:
        raise ValidationError({"published_at": [_("This process is already published.")]})
    if not process.phases.exists():
        raise ValidationError({"phases": [_("A process needs at least one phase.")]})
    process.published_at = timezone.now()
    process.save(update_fields=["published_at"])
    history.record(process, action="published", actor=actor)
    return process


@transaction.atomic
def process_close(process: Process, *, actor) -> Process:
    if process.closed_at:
        raise ValidationError({"closed_at": [_("This process is already closed.")]})
    process.closed_at = timezone.now()
    process.save(update_fields=["closed_at"])
    history.record(process, action="closed", actor=actor)
    return process


@transaction.atomic
def process_collect_voice(process: Process, voice, *, phase) -> ProcessVoice:
    """Gather a voice just given through the public form of the process's collecting
    `phase` (called in the transaction of the capture: both are written, or neither)."""
    if voice.territory_id != process.territory_id:
        raise ValidationError({"voice": [_("This voice is outside the territory.")]})
    return ProcessVoice.objects.create(process=process, voice=voice, phase=phase)


@transaction.atomic
def process_link_voice(process: Process, voice, *, actor) -> ProcessVoice:
    """Frame a voice of Paroles in the process: a voice of the same territory that the
    actor may see (the voice itself is not copied)."""
    if voice.territory_id != process.territory_id:
        raise ValidationError({"voice": [_("This voice is outside the territory.")]})
    if not can(actor, "voices.view", voice):
        raise PermissionDenied("voices.view")
    if ProcessVoice.objects.filter(process=process, voice=voice).exists():
        raise ValidationError({"voice": [_("This voice is already linked to the process.")]})
    phase = process.current_phase_with(Component.VOICES)
    return ProcessVoice.objects.create(process=process, voice=voice, phase=phase, linked_by=actor)
