"""Reads of the charter of commitments. Each page costs a fixed number of queries,
whatever the number of signatures (counts are aggregated in the database)."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse

from cocon.processes.models import Process
from cocon.processes.models.charter import Charter, CharterVersion, Signature, SignerKind
from cocon.territory.selectors import current_territory


def process_by_slug(slug: str) -> Process | None:
    """The process with what the permission rules read (no query in the rules)."""
    territory = current_territory()
    if territory is None:
        return None
    return (
        Process.objects.select_related("organization")
        .prefetch_related("organizations", "animateurs")
        .filter(territory=territory, slug=slug)
        .first()
    )


def charter_of(process) -> Charter | None:
    """The process's charter, pointing at the already loaded process (the rules read it)."""
    charter = Charter.objects.filter(process=process).first()
    if charter is not None:
        charter.process = process
    return charter


def versions(charter: Charter) -> list[CharterVersion]:
    """Every version, newest first, with `active_count` (signatures not withdrawn)."""
    return list(
        charter.versions.annotate(
            active_count=Count("signatures", filter=Q(signatures__withdrawn_at__isnull=True))
        ).order_by("-number")
    )


def signatures(version: CharterVersion) -> list[Signature]:
    """Signatures of a version, withdrawn ones included (shown as such), oldest first."""
    return list(
        version.signatures.only(
            "pk",
            "version_id",
            "signer_kind",
            "name",
            "user_id",
            "organization_id",
            "signed_at",
            "withdrawn_at",
            "withdrawal_reason",
            "renews_id",
        ).order_by("signed_at", "pk")
    )


def counts_by_kind(rows: list[Signature]) -> list[tuple[str, str, int]]:
    """(kind, label, number of active signatures) for every kind, from loaded rows."""
    counts = dict.fromkeys(SignerKind.values, 0)
    for row in rows:
        if row.withdrawn_at is None:
            counts[row.signer_kind] += 1
    return [(kind, label, counts[kind]) for kind, label in SignerKind.choices]


def to_renew(previous: CharterVersion | None, current: CharterVersion) -> list[Signature]:
    """Active signatures of the previous version not yet renewed on the current one: still
    valid for the previous version, shown "to renew"."""
    if previous is None:
        return []
    renewed = Signature.objects.filter(
        version=current, renews=OuterRef("pk"), withdrawn_at__isnull=True
    )
    return list(
        previous.signatures.filter(withdrawn_at__isnull=True)
        .exclude(Exists(renewed))
        .order_by("signed_at", "pk")
    )


def public_section(process, user) -> dict:
    """Context for `processes/charter/_public.html` on the public process page: the
    current version and its signature counts by kind (two queries; none shown without a
    published version)."""
    version = (
        CharterVersion.objects.select_related("charter")
        .filter(charter__process=process, published_at__isnull=False)
        .order_by("-number")
        .first()
    )
    if version is None:
        return {}
    rows = dict(
        version.signatures.filter(withdrawn_at__isnull=True)
        .values_list("signer_kind")
        .annotate(n=Count("pk"))
        .values_list("signer_kind", "n")
    )
    return {
        "charter_version": version,
        "charter_title": version.charter.title,
        "charter_counts": [(kind, label, rows.get(kind, 0)) for kind, label in SignerKind.choices],
        "charter_total": sum(rows.values()),
        "charter_url": reverse("processes:charter", args=[process.slug]),
    }
