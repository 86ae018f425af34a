"""Reads of the referent network: who answers what, per topic and organization, with
each organization's commitment. A fixed number of queries whatever the size."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch

from cocon.accounts.models import User
from cocon.guichet.models import Commitment, Place, Procedure, Referent, Topic


def topics(territory, *, active_only: bool = True):
    qs = Topic.objects.filter(territory=territory)
    return qs.filter(is_active=True) if active_only else qs


def procedures(territory, *, active_only: bool = True):
    qs = Procedure.objects.filter(territory=territory).select_related("organization", "topic")
    return qs.filter(is_active=True) if active_only else qs


def organization_referents(organization):
    """The organization's referents, by topic then rank."""
    return (
        Referent.objects.filter(organization=organization)
        .select_related("topic", "user", "manager")
        .order_by("topic__name", "rank", "user__full_name")
    )


def organization_places(organization, *, with_agents: bool = False) -> list[Place]:
    """Every place (counter or bus stop, active or not) `organization` runs, by kind then
    name, with its commune; `with_agents` also prefetches the agents named on each (the
    settings page lists them; the dashboard filter does not need them)."""
    places = (
        Place.objects.filter(organization=organization)
        .select_related("commune")
        .order_by("kind", "name")
    )
    if with_agents:
        places = places.prefetch_related(
            Prefetch("agents", queryset=User.objects.order_by("full_name"))
        )
    return list(places)


def organization_agents(organization):
    return (
        User.objects.filter(agent_profile__organization=organization, is_active=True)
        .select_related("agent_profile")
        .order_by("full_name")
    )


def commitment_of(organization) -> Commitment | None:
    return Commitment.objects.filter(organization=organization).first()


@dataclass
class DirectoryOrganization:
    organization: object
    commitment: Commitment | None
    titulars: list = field(default_factory=list)
    substitutes: list = field(default_factory=list)
    managers: list = field(default_factory=list)


@dataclass
class DirectoryTopic:
    topic: Topic
    organizations: list[DirectoryOrganization] = field(default_factory=list)


def directory(territory, *, topic_id: int | None = None) -> list[DirectoryTopic]:
    """The annuaire des référents: per active topic, per organization, its titulars,
    substitutes and managers (each a Referent, or a User for managers). Three queries."""
    rows = (
        Referent.objects.filter(topic__territory=territory, topic__is_active=True)
        .select_related("topic", "organization", "user", "manager")
        .order_by("topic__name", "organization__name", "rank", "user__full_name")
    )
    if topic_id:
        rows = rows.filter(topic_id=topic_id)
    rows = list(rows)
    commitments = {
        c.organization_id: c
        for c in Commitment.objects.filter(organization_id__in={r.organization_id for r in rows})
    }
    by_topic: dict[int, DirectoryTopic] = {}
    by_pair: dict[tuple[int, int], DirectoryOrganization] = {}
    for ref in rows:
        entry = by_topic.setdefault(ref.topic_id, DirectoryTopic(ref.topic))
        key = (ref.topic_id, ref.organization_id)
        org_entry = by_pair.get(key)
        if org_entry is None:
            org_entry = DirectoryOrganization(
                ref.organization, commitments.get(ref.organization_id)
            )
            by_pair[key] = org_entry
            entry.organizations.append(org_entry)
        if ref.rank == Referent.Rank.TITULAR:
            org_entry.titulars.append(ref)
        else:
            org_entry.substitutes.append(ref)
        if ref.manager is not None and ref.manager not in org_entry.managers:
            org_entry.managers.append(ref.manager)
    return list(by_topic.values())


def organizations_with_referents(territory) -> int:
    return (
        Referent.objects.filter(topic__territory=territory)
        .values("organization_id")
        .distinct()
        .count()
    )
