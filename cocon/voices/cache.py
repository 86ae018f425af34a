"""Reference data of Paroles kept per process (`cocon.core.refcache`): themes with their
keywords, routing rules, commitments, and the services, organizations and communes a
capture names. A capture reads them on every request; they change a few times a year.

Emptied in this process as soon as one of the models below is saved or deleted (and
when that transaction commits); at most `refcache.ttl()` seconds (30) stale in the other
processes. The objects are shared between threads: read-only.
"""

from __future__ import annotations

from cocon.core import refcache
from cocon.territory.models import Commune, Organization, Service, Territory
from cocon.voices.models import Commitment, RoutingRule, Theme

refcache.watch(Territory, Organization, Service, Commune, Theme, RoutingRule, Commitment)


def themes(territory_id: int) -> dict[Theme, list[str]]:
    """Themes of the territory (in their order: name) → their keywords, split once."""

    def load():
        return {t: t.keyword_list() for t in Theme.objects.filter(territory_id=territory_id)}

    return refcache.get(("voices.themes", territory_id), load)


def theme_by_slug(territory_id: int, slug: str) -> Theme | None:
    for theme in themes(territory_id):
        if theme.slug == slug:
            return theme
    return None


def rules(territory_id: int) -> list[RoutingRule]:
    """Routing rules of the territory's active organizations, with service (and its
    organization) and theme."""

    def load():
        return list(
            RoutingRule.objects.filter(
                organization__territory_id=territory_id, organization__is_active=True
            ).select_related("service__organization", "theme")
        )

    return refcache.get(("voices.rules", territory_id), load)


def commitments() -> dict[int, tuple[int, int]]:
    """service id → (acknowledge days, answer days), for the services that set them."""

    def load():
        return {
            service_id: (ack, answer)
            for service_id, ack, answer in Commitment.objects.values_list(
                "service_id", "acknowledge_days", "answer_days"
            )
        }

    return refcache.get("voices.commitments", load)


def service(pk: int) -> Service | None:
    """A service with its organization (any territory: the caller checks)."""
    return refcache.get(
        ("voices.service", pk),
        lambda: Service.objects.select_related("organization").filter(pk=pk).first(),
        keep=lambda s: s is not None,
    )


def organization(territory_id: int, slug: str) -> Organization | None:
    return refcache.get(
        ("voices.organization", territory_id, slug),
        lambda: Organization.objects.filter(slug=slug, territory_id=territory_id).first(),
        keep=lambda o: o is not None,
    )


def commune(territory_id: int, insee_code: str) -> Commune | None:
    return refcache.get(
        ("voices.commune", territory_id, insee_code),
        lambda: Commune.objects.filter(territory_id=territory_id, insee_code=insee_code).first(),
        keep=lambda c: c is not None,
    )
