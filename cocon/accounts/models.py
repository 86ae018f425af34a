"""People: accounts with email login, agent profiles, and roles held per organization."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email, password=None, **fields):
        fields["is_staff"] = True
        fields["is_superuser"] = True
        return self._create(email, password, **fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone with an account: usager, agent, élu… Roles come from AgentProfile and Role.

    `is_superuser` is the platform administrator (role "admin" of PRODUCT.md at
    platform level); organization administrators hold a Role of kind ADMIN instead.
    """

    LANGUAGES = [("fr", "Français"), ("en", "English")]

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    language = models.CharField(_("language"), max_length=5, choices=LANGUAGES, default="fr")
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("Django admin access"),
        default=False,
        help_text=_("May log into the technical administration (platform administrators)."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    email_verified_at = models.DateTimeField(_("email verified at"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def grants(self):
        """What this person may do, computed once per request (see accounts.grants)."""
        from cocon.accounts.grants import Grants

        cached = getattr(self, "_grants", None)
        if cached is None:
            cached = self._grants = Grants.for_user(self)
        return cached

    def forget_grants(self) -> None:
        self.__dict__.pop("_grants", None)


class Category(models.TextChoices):
    A = "A", _("Category A")
    B = "B", _("Category B")
    C = "C", _("Category C")
    OTHER = "-", _("Other status (contract, partner staff)")


class AgentProfile(models.Model):
    """Makes a user an agent of one organization. The category never limits what an
    agent may say or propose ("tous à égalité"); it is kept for representativeness."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="agent_profile")
    organization = models.ForeignKey(
        "territory.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="agents",
    )
    service = models.ForeignKey(
        "territory.Service",
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agents",
    )
    job_title = models.CharField(_("job title"), max_length=150)
    category = models.CharField(_("category"), max_length=1, choices=Category.choices)
    front_line = models.BooleanField(
        _("front-line agent"), default=False, help_text=_("In direct contact with users.")
    )
    peer_worker = models.BooleanField(
        _("peer worker"),
        default=False,
        help_text=_("Recruited for lived experience of the users' situation (travailleur pair)."),
    )

    class Meta:
        verbose_name = _("agent profile")
        verbose_name_plural = _("agent profiles")

    def __str__(self) -> str:
        return f"{self.user} — {self.job_title}"

    def clean(self):
        if self.service_id and self.service.organization_id != self.organization_id:
            raise ValidationError({"service": _("This service belongs to another organization.")})


class RoleKind(models.TextChoices):
    MANAGER = "manager", _("Manager (head of team or service)")
    DIRECTION = "direction", _("Direction (DGS, DGA, director)")
    ELU = "elu", _("Elected official (élu)")
    EXPERT = "expert", _("Expert / référent (démineur)")
    ANIMATEUR = "animateur", _("Participation facilitator (animateur)")
    ADMIN = "admin", _("Organization administrator")


class Role(models.Model):
    """A role held in one organization, scoped where it makes sense.

    manager: the services managed · direction: one direction, or the whole organization
    when empty · élu: the delegation (title) and the services it covers · expert: topics.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    organization = models.ForeignKey(
        "territory.Organization",
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="roles",
    )
    kind = models.CharField(_("role"), max_length=20, choices=RoleKind.choices)
    title = models.CharField(
        _("title or delegation"),
        max_length=200,
        blank=True,
        help_text=_("E.g. « Vice-président délégué à l'eau et à l'assainissement »."),
    )
    direction = models.ForeignKey(
        "territory.Direction",
        verbose_name=_("direction"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="roles",
    )
    services = models.ManyToManyField(
        "territory.Service", verbose_name=_("services"), blank=True, related_name="roles"
    )
    topics = models.CharField(
        _("topics"), max_length=300, blank=True, help_text=_("Comma-separated, for experts.")
    )
    starts_on = models.DateField(_("starts on"), default=timezone.localdate)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["organization__name", "kind"]
        indexes = [models.Index(fields=["user", "kind"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_kind_display()} — {self.organization.display_name}"

    def clean(self):
        if self.direction_id and self.direction.organization_id != self.organization_id:
            raise ValidationError(
                {"direction": _("This direction belongs to another organization.")}
            )
        if self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end date is before the start date.")})

    @property
    def topic_list(self) -> list[str]:
        return [t.strip() for t in self.topics.split(",") if t.strip()]

    def is_current(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.starts_on <= today and (self.ends_on is None or self.ends_on >= today)
