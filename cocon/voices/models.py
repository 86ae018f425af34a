"""Paroles: one piece of user voice, captured by the person or relayed by an agent,
routed to the competent service and answered back.

Contact data (to send the answer) and the person's profile (for representativeness)
live in separate tables: the first is erased on schedule after closure, the second is
only ever read in aggregate.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TEXT_MAX = 5000
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at a counter
TRACKING_ALPHABET = "23456789"


class Kind(models.TextChoices):
    TESTIMONY = "testimony", _("Testimony")
    SUGGESTION = "suggestion", _("Suggestion")
    ALERT = "alert", _("Worry or alert")
    COMPLAINT = "complaint", _("Complaint")
    THANKS = "thanks", _("Thanks")
    QUESTION = "question", _("Question")
    OBSERVATION = "observation", _("Field observation")
    # a located problem in the public space (module Signalements: cocon.reports)
    REPORT = "report", _("Report")


class Channel(models.TextChoices):
    WEB = "web", _("Website")
    COUNTER = "counter", _("Counter")
    PHONE = "phone", _("Phone")
    MAIL = "mail", _("Mail or email")
    FIELD_WALK = "field_walk", _("Field walk")
    MARAUDE = "maraude", _("Maraude")
    BUS = "bus", _("Itinerant bus")
    WORKSHOP = "workshop", _("Workshop")
    APP = "app", _("Partner application (Open311)")
    OTHER = "other", _("Other")


class CaptureMode(models.TextChoices):
    SELF = "self", _("Said by the person")
    RELAYED = "relayed", _("Relayed by an agent")
    OBSERVATION = "observation", _("Agent's own observation")


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    # the two steps of a report's repair (cocon.reports); voices go straight to "answered"
    SCHEDULED = "scheduled", _("Action scheduled")
    FIXED = "fixed", _("Fixed")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Merged")
    NOT_FOR_US = "not_for_us", _("Not for us (referred)")


OPEN_STATUSES = (Status.RECEIVED, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.SCHEDULED)
FINAL_STATUSES = (Status.CLOSED, Status.MERGED, Status.NOT_FOR_US)


SEX_CHOICES = [("F", _("Woman")), ("M", _("Man"))]


class AgeBand(models.TextChoices):
    A15 = "15-29", _("15 to 29")
    A30 = "30-44", _("30 to 44")
    A45 = "45-59", _("45 to 59")
    A60 = "60-74", _("60 to 74")
    A75 = "75+", _("75 and over")


class Occupation(models.TextChoices):
    FARMER = "farmer", _("Farmer")
    SELF_EMPLOYED = "self_employed", _("Craftsperson, trader, business owner")
    EXECUTIVE = "executive", _("Executive, higher intellectual profession")
    INTERMEDIATE = "intermediate", _("Intermediate profession")
    EMPLOYEE = "employee", _("Employee")
    WORKER = "worker", _("Manual worker")
    RETIRED = "retired", _("Retired")
    STUDENT = "student", _("Student")
    JOBSEEKER = "jobseeker", _("Job seeker")
    OTHER = "other", _("Other, no occupation")


class Theme(models.Model):
    """A subject of public action, shared by the organizations of a territory, with the
    keywords that suggest it from a text."""

    territory = models.ForeignKey(
        "territory.Territory", on_delete=models.CASCADE, related_name="themes"
    )
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"))
    keywords = models.TextField(
        _("keywords"), blank=True, help_text=_("Comma-separated words or phrases.")
    )

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["territory", "slug"], name="theme_slug_per_territory")
        ]

    def __str__(self) -> str:
        return self.name

    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.split(",") if k.strip()]


class RoutingRule(models.Model):
    """ "A voice of this kind about this theme goes to this service." Empty kind or theme
    means any; the most specific matching rule wins."""

    organization = models.ForeignKey(
        "territory.Organization", on_delete=models.CASCADE, related_name="routing_rules"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, blank=True)
    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    service = models.ForeignKey(
        "territory.Service", on_delete=models.CASCADE, related_name="routing_rules"
    )

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        # two partial constraints rather than nulls_distinct=False, which SQLite lacks
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "theme"],
                condition=models.Q(theme__isnull=False),
                name="one_route_per_kind_theme",
            ),
            models.UniqueConstraint(
                fields=["organization", "kind"],
                condition=models.Q(theme__isnull=True),
                name="one_route_per_kind_any_theme",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind or '*'} / {self.theme or '*'} → {self.service}"

    @property
    def specificity(self) -> int:
        return (2 if self.theme_id else 0) + (1 if self.kind else 0)


class Commitment(models.Model):
    """A service's response-time commitment, in working days (French public holidays)."""

    service = models.OneToOneField(
        "territory.Service", on_delete=models.CASCADE, related_name="voice_commitment"
    )
    acknowledge_days = models.PositiveSmallIntegerField(
        _("acknowledge within (working days)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    answer_days = models.PositiveSmallIntegerField(
        _("answer within (working days)"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )

    class Meta:
        verbose_name = _("response-time commitment")
        verbose_name_plural = _("response-time commitments")

    def __str__(self) -> str:
        return f"{self.service}: {self.acknowledge_days}/{self.answer_days}"


DEFAULT_ACKNOWLEDGE_DAYS = 2
DEFAULT_ANSWER_DAYS = 15


def new_reference() -> str:
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{body[:4]}-{body[4:]}"


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(8))


def tracking_digest(reference: str, code: str) -> str:
    material = f"{settings.SECRET_KEY}:{reference}:{code.strip()}".encode()
    return hashlib.sha256(material).hexdigest()


class Voice(models.Model):
    reference = models.CharField(_("reference"), max_length=9, unique=True, default=new_reference)
    tracking_digest = models.CharField(max_length=64, editable=False)
    territory = models.ForeignKey(
        "territory.Territory", on_delete=models.CASCADE, related_name="voices"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("text"), max_length=TEXT_MAX)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    capture_mode = models.CharField(
        _("captured"), max_length=20, choices=CaptureMode.choices, default=CaptureMode.SELF
    )
    organization = models.ForeignKey(
        "territory.Organization", on_delete=models.PROTECT, related_name="voices"
    )
    service = models.ForeignKey(
        "territory.Service", on_delete=models.PROTECT, related_name="voices"
    )
    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.SET_NULL, related_name="voices"
    )
    commune = models.ForeignKey(
        "territory.Commune", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    event_date = models.DateField(_("date of the event"), null=True, blank=True)
    author = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="voices",
        help_text=_("The person who speaks, when they have an account."),
    )
    relay = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="relayed_voices",
        help_text=_("The agent who captured the voice."),
    )
    relay_organization = models.ForeignKey(
        "territory.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    created_at = models.DateTimeField(_("received on"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    acknowledge_due = models.DateTimeField(_("acknowledgement due"))
    answer_due = models.DateTimeField(_("answer due"))
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answer_signature = models.CharField(_("signed"), max_length=250, blank=True)
    answer_signed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_voices"
    )
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("voice")
        verbose_name_plural = _("voices")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["service", "-created_at", "-id"], name="voice_service_feed"),
            models.Index(fields=["organization", "-created_at", "-id"], name="voice_org_feed"),
            models.Index(fields=["relay", "-created_at", "-id"], name="voice_relay_feed"),
            models.Index(fields=["author", "-created_at"], name="voice_author"),
            models.Index(fields=["service", "status", "answer_due"], name="voice_service_due"),
            models.Index(fields=["-created_at", "-id"], name="voice_recent"),
            # feed counts (selectors.feed_counts, docs/benchmarks.md): index-only scans
            # per status with the usual filters (kind, relayed). Few distinct keys, so
            # PostgreSQL deduplicates them: 7 MB each for a million voices. The due
            # dates, for the overdue count, only on the open voices (partial indexes).
            models.Index(
                fields=["service", "status", "kind", "capture_mode"], name="voice_service_counts"
            ),
            models.Index(
                fields=["organization", "status", "kind", "capture_mode"], name="voice_org_counts"
            ),
            models.Index(
                fields=[
                    "service",
                    "status",
                    "kind",
                    "capture_mode",
                    "acknowledge_due",
                    "answer_due",
                ],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="voice_service_open",
            ),
            models.Index(
                fields=[
                    "organization",
                    "status",
                    "kind",
                    "capture_mode",
                    "acknowledge_due",
                    "answer_due",
                ],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="voice_org_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_kind_display()})"

    def get_absolute_url(self) -> str:
        return reverse("voices:detail", args=[self.reference])

    def set_tracking_code(self) -> str:
        code = new_tracking_code()
        self.tracking_digest = tracking_digest(self.reference, code)
        return code

    def check_tracking_code(self, code: str) -> bool:
        if not self.tracking_digest:
            return False
        return secrets.compare_digest(self.tracking_digest, tracking_digest(self.reference, code))

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_relayed(self) -> bool:
        return self.capture_mode != CaptureMode.SELF

    def overdue(self, now=None) -> str:
        """ "acknowledge", "answer" or "" — which commitment is missed right now."""
        now = now or timezone.now()
        if self.status == Status.RECEIVED and self.acknowledge_due < now:
            return "acknowledge"
        if self.status in OPEN_STATUSES and self.answer_due < now:
            return "answer"
        return ""


class VoiceContact(models.Model):
    """How to reach the person with the answer. Given with explicit consent, erased
    `retention` months after closure (`cocon voices purge-contacts`)."""

    voice = models.OneToOneField(Voice, on_delete=models.CASCADE, related_name="contact")
    name = models.CharField(_("name"), max_length=150, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    consent_at = models.DateTimeField()
    erase_after = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("contact for the answer")
        verbose_name_plural = _("contacts for the answer")

    def __str__(self) -> str:
        return f"contact of {self.voice_id}"


class VoiceProfile(models.Model):
    """Who spoke, in broad categories, given with consent; read only in aggregate."""

    voice = models.OneToOneField(Voice, on_delete=models.CASCADE, related_name="profile")
    age_band = models.CharField(_("age band"), max_length=5, choices=AgeBand.choices, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=SEX_CHOICES, blank=True)
    commune = models.ForeignKey(
        "territory.Commune", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    occupation = models.CharField(
        _("occupation"), max_length=20, choices=Occupation.choices, blank=True
    )

    class Meta:
        verbose_name = _("profile of the person")
        verbose_name_plural = _("profiles of the people")

    def __str__(self) -> str:
        return f"profile of {self.voice_id}"


class VoiceShare(models.Model):
    """A voice shared with another service, which then sees it in its feed."""

    voice = models.ForeignKey(Voice, on_delete=models.CASCADE, related_name="shares")
    service = models.ForeignKey(
        "territory.Service", on_delete=models.CASCADE, related_name="shared_voices"
    )
    shared_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("voice shared with a service")
        verbose_name_plural = _("voices shared with services")
        constraints = [
            models.UniqueConstraint(fields=["voice", "service"], name="share_voice_once")
        ]

    def __str__(self) -> str:
        return f"{self.voice_id} → {self.service_id}"
