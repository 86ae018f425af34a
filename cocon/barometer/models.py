"""Baromètre de satisfaction: per service, criteria that cross what users value with how
the service measures its own performance, survey waves answered anonymously, technical
indicator values and an action plan.

Privacy by design: a `Response` has no link to an account, an invitation or a contact.
Invitations only record *that* a code was used, on which day, never by which response;
responses keep the day of submission, not the time, so that the order of use of codes
cannot be matched with the order of responses.
"""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cocon.lib.population import AGE_BANDS, SEXES

#: Adults are surveyed: the 0-14 band of the territory's margins is left out.
SURVEY_AGE_BANDS: tuple[str, ...] = tuple(b for b in AGE_BANDS if b != "0-14")
#: The margin variables the waves are raked to (columns of the margins, in this order).
MARGIN_VARIABLES: tuple[str, ...] = ("age_band", "sex", "commune")
#: Column names of response files that cannot be criterion codes.
RESERVED_CODES = frozenset(("wave", "overall", "respondent_id", "occupation", *MARGIN_VARIABLES))


class Occupation(models.TextChoices):
    """INSEE's groups of socio-professional categories (PCS 2020, level 1) plus the
    inactive groups, as polling firms ask them."""

    FARMER = "agriculteur", _("Farmer")
    CRAFT = "artisan", _("Craftsperson, shopkeeper, business owner")
    MANAGER = "cadre", _("Manager, higher intellectual profession")
    INTERMEDIATE = "intermediaire", _("Intermediate profession")
    EMPLOYEE = "employe", _("Employee")
    WORKER = "ouvrier", _("Manual worker")
    RETIRED = "retraite", _("Retired")
    STUDENT = "etudiant", _("Student")
    OTHER = "autre", _("Other, not in work")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class Provenance(models.TextChoices):
    USERS = "users", _("Named by users")
    TECHNICAL = "technical", _("Technical criterion of the service")
    BOTH = "both", _("Crossed: named by users and measured by the service")


