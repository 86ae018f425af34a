"""Charter of commitments of a process: versioned text, signatures, periodic revision.

A charter has numbered versions; only the latest *published* one can be signed. Publishing
a revision asks the signatories of the previous version to sign again: their old
signature stays valid for the old version (shown "to renew") and the new one points to
it (`renews`). A signature is never deleted: withdrawing dates it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ANONYMOUS_SIGNER = "Signataire anonyme"


class Charter(models.Model):
    process = models.OneToOneField(
        "processes.Process", on_delete=models.CASCADE, related_name="charter"
    )
    title = models.CharField(_("title"), max_length=200)
    revision_every_months = models.PositiveSmallIntegerField(
        _("revised every (months)"),
        default=24,
        help_text=_("The charter is reviewed periodically; the team is reminded on the date."),
    )
    next_revision_on = models.DateField(_("next revision on"), null=True, blank=True)
    # the revision date the managers were last reminded of (once per date)
    revision_reminded_on = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("charter of commitments")
        verbose_name_plural = _("charters of commitments")

    def __str__(self) -> str:
        return self.title


class CharterVersion(models.Model):
    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    text = models.TextField(
        _("text"),
        max_length=50000,
        help_text=_("Plain text; leave an empty line between paragraphs."),
    )
    note = models.TextField(_("what changed"), max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published on"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("charter version")
        verbose_name_plural = _("charter versions")
        ordering = ["charter", "number"]
        constraints = [
            models.UniqueConstraint(fields=["charter", "number"], name="charter_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.charter} v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.published_at is None


class SignerKind(models.TextChoices):
    INHABITANT = "inhabitant", _("Inhabitant")
    ASSOCIATION = "association", _("Association")
    ORGANIZATION = "organization", _("Public organization or service")


class Signature(models.Model):
    """One signature of one version. A person signs in their own name (inhabitant), or
    for an association or organization they administer (`organization`: who signed is
    `user`, the organization is the signatory)."""

    version = models.ForeignKey(CharterVersion, on_delete=models.CASCADE, related_name="signatures")
    signer_kind = models.CharField(_("signing as"), max_length=20, choices=SignerKind.choices)
    name = models.CharField(_("name shown"), max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="charter_signatures",
    )
    organization = models.ForeignKey(
        "territory.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="charter_signatures",
    )
    signed_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn on"), null=True, blank=True)
    withdrawal_reason = models.CharField(_("reason"), max_length=500, blank=True)
    renews = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="renewals",
        help_text="The signature of the previous version this one renews.",
    )

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["version", "signed_at", "pk"]
        constraints = [
            # safety nets under the service's checks: one active signature per person and
            # kind, one per organization, on a version
            models.UniqueConstraint(
                fields=["version", "user", "signer_kind"],
                condition=models.Q(withdrawn_at__isnull=True, organization__isnull=True),
                name="signature_unique_person",
            ),
            models.UniqueConstraint(
                fields=["version", "organization"],
                condition=models.Q(withdrawn_at__isnull=True, organization__isnull=False),
                name="signature_unique_organization",
            ),
        ]
        indexes = [models.Index(fields=["version", "signer_kind"], name="signature_kind_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None
