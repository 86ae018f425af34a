"""What the charter of commitments holds about a person: their signatures.

On erasure, a signature in a person's own name (inhabitant, or an association signed
without an organization account) stays counted but becomes "Signataire anonyme" with no
user; a signature in the name of an organization is the organization's official act: it
stays as it is (the account link disappears with the account)."""

from __future__ import annotations

from cocon.core.gdpr import register_eraser, register_exporter


@register_exporter("processes_charter")
def export_charter(user):
    from cocon.processes.models.charter import Signature

    rows = (
        Signature.objects.filter(user=user)
        .select_related("version__charter__process", "organization")
        .order_by("signed_at", "pk")
    )
    return [
        {
            "process": s.version.charter.process.title,
            "charter": s.version.charter.title,
            "version": s.version.number,
            "signing_as": s.signer_kind,
            "name": s.name,
            "organization": s.organization.name if s.organization else None,
            "signed_at": s.signed_at.isoformat(),
            "withdrawn_at": s.withdrawn_at.isoformat() if s.withdrawn_at else None,
            "withdrawal_reason": s.withdrawal_reason,
        }
        for s in rows
    ]


@register_eraser("processes_charter")
def erase_charter(user):
    from cocon.processes.models.charter import ANONYMOUS_SIGNER, Signature

    Signature.objects.filter(user=user, organization__isnull=True).update(
        name=ANONYMOUS_SIGNER, user=None, withdrawal_reason=""
    )