class Barometer(models.Model):
    """The satisfaction barometer of one service (eau, collecte des déchets, transports…)."""

    service = models.ForeignKey(
        "territory.Service",
        verbose_name=_("service"),
        on_delete=models.CASCADE,
        related_name="barometers",
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80)
    intro = models.TextField(
        _("presentation"), blank=True, help_text=_("Shown at the top of the public page.")
    )
    explanation = models.TextField(
        _("explanation by the service"),
        blank=True,
        help_text=_(
            "What the service explains to inhabitants about the results, e.g. why the water "
            "tastes of chlorine although it is safe."
        ),
    )
    first_round_open = models.BooleanField(
        _("first-round questionnaire open"),
        default=False,
        help_text=_("Inhabitants may say what matters to them in this service."),
    )
    first_round_question = models.CharField(
        _("first-round question"),
        max_length=300,
        blank=True,
        default="",
    )
    threshold = models.PositiveSmallIntegerField(
        _("satisfaction threshold"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("A score at or above it counts as satisfied."),
    )
    min_cell = models.PositiveSmallIntegerField(
        _("smallest published cell"),
        default=10,
        validators=[MinValueValidator(1)],
        help_text=_("Figures computed from fewer respondents are not published."),
    )
    trim = models.FloatField(
        _("weight trimming"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1.0)],
        help_text=_("Cap weights at this multiple of the mean weight (empty: no trimming)."),
    )
    is_published = models.BooleanField(_("public page published"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("barometer")
        verbose_name_plural = _("barometers")
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["service", "slug"], name="unique_barometer_slug")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def organization(self):
        return self.service.organization


class Criterion(models.Model):
    """One criterion of the final list (about ten): the users' wording and, when the
    service measures it, its technical counterpart."""

    barometer = models.ForeignKey(
        Barometer, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("barometer")
    )
    code = models.SlugField(
        _("code"),
        max_length=40,
        help_text=_("Column name in imported response files (letters, digits, - and _)."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    wording = models.CharField(_("wording for users"), max_length=300)
    theme = models.CharField(_("theme"), max_length=100, blank=True)
    indicator_name = models.CharField(_("technical indicator"), max_length=200, blank=True)
    indicator_unit = models.CharField(_("unit"), max_length=40, blank=True)
    direction = models.CharField(
        _("indicator direction"),
        max_length=10,
        choices=Direction.choices,
        default=Direction.HIGHER,
    )
    floor = models.FloatField(_("floor"), null=True, blank=True)
    target = models.FloatField(_("target"), null=True, blank=True)
    provenance = models.CharField(
        _("provenance"), max_length=10, choices=Provenance.choices, default=Provenance.USERS
    )
    provenance_note = models.TextField(
        _("provenance details"),
        blank=True,
        help_text=_("Which first-round answers and technical criteria it comes from."),
    )
    technical_source = models.ForeignKey(
        "TechnicalCriterion",
        verbose_name=_("technical criterion"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="criteria",
    )
    user_mentions = models.PositiveIntegerField(
        _("first-round mentions"), default=0, help_text=_("Users who named it in the first round.")
    )
    is_active = models.BooleanField(_("asked in new waves"), default=True)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["barometer", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["barometer", "code"], name="unique_criterion_code")
        ]

    def __str__(self) -> str:
        return self.wording

    @property
    def has_technical(self) -> bool:
        return bool(self.indicator_name) and self.floor is not None and self.target is not None

    def clean(self):
        if self.floor is not None and self.target is not None and self.floor == self.target:
            raise ValidationError({"target": _("The target must differ from the floor.")})
        if self.code in RESERVED_CODES:
            raise ValidationError({"code": _("This code is reserved for another column.")})


class FirstRoundAnswer(models.Model):
    """An anonymous answer to the open first-round questionnaire: what matters to the
    person in this service, in their own words, most important first."""

    barometer = models.ForeignKey(
        Barometer, on_delete=models.CASCADE, related_name="first_round_answers"
    )
    items = models.JSONField(_("what matters, most important first"), default=list)
    commune = models.ForeignKey(
        "territory.Commune", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_on = models.DateField(_("submitted on"), default=timezone.localdate)

    class Meta:
        verbose_name = _("first-round answer")
        verbose_name_plural = _("first-round answers")
        ordering = ["-submitted_on", "-pk"]

    def __str__(self) -> str:
        return "; ".join(self.items)[:80]


class TechnicalCriterion(models.Model):
    """A criterion on which the service judges its own technical performance, listed by
    its agents during construction."""

    barometer = models.ForeignKey(
        Barometer, on_delete=models.CASCADE, related_name="technical_criteria"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    indicator_name = models.CharField(_("indicator"), max_length=200)
    indicator_unit = models.CharField(_("unit"), max_length=40, blank=True)
    direction = models.CharField(
        _("indicator direction"),
        max_length=10,
        choices=Direction.choices,
        default=Direction.HIGHER,
    )
    floor = models.FloatField(_("floor"), null=True, blank=True)
    target = models.FloatField(_("target"), null=True, blank=True)
    proposed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("technical criterion")
        verbose_name_plural = _("technical criteria")
        ordering = ["barometer", "name"]

    def __str__(self) -> str:
        return self.name


class WaveStatus(models.TextChoices):
    DRAFT = "draft", _("In preparation")
    OPEN = "open", _("Open for answers")
    CLOSED = "closed", _("Closed")
    PUBLISHED = "published", _("Results published")


class Wave(models.Model):
    """One survey wave (e.g. « 2024 »): the criteria asked, its dates and its answers."""

    barometer = models.ForeignKey(
        Barometer, on_delete=models.CASCADE, related_name="waves", verbose_name=_("barometer")
    )
    label = models.CharField(_("label"), max_length=80, help_text=_("E.g. « Vague 2024 »."))
    code = models.SlugField(
        _("code"), max_length=40, help_text=_("Value of the « wave » column in imported files.")
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    status = models.CharField(
        _("status"), max_length=10, choices=WaveStatus.choices, default=WaveStatus.DRAFT
    )
    criteria = models.ManyToManyField(
        Criterion, verbose_name=_("criteria asked"), related_name="waves", blank=True
    )
    open_link = models.BooleanField(
        _("open link"),
        default=False,
        help_text=_("Anyone with the link may answer (no invitation code)."),
    )
    link_token = models.CharField(max_length=32, unique=True, editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("wave")
        verbose_name_plural = _("waves")
        ordering = ["barometer", "opens_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["barometer", "code"], name="unique_wave_code")
        ]

    def __str__(self) -> str:
        return f"{self.barometer} — {self.label}"

    def save(self, *args, **kwargs):
        if not self.link_token:
            self.link_token = secrets.token_urlsafe(18)[:24]
        super().save(*args, **kwargs)

    def clean(self):
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": _("The closing date is before the opening date.")})

    def is_answerable(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status == WaveStatus.OPEN and self.opens_on <= today <= self.closes_on


def hash_code(code: str) -> str:
    """Invitation codes are stored hashed: a leaked table does not let anyone answer."""
    normalized = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(normalized.encode()).hexdigest()


class Invitation(models.Model):
    """A single-use invitation code of a wave (drawn sample). Only its hash is kept; it
    records the day it was used, never which response it gave."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="invitations")
    code_hash = models.CharField(max_length=64, unique=True)
    batch = models.CharField(_("batch"), max_length=80, blank=True)
    used_on = models.DateField(_("used on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [models.Index(fields=["wave", "used_on"])]

    def __str__(self) -> str:
        return f"{self.wave} — {self.code_hash[:8]}"


class ResponseSource(models.TextChoices):
    INVITATION = "invitation", _("Online, invitation code")
    OPEN_LINK = "open_link", _("Online, open link")
    IMPORT = "import", _("Imported (polling firm)")


class Response(models.Model):
    """One anonymous respondent of a wave: profile and scores. No account, no invitation,
    no contact: nothing links it to a person."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="responses")
    source = models.CharField(max_length=12, choices=ResponseSource.choices)
    submitted_on = models.DateField(_("submitted on"), default=timezone.localdate)
    age_band = models.CharField(
        _("age band"), max_length=8, choices=[(b, b) for b in SURVEY_AGE_BANDS]
    )
    sex = models.CharField(_("sex"), max_length=1, choices=[(s, s) for s in SEXES])
    commune = models.ForeignKey(
        "territory.Commune",
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    occupation = models.CharField(
        _("occupation"), max_length=16, choices=Occupation.choices, blank=True
    )
    overall = models.PositiveSmallIntegerField(
        _("overall score"), null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    scores = models.JSONField(_("scores"), default=dict, help_text=_("criterion code → 0–10"))
    batch = models.ForeignKey(
        "ResponseImport", null=True, blank=True, on_delete=models.CASCADE, related_name="responses"
    )

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        indexes = [models.Index(fields=["wave", "source"])]

    def __str__(self) -> str:
        return f"{self.wave} #{self.pk}"


class ResponseImport(models.Model):
    """A file of responses collected by a polling firm, imported into a wave."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="imports")
    filename = models.CharField(_("file"), max_length=200)
    rows_imported = models.PositiveIntegerField(_("rows imported"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    imported_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("response import")
        verbose_name_plural = _("response imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename


class IndicatorSource(models.TextChoices):
    ENTERED = "entered", _("Entered")
    IMPORTED = "imported", _("Imported")


class IndicatorValue(models.Model):
    """The value of a criterion's technical indicator over one period."""

    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="indicator_values"
    )
    period = models.CharField(
        _("period"),
        max_length=20,
        help_text=_("Year (2025), quarter (2025-T2) or month (2025-06)."),
    )
    period_start = models.DateField(_("period start"))
    value = models.FloatField(_("value"))
    source = models.CharField(
        max_length=10, choices=IndicatorSource.choices, default=IndicatorSource.ENTERED
    )
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    entered_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["criterion", "period_start"]
        constraints = [
            models.UniqueConstraint(fields=["criterion", "period"], name="unique_indicator_period")
        ]

    def __str__(self) -> str:
        return f"{self.criterion} {self.period}: {self.value}"


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    ABANDONED = "abandoned", _("Abandoned")


class Action(models.Model):
    """An item of the action plan, attached to the criterion it should improve."""

    barometer = models.ForeignKey(Barometer, on_delete=models.CASCADE, related_name="actions")
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.CASCADE, related_name="actions"
    )
    title = models.CharField(_("action"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.CharField(
        _("owner"), max_length=200, help_text=_("Function or team in charge (no personal name).")
    )
    due_on = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    from_wave = models.ForeignKey(
        Wave,
        verbose_name=_("decided after wave"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
    )
    is_public = models.BooleanField(_("shown on the public page"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["barometer", "due_on", "pk"]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        if (
            self.criterion_id
            and self.barometer_id
            and self.criterion.barometer_id != self.barometer_id
        ):
            raise ValidationError({"criterion": _("This criterion belongs to another barometer.")})
