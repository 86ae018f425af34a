"""Signalements: a located problem in the public space (a pothole, a broken street lamp,
an illegal dump…).

A report *is* a voice (`voices.Voice`, kind "report"): it has the voice's reference,
text, service, status, history, answer, contact, photos and notifications, and shows in
the Paroles feeds with every other voice. This table only adds what a located problem
needs — its category, the point shown on the public map, the team sent on site, the
people who support it — plus copies of the voice's status and dates, kept in step by
`receivers.py`, so that the map and the Open311 lists never join the voices table.
"""

from __future__ import annotations

import math
import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Cast, Floor
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cocon.api.models import digest
from cocon.voices.models import OPEN_STATUSES, Status

# Map cells (selectors.map_data): a fixed grid in degrees, the same step across and
# down, as the map's cluster grid. A cell's row and column are floor(latitude or
# longitude × CELL_PER_DEG); its number packs both, `row * CELL_PACK + column +
# CELL_PACK // 2`.
CELL_PER_DEG = 400  # 1/400° ≈ 280 m north–south, ≈ 190 m east–west at 47°
CELL_PACK = 2**18  # > the 144,000 columns around the Earth


def _cell_expr():
    row = Floor(models.F("latitude") * CELL_PER_DEG)
    col = Floor(models.F("longitude") * CELL_PER_DEG)
    return Cast(row * CELL_PACK + col + CELL_PACK // 2, models.BigIntegerField())


def cell_of(latitude: float, longitude: float) -> int:
    """The number the database stores for this point (`Report.cell`)."""
    row = math.floor(latitude * CELL_PER_DEG)
    col = math.floor(longitude * CELL_PER_DEG)
    return row * CELL_PACK + col + CELL_PACK // 2


def cell_rows_cols(cell: int) -> tuple[int, int]:
    """(row, column) of a cell number."""
    return cell // CELL_PACK, cell % CELL_PACK - CELL_PACK // 2


class AttributeType(models.TextChoices):
    """Open311 `datatype` of an extra question."""

    STRING = "string", _("Short text")
    TEXT = "text", _("Long text")
    NUMBER = "number", _("Number")
    DATETIME = "datetime", _("Date and time")
    SINGLE = "singlevaluelist", _("One choice in a list")
    MULTI = "multivaluelist", _("Several choices in a list")


class Category(models.Model):
    """What kind of problem it is (voirie, éclairage…). Categories are shared by the
    organizations of a territory: residents choose what they see, not who is in
    charge; `Coverage` rows say which organization handles it where. The `code` is the
    Open311 `service_code`."""

    territory = models.ForeignKey(
        "territory.Territory", on_delete=models.CASCADE, related_name="report_categories"
    )
    code = models.SlugField(_("code"), max_length=60, help_text=_("Open311 service code."))
    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    group = models.CharField(_("group"), max_length=80, blank=True)
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    theme = models.ForeignKey(
        "voices.Theme",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The Paroles theme given to the voices of this category."),
    )
    sensitive = models.BooleanField(
        _("sensitive location"),
        default=False,
        help_text=_(
            "The public map shows these reports only to about 100 m "
            "(e.g. someone sleeping rough, a syringe near a school)."
        ),
    )
    is_active = models.BooleanField(_("open to new reports"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    # Extra questions (Open311 service definition): a list of
    # {"code", "description", "datatype", "required", "order", "values": [{"key","name"}]}
    attributes = models.JSONField(_("extra questions"), default=list, blank=True)

    class Meta:
        verbose_name = _("report category")
        verbose_name_plural = _("report categories")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "code"], name="category_code_per_territory"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_attributes(self) -> bool:
        return bool(self.attributes)


class Coverage(models.Model):
    """ "This organization handles this category on these communes, in this service."
    No commune listed means every commune of the organization (its member communes for
    an intercommunality, its own for a commune); when several organizations cover the
    same place the most specific declaration wins (listed communes, then the
    organization's communes, then territory-wide)."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="coverages")
    organization = models.ForeignKey(
        "territory.Organization", on_delete=models.CASCADE, related_name="report_coverages"
    )
    service = models.ForeignKey(
        "territory.Service", on_delete=models.CASCADE, related_name="report_coverages"
    )
    communes = models.ManyToManyField(
        "territory.Commune", blank=True, related_name="+", verbose_name=_("communes")
    )

    class Meta:
        verbose_name = _("category handled")
        verbose_name_plural = _("categories handled")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "organization"], name="one_coverage_per_org_category"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category} → {self.service}"


class Team(models.Model):
    """A field team reports are assigned to (voirie nord, propreté centre-ville…)."""

    service = models.ForeignKey(
        "territory.Service", on_delete=models.CASCADE, related_name="report_teams"
    )
    name = models.CharField(_("name"), max_length=120)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="report_teams"
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LocationPrecision(models.TextChoices):
    POINT = "point", _("Exact point")
    COMMUNE = "commune", _("Commune only")


def new_token() -> str:
    return secrets.token_hex(16)


class Report(models.Model):
    voice = models.OneToOneField(
        "voices.Voice", on_delete=models.CASCADE, primary_key=True, related_name="report"
    )
    territory = models.ForeignKey(
        "territory.Territory", on_delete=models.CASCADE, related_name="reports"
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="reports")
    # the point shown to the public: the exact one, or a cell centre for sensitive
    # categories, or the commune's centre when only the commune is known
    latitude = models.FloatField(_("latitude (public)"))
    longitude = models.FloatField(_("longitude (public)"))
    precision = models.CharField(
        max_length=10, choices=LocationPrecision.choices, default=LocationPrecision.POINT
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    attributes = models.JSONField(default=dict, blank=True)
    support_count = models.PositiveIntegerField(default=0)
    # Open311: the client application that sent it, and the token returned on POST
    client = models.ForeignKey(
        "reports.Open311Client",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    token = models.CharField(max_length=32, unique=True, default=new_token)
    media_url = models.URLField(blank=True, max_length=500)
    # copies of the voice, kept in step by receivers.py (see the module docstring)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    is_open = models.BooleanField(default=True)
    status_notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # the public point's map cell (see CELL_PER_DEG), computed by the database on every
    # insert and update, whatever the path (forms, Open311, bulk loads, SQL); the
    # triggers of migration 0003 keep `CellCount` in step from it
    cell = models.GeneratedField(
        expression=_cell_expr(), output_field=models.BigIntegerField(), db_persist=True
    )

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at", "-voice_id"]
        indexes = [
            models.Index(fields=["territory", "-created_at", "-voice"], name="report_recent"),
            models.Index(
                fields=["category", "-created_at", "-voice"], name="report_category_recent"
            ),
            # map (selectors.map_data): open reports in a box (the default map), then
            # every report in a box; status and voice make both scans index-only
            # (bench/reports_read.py, 500,000 reports)
            models.Index(
                fields=["territory", "is_open", "latitude", "longitude", "status", "voice"],
                name="report_map",
            ),
            models.Index(
                fields=["territory", "latitude", "longitude", "status", "voice"],
                name="report_map_all",
            ),
            # map clusters of a large area: the reports of the cells on the edge of the
            # view, checked point by point (CellCount counts the others)
            models.Index(
                fields=["territory", "cell", "latitude", "longitude", "status", "is_open"],
                name="report_cells",
            ),
            # Open311 `status=open` lists, with or without a service_code: the newest
            # open reports without sorting (about 10 % of the rows, hence partial)
            models.Index(
                fields=["territory", "-created_at", "-voice"],
                condition=models.Q(is_open=True),
                name="report_open_recent",
            ),
            models.Index(
                fields=["category", "-created_at", "-voice"],
                condition=models.Q(is_open=True),
                name="report_category_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voice.reference} — {self.category}"

    def sync_status(self, status: str, *, text: str = "", at=None) -> None:
        self.status = status
        self.is_open = status in OPEN_STATUSES
        if text:
            self.status_notes = text
        self.updated_at = at or timezone.now()


class CellCount(models.Model):
    """How many reports of a territory are in a map cell with a status: the map of a
    large area adds these up instead of counting hundreds of thousands of rows
    (selectors.map_data). Written only by database triggers on `reports_report`
    (migration 0003, PostgreSQL and SQLite), in the same transaction as the reports
    themselves, so the counts are exact whatever path wrote the reports (forms,
    Open311, bulk loads, raw SQL, deletions). On SQLite, a later migration that makes
    Django rebuild `reports_report` drops its triggers and must create them again
    (`create_triggers` of 0003); tests/reports/test_selectors_map.py would fail."""

    territory = models.ForeignKey(
        "territory.Territory",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,  # the unique constraint and cellcount_rows lead with it
    )
    status = models.CharField(max_length=20)
    cell = models.BigIntegerField()
    cell_row = models.IntegerField()
    cell_col = models.IntegerField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "cell", "status"], name="one_count_per_cell_status"
            )
        ]
        indexes = [
            models.Index(fields=["territory", "cell_row", "cell_col"], name="cellcount_rows")
        ]

    def __str__(self) -> str:
        return f"{self.cell} {self.status}: {self.n}"


class Support(models.Model):
    """ "Me too": one per person and report — an account, or a browser (hashed key)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    browser_key = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["report", "user"],
                condition=models.Q(user__isnull=False),
                name="one_support_per_user",
            ),
            models.UniqueConstraint(
                fields=["report", "browser_key"],
                condition=models.Q(user__isnull=True),
                name="one_support_per_browser",
            ),
        ]

    def __str__(self) -> str:
        return f"support of {self.report_id}"


class Open311Client(models.Model):
    """A client application allowed to POST through Open311 (a city app, a partner's
    website). Only a hash of its key is stored; the key is shown once, at creation."""

    territory = models.ForeignKey(
        "territory.Territory", on_delete=models.CASCADE, related_name="open311_clients"
    )
    name = models.CharField(_("name"), max_length=120)
    key_prefix = models.CharField(max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 client application")
        verbose_name_plural = _("Open311 client applications")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def issue(cls, *, territory, name: str) -> tuple[Open311Client, str]:
        """Create a client and return it with its raw key (shown once)."""
        raw = secrets.token_urlsafe(24)
        client = cls.objects.create(
            territory=territory, name=name.strip(), key_prefix=raw[:8], key_hash=digest(raw)
        )
        return client, raw

    @classmethod
    def find(cls, territory, raw: str) -> Open311Client | None:
        if not raw:
            return None
        # key_hash is unique: no ORDER BY (`.first()` would sort by name)
        found = cls.objects.filter(territory=territory, key_hash=digest(raw), is_active=True)
        return next(iter(found[:1]), None)
