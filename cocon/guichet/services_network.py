"""Writes of the referent network: an organization's referents per topic, their
absences, its answer commitment, its counters and bus stops; the territory's topics and
procedures (host organization). Every check is here; errors are
`ValidationError({field: [French message]})` and nothing is written then."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cocon.guichet.models import Commitment, Place, Procedure, Referent, Topic

#: Hours accepted for a commitment (a working year is ~1,600 opening hours).
MAX_HOURS = 2000


def _agent_of(user, organization) -> bool:
    profile = getattr(user, "agent_profile", None)
    return (
        user is not None
        and user.is_active
        and profile is not None
        and profile.organization_id == organization.pk
    )


@transaction.atomic
def referent_add(
    *, organization, topic: Topic, user, rank: str = Referent.Rank.TITULAR, manager=None
) -> Referent:
    """Name `user` (an agent of `organization`) referent on `topic`; an existing naming
    of the same person on the same topic is updated (rank, manager)."""
    errors: dict[str, list[str]] = {}
    if topic.territory_id != organization.territory_id:
        errors["topic"] = [_("This topic belongs to another territory.")]
    elif not topic.is_active:
        errors["topic"] = [_("This topic is closed.")]
    if not _agent_of(user, organization):
        errors["user"] = [_("The referent must be an agent of the organization.")]
    if rank not in Referent.Rank.values:
        errors["rank"] = [_("Choose titular or substitute.")]
    if manager is not None:
        if not _agent_of(manager, organization):
            errors["manager"] = [_("The manager must be an agent of the organization.")]
        elif user is not None and manager.pk == user.pk:
            errors["manager"] = [_("The manager must be someone other than the referent.")]
    if errors:
        raise ValidationError(errors)
    referent, _created = Referent.objects.update_or_create(
        organization=organization,
        topic=topic,
        user=user,
        defaults={"rank": rank, "manager": manager},
    )
    return referent


def referent_remove(*, organization, referent_id: int) -> bool:
    deleted, _rows = Referent.objects.filter(organization=organization, pk=referent_id).delete()
    return bool(deleted)


def absence_set(referent: Referent, *, until: dt.date | None, today: dt.date | None = None):
    """Mark `referent` absent until `until` (inclusive); None: present again. The same
    person is marked on every topic they answer for in that organization."""
    today = today or timezone.localdate()
    if until is not None:
        if until < today:
            raise ValidationError(
                {"absent_until": [_("Give a date from today on, or leave empty.")]}
            )
        if until > today + dt.timedelta(days=366):
            raise ValidationError(
                {"absent_until": [_("An absence cannot be set more than a year ahead.")]}
            )
    Referent.objects.filter(
        organization_id=referent.organization_id, user_id=referent.user_id
    ).update(absent_until=until)
    referent.absent_until = until
    return referent


def _opening_json(opening) -> dict[str, list[list[str]]]:
    """{weekday: [(time, time), ...]} → the JSON the model keeps."""
    out: dict[str, list[list[str]]] = {}
    for day, spans in sorted(opening.items()):
        kept = [[a.strftime("%H:%M"), b.strftime("%H:%M")] for a, b in spans]
        if kept:
            out[str(int(day))] = kept
    return out


@transaction.atomic
def commitment_set(
    *,
    organization,
    hours: int,
    urgent_hours: int,
    reminder_hours: int,
    opening: dict[int, list[tuple[dt.time, dt.time]]],
    alsace_moselle: bool = False,
) -> Commitment:
    """Set the organization's answer commitment and opening hours."""
    from cocon.lib.workdays import _opening_by_weekday

    errors: dict[str, list[str]] = {}
    for name, value in (
        ("hours", hours),
        ("urgent_hours", urgent_hours),
        ("reminder_hours", reminder_hours),
    ):
        if value is None or value < 1 or value > MAX_HOURS:
            errors[name] = [
                _("Give a number of working hours between 1 and %(max)s.") % {"max": MAX_HOURS}
            ]
    if "hours" not in errors and "urgent_hours" not in errors and urgent_hours > hours:
        errors["urgent_hours"] = [_("The urgent deadline cannot be longer than the normal one.")]
    if "hours" not in errors and "reminder_hours" not in errors and reminder_hours >= hours:
        errors["reminder_hours"] = [_("The reminder must come before the deadline.")]
    for spans in opening.values():
        for opens, closes in spans:
            if not opens < closes:
                errors.setdefault("opening", []).append(
                    _("Each period must open before it closes.")
                )
                break
    if "opening" not in errors:
        try:
            _opening_by_weekday(opening)
        except (TypeError, ValueError):
            errors["opening"] = [_("Give at least one opening period from Monday to Friday.")]
    if errors:
        raise ValidationError(errors)
    commitment, _created = Commitment.objects.update_or_create(
        organization=organization,
        defaults={
            "hours": hours,
            "urgent_hours": urgent_hours,
            "reminder_hours": reminder_hours,
            "opening": _opening_json(opening),
            "alsace_moselle": alsace_moselle,
        },
    )
    return commitment


