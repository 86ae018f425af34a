"""The counter and itinerant-bus log: one row per appointment, no names. Dashboards
read per-dimension counts (`AppointmentFacet` per day, `AppointmentMonthFacet` per
month), kept up to date in the same transaction as each appointment, so that they stay
fast over millions of appointments."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cocon.voices.models import AgeBand, Occupation

#: Bounds of an appointment's duration, in minutes (a minute to a working day).
MIN_DURATION = 1
MAX_DURATION = 480


class Place(models.Model):
    """Where appointments happen: a fixed counter, or a stop of the itinerant bus."""

    class Kind(models.TextChoices):
        COUNTER = "counter", _("Counter")
        BUS_STOP = "bus_stop", _("Bus stop")

    organization = models.ForeignKey(
        "territory.Organization",
        verbose_name=_("organization running it"),
        on_delete=models.CASCADE,
        related_name="guichet_places",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=150)
    commune = models.ForeignKey(
        "territory.Commune", verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+"
    )
    schedule = models.CharField(
        _("schedule"), max_length=200, blank=True, help_text=_("E.g. « mardi 9 h – 12 h »")
    )
    agents = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agents"),
        blank=True,
        related_name="guichet_places",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("counter or bus stop")
        verbose_name_plural = _("counters and bus stops")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.commune})"


class Outcome(models.TextChoices):
    SOLVED = "solved", _("Solved on the spot")
    REFERRED = "referred", _("Referred to another service")
    QUESTION = "question", _("Question sent to a referent")
    FOLLOW_UP = "follow_up", _("Follow-up needed")


class Appointment(models.Model):
    organization = models.ForeignKey(
        "territory.Organization", on_delete=models.CASCADE, related_name="guichet_appointments"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="guichet_appointments",
    )
    place = models.ForeignKey(
        Place, verbose_name=_("place"), on_delete=models.PROTECT, related_name="appointments"
    )
    date = models.DateField(_("date"))
    duration = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        validators=[MinValueValidator(MIN_DURATION), MaxValueValidator(MAX_DURATION)],
    )
    age_band = models.CharField(_("age band"), max_length=5, choices=AgeBand.choices, blank=True)
    occupation = models.CharField(
        _("occupation"), max_length=20, choices=Occupation.choices, blank=True
    )
    residence = models.ForeignKey(
        "territory.Commune",
        verbose_name=_("commune of residence"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organizations = models.ManyToManyField(
        "territory.Organization",
        verbose_name=_("organizations concerned"),
        blank=True,
        related_name="+",
    )
    procedures = models.ManyToManyField(
        "guichet.Procedure", verbose_name=_("procedures"), blank=True, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["organization", "date"]),
            models.Index(fields=["place", "date"]),
            # the dashboard's notes of the period (about one appointment in twenty)
            models.Index(
                fields=["organization", "date", "id"],
                condition=~models.Q(note=""),
                name="guichet_appt_notes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.place} {self.duration} min"


class AppointmentFacet(models.Model):
    """One dimension of the appointments of a day at a place, counted on its own
    (outcome, age band, occupation, commune of residence, duration in minutes, procedure,
    organization concerned). A joint cell (day × place × profile × outcome) would hardly
    compress (about one row per appointment), so the dashboards read these margins: one
    small GROUP BY per page whatever the number of appointments. Kept in the same
    transaction as each appointment (`cocon.guichet.services_log`)."""

    class Dimension(models.TextChoices):
        OUTCOME = "outcome", _("outcome")
        AGE_BAND = "age", _("age band")
        OCCUPATION = "occupation", _("occupation")
        RESIDENCE = "residence", _("commune of residence")
        DURATION = "duration", _("duration (minutes)")
        PROCEDURE = "procedure", _("procedures")
        ORGANIZATION = "org", _("organizations concerned")

    organization = models.ForeignKey(
        "territory.Organization", on_delete=models.CASCADE, related_name="+"
    )
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    dimension = models.CharField(max_length=10, choices=Dimension.choices)
    # the value: a choice key, or the id of a commune / procedure / organization, or the
    # duration in minutes, as text
    value = models.CharField(max_length=20)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "place", "date", "dimension", "value"],
                name="guichet_facet_cell",
            )
        ]
        indexes = [
            models.Index(
                fields=["organization", "dimension", "date"], name="guichet_facet_dim_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.place_id} {self.dimension}={self.value} ×{self.count}"


class AppointmentMonthFacet(models.Model):
    """`AppointmentFacet` summed per month (`month` is its first day): a dashboard over a
    year reads twelve months instead of 365 days; only the days at the edges of the
    period come from the daily counts. Kept in the same transaction."""

    organization = models.ForeignKey(
        "territory.Organization", on_delete=models.CASCADE, related_name="+"
    )
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    dimension = models.CharField(max_length=10, choices=AppointmentFacet.Dimension.choices)
    value = models.CharField(max_length=20)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "place", "month", "dimension", "value"],
                name="guichet_month_facet_cell",
            )
        ]
        indexes = [
            models.Index(
                fields=["organization", "dimension", "month"], name="guichet_mfacet_dim_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.place_id} {self.dimension}={self.value} ×{self.count}"
