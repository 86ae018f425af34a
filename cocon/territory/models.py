"""Territory (bassin de vie) → member organizations → directions → services; communes
with their population margins; sharing between organizations of one territory."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from cocon.lib import colors
from cocon.lib.population import AGE_BANDS, SEXES

hex_color = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB, e.g. #1F4E79."))
insee_code = RegexValidator(
    r"^(\d{2}|2A|2B)\d{3}$", _("An INSEE commune code has 5 characters, e.g. 38563.")
)


class Territory(models.Model):
    """A bassin de vie: the communes and the organizations that serve them."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), unique=True)
    description = models.TextField(_("description"), blank=True)
    host_organization = models.ForeignKey(
        "Organization",
        verbose_name=_("host organization"),
        help_text=_("Its logo and colours frame the territory's pages."),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("territory")
        verbose_name_plural = _("territories")

    def __str__(self) -> str:
        return self.name

    @property
    def population(self) -> int:
        return self.communes.aggregate(total=models.Sum("population"))["total"] or 0


class Commune(models.Model):
    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="communes")
    insee_code = models.CharField(
        _("INSEE code"), max_length=5, unique=True, validators=[insee_code]
    )
    name = models.CharField(_("name"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    population = models.PositiveIntegerField(_("population"), default=0)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.insee_code})"


class PopulationMargin(models.Model):
    """Residents of one commune in one age band and sex (census counts)."""

    AGE_BAND_CHOICES = [(band, band) for band in AGE_BANDS]
    SEX_CHOICES = [("F", _("Women")), ("M", _("Men"))]

    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="margins")
    age_band = models.CharField(_("age band"), max_length=5, choices=AGE_BAND_CHOICES)
    sex = models.CharField(_("sex"), max_length=1, choices=SEX_CHOICES)
    population = models.PositiveIntegerField(_("population"))

    class Meta:
        verbose_name = _("population margin")
        verbose_name_plural = _("population margins")
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "age_band", "sex"], name="unique_margin_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.commune.insee_code} {self.age_band} {self.sex}: {self.population}"


assert set(SEXES) == {code for code, _label in PopulationMargin.SEX_CHOICES}


class OrganizationKind(models.TextChoices):
    COMMUNE = "commune", _("Commune")
    EPCI = "epci", _("Intercommunality (EPCI)")
    DEPARTEMENT = "departement", _("Département")
    REGION = "region", _("Région")
    STATE = "state", _("State service")
    SOCIAL_OPERATOR = "operator", _("Public operator (CAF, CPAM, France Travail, La Poste…)")
    CCAS = "ccas", _("CCAS (municipal social action centre)")
    ASSOCIATION = "association", _("Association")


CONTRAST_MESSAGES = {
    "primary_on_white": _(
        "Insufficient contrast between the main colour %(primary)s and white: "
        "%(ratio)s:1, at least 4.5:1 is required (WCAG AA). Choose a darker shade."
    ),
    "text_on_accent": _(
        "Insufficient contrast between the text and the accent colour %(accent)s: "
        "%(ratio)s:1, at least 4.5:1 is required (WCAG AA). Choose a lighter shade."
    ),
    "primary_on_accent": _(
        "Insufficient contrast between the main colour %(primary)s and the accent colour "
        "%(accent)s: %(ratio)s:1, at least 4.5:1 is required (WCAG AA). Lighten the accent "
        "colour or darken the main colour."
    ),
}