@transaction.atomic
def place_save(
    *,
    organization,
    kind: str,
    name: str,
    commune,
    schedule: str = "",
    agents: Iterable = (),
    is_active: bool = True,
    place: Place | None = None,
) -> Place:
    """Create (or update `place`) a counter or a bus stop of `organization`."""
    agents = list(agents)
    errors: dict[str, list[str]] = {}
    if place is not None and place.organization_id != organization.pk:
        raise ValidationError({"name": [_("This place belongs to another organization.")]})
    if kind not in Place.Kind.values:
        errors["kind"] = [_("Choose a counter or a bus stop.")]
    if not name.strip():
        errors["name"] = [_("Give the place a name.")]
    if commune is None or commune.territory_id != organization.territory_id:
        errors["commune"] = [_("Choose a commune of the territory.")]
    if any(not _agent_of(a, organization) for a in agents):
        errors["agents"] = [_("Only agents of the organization can be named on its places.")]
    if errors:
        raise ValidationError(errors)
    place = place or Place(organization=organization)
    place.kind = kind
    place.name = name.strip()
    place.commune = commune
    place.schedule = schedule.strip()
    place.is_active = is_active
    place.save()
    place.agents.set(agents)
    return place


def _slug_for(model, territory, name: str, instance) -> str:
    base = slugify(name)[:100] or "x"
    slug, n = base, 1
    taken = model.objects.filter(territory=territory)
    if instance is not None and instance.pk:
        taken = taken.exclude(pk=instance.pk)
    existing = set(taken.filter(slug__startswith=base).values_list("slug", flat=True))
    while slug in existing:
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def topic_save(
    *,
    territory,
    name: str,
    description: str = "",
    is_active: bool = True,
    topic: Topic | None = None,
) -> Topic:
    """Create (or update `topic`) a topic shared by the whole territory."""
    name = name.strip()
    if topic is not None and topic.territory_id != territory.pk:
        raise ValidationError({"name": [_("This topic belongs to another territory.")]})
    if not name:
        raise ValidationError({"name": [_("Give the topic a name.")]})
    same = Topic.objects.filter(territory=territory, name__iexact=name)
    if topic is not None:
        same = same.exclude(pk=topic.pk)
    if same.exists():
        raise ValidationError({"name": [_("Another topic already has this name.")]})
    topic = topic or Topic(territory=territory)
    if not topic.pk:
        topic.slug = _slug_for(Topic, territory, name, topic)
    topic.name = name
    topic.description = description.strip()
    topic.is_active = is_active
    topic.save()
    return topic


@transaction.atomic
def procedure_save(
    *,
    territory,
    name: str,
    organization=None,
    topic: Topic | None = None,
    is_active: bool = True,
    procedure: Procedure | None = None,
) -> Procedure:
    """Create (or update `procedure`) a procedure of the territory."""
    name = name.strip()
    errors: dict[str, list[str]] = {}
    if procedure is not None and procedure.territory_id != territory.pk:
        raise ValidationError({"name": [_("This procedure belongs to another territory.")]})
    if not name:
        errors["name"] = [_("Give the procedure a name.")]
    else:
        same = Procedure.objects.filter(territory=territory, name__iexact=name)
        if procedure is not None:
            same = same.exclude(pk=procedure.pk)
        if same.exists():
            errors["name"] = [_("Another procedure already has this name.")]
    if organization is not None and organization.territory_id != territory.pk:
        errors["organization"] = [_("Choose an organization of the territory.")]
    if topic is not None and topic.territory_id != territory.pk:
        errors["topic"] = [_("This topic belongs to another territory.")]
    if errors:
        raise ValidationError(errors)
    procedure = procedure or Procedure(territory=territory)
    if not procedure.pk:
        procedure.slug = _slug_for(Procedure, territory, name, procedure)
    procedure.name = name
    procedure.organization = organization
    procedure.topic = topic
    procedure.is_active = is_active
    procedure.save()
    return procedure
