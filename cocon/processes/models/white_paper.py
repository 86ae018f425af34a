"""The white paper (livre blanc) of a process: an editable introduction and conclusion
around a document generated from the process, frozen in numbered versions.

A version's `html` is the snapshot of the generated document (never regenerated); its
`pdf` is rendered from that snapshot on the first download and stored, so every later
download gets the very same bytes. Once handed over to the élus a version is frozen
and public (when the process is).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WhitePaper(models.Model):
    process = models.OneToOneField(
        "processes.Process", on_delete=models.CASCADE, related_name="white_paper"
    )
    introduction = models.TextField(_("introduction"), max_length=20000, blank=True)
    conclusion = models.TextField(_("conclusion"), max_length=20000, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("white paper")
        verbose_name_plural = _("white papers")

    def __str__(self) -> str:
        return f"{self.process}"


class WhitePaperVersion(models.Model):
    white_paper = models.ForeignKey(WhitePaper, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    html = models.TextField(editable=False)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    pdf_pages = models.PositiveIntegerField(null=True, blank=True, editable=False)
    note = models.CharField(_("note on this version"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    handed_to_elus_on = models.DateField(_("handed over to the élus on"), null=True, blank=True)
    handed_by_label = models.CharField(
        _("handed over by"),
        max_length=250,
        blank=True,
        help_text=_("E.g. « les habitants du comité de quartier »."),
    )
    handed_over_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    published = models.BooleanField(_("published"), default=False)

    class Meta:
        verbose_name = _("white paper version")
        verbose_name_plural = _("white paper versions")
        ordering = ["white_paper", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["white_paper", "number"], name="white_paper_version_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.white_paper} v{self.number}"

    @property
    def is_handed_over(self) -> bool:
        return self.handed_to_elus_on is not None

    @property
    def is_frozen(self) -> bool:
        return self.is_handed_over