class Organization(models.Model):
    """A member organization of the territory, with its own look (logo, two colours)."""

    DEFAULT_PRIMARY = "#1f4e79"
    DEFAULT_ACCENT = "#e8f0f7"

    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="organizations")
    kind = models.CharField(_("kind"), max_length=20, choices=OrganizationKind.choices)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    slug = models.SlugField(_("slug"), unique=True)
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("public email"), blank=True)
    phone = models.CharField(_("public phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    seat = models.ForeignKey(
        Commune,
        verbose_name=_("seat commune"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="seated_organizations",
    )
    communes = models.ManyToManyField(
        Commune,
        verbose_name=_("communes served"),
        blank=True,
        related_name="organizations",
    )
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    primary_color = models.CharField(
        _("main colour"), max_length=7, default=DEFAULT_PRIMARY, validators=[hex_color]
    )
    accent_color = models.CharField(
        _("accent colour"), max_length=7, default=DEFAULT_ACCENT, validators=[hex_color]
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def clean(self):
        errors: dict[str, str] = {}
        for field, code, ratio in colors.theme_problems(self.primary_color, self.accent_color):
            errors[field] = CONTRAST_MESSAGES[code] % {
                "primary": self.primary_color,
                "accent": self.accent_color,
                "ratio": formats.number_format(ratio, 2),
            }
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("territory:organization", args=[self.slug])

    @property
    def theme_version(self) -> str:
        return str(int(self.updated_at.timestamp() * 1_000_000)) if self.updated_at else "0"


class Direction(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="directions"
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("direction")
        verbose_name_plural = _("directions")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "slug"], name="unique_direction_slug")
        ]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="services"
    )
    direction = models.ForeignKey(
        Direction,
        verbose_name=_("direction"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="services",
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"))
    mission = models.TextField(_("mission"), blank=True)
    email = models.EmailField(_("public email"), blank=True)
    phone = models.CharField(_("public phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    is_public = models.BooleanField(
        _("listed publicly"),
        default=True,
        help_text=_("Internal services (human resources…) are only shown to agents."),
    )
    internal_email = models.EmailField(_("internal email"), blank=True)
    internal_phone = models.CharField(_("internal phone"), max_length=30, blank=True)
    internal_notes = models.TextField(_("internal notes"), blank=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "slug"], name="unique_service_slug")
        ]

    def __str__(self) -> str:
        return f"{self.name} — {self.organization.display_name}"

    def clean(self):
        if self.direction_id and self.direction.organization_id != self.organization_id:
            raise ValidationError(
                {"direction": _("This direction belongs to another organization.")}
            )

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("territory:service", args=[self.organization.slug, self.slug])

    def is_open_at(self, when: dt.datetime | None = None) -> bool:
        """Uses prefetched opening_hours when available (no extra query in lists)."""
        when = timezone.localtime(when or timezone.now())
        moment = when.time()
        return any(
            slot.weekday == when.weekday() and slot.opens <= moment < slot.closes
            for slot in self.opening_hours.all()
        )


class OpeningHours(models.Model):
    WEEKDAYS = [
        (0, _("Monday")),
        (1, _("Tuesday")),
        (2, _("Wednesday")),
        (3, _("Thursday")),
        (4, _("Friday")),
        (5, _("Saturday")),
        (6, _("Sunday")),
    ]
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=WEEKDAYS)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens__lt=models.F("closes")), name="opening_before_closing"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class ShareScope(models.TextChoices):
    DIRECTORY = "directory", _("Agent directory and internal contacts")
    SERVICES = "services", _("Services (partners may route requests to them)")
    DATA = "data", _("Internal data of all modules (read)")


class Share(models.Model):
    """Organization `owner` opens part of its internal data to `partner` (same territory)."""

    owner = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="shares_given")
    partner = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="shares_received"
    )
    scope = models.CharField(_("what is shared"), max_length=20, choices=ShareScope.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("share")
        verbose_name_plural = _("shares")
        constraints = [
            models.UniqueConstraint(fields=["owner", "partner", "scope"], name="unique_share"),
            models.CheckConstraint(
                condition=~models.Q(owner=models.F("partner")), name="share_not_with_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.owner} → {self.partner}: {self.get_scope_display()}"

    def clean(self):
        if self.owner_id and self.partner_id:
            if self.owner_id == self.partner_id:
                raise ValidationError(_("An organization cannot share with itself."))
            if self.owner.territory_id != self.partner.territory_id:
                raise ValidationError(
                    _("Sharing is only possible between organizations of the same territory.")
                )
