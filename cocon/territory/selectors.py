"""Reads of the territory module. Each function says how many queries it costs."""

from __future__ import annotations

import copy
from collections import OrderedDict

from django.db.models import Count, Prefetch, Q, Sum

from cocon.core import refcache
from cocon.territory.models import (
    Commune,
    Direction,
    OpeningHours,
    Organization,
    OrganizationKind,
    PopulationMargin,
    Service,
    Territory,
)

refcache.watch(Territory, Organization)


def _load_current_territory() -> Territory | None:
    return Territory.objects.select_related("host_organization").order_by("pk").first()


def current_territory() -> Territory | None:
    """The territory this instance serves (one per deployment for now), with its host
    organization. Cached per process (`core.refcache`: emptied when a territory or an
    organization is saved, 30 s at most across processes): no query once warm. Each call
    returns its own copy, so a caller may change it (a form) without touching the cache."""
    territory = refcache.get(
        "territory.current", _load_current_territory, keep=lambda t: t is not None
    )
    if territory is None:
        return None
    mine = copy.copy(territory)  # fields and related-object cache copied (Model.__reduce__)
    host = territory._state.fields_cache.get("host_organization")
    if host is not None:
        mine._state.fields_cache["host_organization"] = copy.copy(host)
    return mine


def current_territory_or_404() -> Territory:
    """The territory, or a 404 (pages and API) on an instance with none loaded yet."""
    from django.http import Http404

    territory = current_territory()
    if territory is None:
        raise Http404("no territory")
    return territory


def organization_by_id(pk: int) -> Organization | None:
    return Organization.objects.filter(pk=pk).first()


def organizations_by_kind(territory: Territory) -> OrderedDict[str, list[Organization]]:
    """Active organizations grouped by kind, in the order of OrganizationKind. 1 query."""
    grouped: OrderedDict[str, list[Organization]] = OrderedDict()
    organizations = territory.organizations.filter(is_active=True).annotate(
        service_count=Count("services", filter=Q(services__is_public=True))
    )
    by_kind: dict[str, list[Organization]] = {}
    for organization in organizations:
        by_kind.setdefault(organization.kind, []).append(organization)
    for kind, label in OrganizationKind.choices:
        if kind in by_kind:
            grouped[label] = by_kind[kind]
    return grouped


def organization_page(slug: str, *, include_internal_services: bool) -> Organization:
    """An organization with directions, services and opening hours. 4 queries."""
    services = Service.objects.prefetch_related("opening_hours").order_by("name")
    if not include_internal_services:
        services = services.filter(is_public=True)
    return (
        Organization.objects.select_related("territory", "seat")
        .prefetch_related(
            Prefetch("directions", queryset=Direction.objects.order_by("name")),
            Prefetch("services", queryset=services),
        )
        .get(slug=slug)
    )


def service_page(organization_slug: str, slug: str) -> Service:
    return (
        Service.objects.select_related("organization", "organization__territory", "direction")
        .prefetch_related(
            Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday", "opens"))
        )
        .get(organization__slug=organization_slug, slug=slug)
    )


def communes_with_margins(territory: Territory) -> list[Commune]:
    """Communes with their margins prefetched. 2 queries."""
    return list(
        territory.communes.prefetch_related(
            Prefetch("margins", queryset=PopulationMargin.objects.order_by("age_band", "sex"))
        ).order_by("-population", "name")
    )


def territory_margins(territory: Territory) -> dict[tuple[str, str], int]:
    """Population by (age band, sex) over the whole territory. 1 query."""
    rows = (
        PopulationMargin.objects.filter(commune__territory=territory)
        .values("age_band", "sex")
        .annotate(total=Sum("population"))
    )
    return {(row["age_band"], row["sex"]): row["total"] for row in rows}
