"""Reference data of Signalements kept per process (`cocon.core.refcache`): the
territory's communes and box, its categories, and who covers what where. A report
submission reads them several times; they change a few times a year. Emptied in this
process as soon as a category, coverage, organization or commune (or the communes of a
coverage or organization) is saved; at most `refcache.ttl()` seconds (30) stale in the
other processes."""

from __future__ import annotations

from dataclasses import dataclass

from cocon.core import refcache
from cocon.lib import geo
from cocon.reports.models import Category, Coverage
from cocon.territory.models import Commune, Organization

refcache.watch(Category, Coverage, Organization, Commune)
refcache.watch_m2m(Coverage.communes.through, Organization.communes.through)


def communes(territory_id: int) -> list[Commune]:
    """The territory's communes that have a position (read-only instances)."""
    return refcache.get(
        ("reports.communes", territory_id),
        lambda: list(
            Commune.objects.filter(territory_id=territory_id)
            .exclude(latitude__isnull=True)
            .only("id", "name", "postal_code", "latitude", "longitude", "territory_id")
        ),
    )


def box(territory_id: int, margin_m: float) -> geo.Box | None:
    return refcache.get(
        ("reports.box", territory_id, margin_m),
        lambda: geo.bounds_of(
            ((c.latitude, c.longitude) for c in communes(territory_id)), margin_m
        ),
    )


def category(territory_id: int, code: str) -> Category | None:
    return refcache.get(
        ("reports.categories", territory_id), lambda: _categories(territory_id)
    ).get(code)


def _categories(territory_id: int) -> dict[str, Category]:
    return {
        c.code: c
        for c in Category.objects.filter(territory_id=territory_id).select_related("theme")
    }


@dataclass(frozen=True)
class Cover:
    """One coverage, ready for routing: its explicit communes, the organization's own
    communes, and the service (with its organization)."""

    pk: int
    listed: frozenset[int]
    own: frozenset[int]
    service: object

    @property
    def service_id(self) -> int:
        return self.service.pk

    @property
    def organization(self):
        return self.service.organization

    @property
    def organization_id(self) -> int:
        return self.service.organization_id


def covers(category_id: int) -> list[Cover]:
    def load() -> list[Cover]:
        rows = (
            Coverage.objects.filter(category_id=category_id, organization__is_active=True)
            .select_related("service__organization")
            .prefetch_related("communes", "organization__communes")
        )
        return [
            Cover(
                pk=c.pk,
                listed=frozenset(x.pk for x in c.communes.all()),
                own=frozenset(x.pk for x in c.organization.communes.all()),
                service=c.service,
            )
            for c in rows
        ]

    return refcache.get(("reports.covers", category_id), load)
