"""Writes of the charter of commitments: versions, publication, signatures, revision.

The views check `processes.manage` (versions) and `processes.sign_charter` (signing);
these services enforce what depends on the data: only the latest published version is
signed, once per person and kind or per organization, on behalf of an organization only
by its administrator (or, for a public organization involved, by a manager of the
process), withdrawal only by the signer or the organization's administrator.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cocon.core import notifications
from cocon.core.models import NotificationPreference
from cocon.core.permissions import can
from cocon.core.schedule import daily
from cocon.lib.workdays import add_months
from cocon.processes.models.charter import Charter, CharterVersion, Signature, SignerKind
from cocon.processes.rules import MANAGER_ROLES

MAX_TEXT = 50000
MAX_NAME = 200
MAX_REASON = 500
MIN_MONTHS, MAX_MONTHS = 1, 120


# --- helpers -----------------------------------------------------------------------------
def _check_title_and_period(title: str, months, errors: dict) -> None:
    if not (title or "").strip():
        errors["title"] = _("Give the charter a title.")
    elif len(title) > 200:
        errors["title"] = _("The title is too long (200 characters at most).")
    if months is None or not (MIN_MONTHS <= int(months) <= MAX_MONTHS):
        errors["revision_every_months"] = _(
            "The revision period must be between %(min)s and %(max)s months."
        ) % {"min": MIN_MONTHS, "max": MAX_MONTHS}


def _check_text(text: str, errors: dict) -> None:
    if not (text or "").strip():
        errors["text"] = _("The text of the charter is empty.")
    elif len(text) > MAX_TEXT:
        errors["text"] = _("The text is too long (%(max)s characters at most).") % {"max": MAX_TEXT}


def latest_published(charter: Charter) -> CharterVersion | None:
    return charter.versions.filter(published_at__isnull=False).order_by("-number").first()


def _draft(charter: Charter) -> CharterVersion | None:
    return charter.versions.filter(published_at__isnull=True).order_by("-number").first()


def is_organization_admin(user, organization) -> bool:
    """May `user` sign or withdraw in the name of `organization`? (Its administrators and
    platform administrators; read from the person's grants, no query once loaded.)"""
    grants = user.grants
    if grants.is_platform_admin:
        return True
    return any(r.kind == "admin" and r.organization_id == organization.pk for r in grants.roles)


def _date(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "j F Y")


# --- versions ----------------------------------------------------------------------------
def charter_create(
    process, *, actor, title: str, text: str, revision_every_months: int = 24
) -> Charter:
    """The charter of a process with its version 1, a draft."""
    errors: dict = {}
    if Charter.objects.filter(process=process).exists():
        errors["title"] = _("This process already has a charter.")
    _check_title_and_period(title, revision_every_months, errors)
    _check_text(text, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        charter = Charter.objects.create(
            process=process,
            title=title.strip(),
            revision_every_months=revision_every_months,
            created_by=actor,
        )
        CharterVersion.objects.create(
            charter=charter, number=1, text=text.strip(), created_by=actor
        )
    return charter


def charter_settings(charter: Charter, *, actor, title: str, revision_every_months: int) -> Charter:
    """Change the title or the revision period (the next revision date follows, counted
    from the last publication)."""
    errors: dict = {}
    _check_title_and_period(title, revision_every_months, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        charter.title = title.strip()
        charter.revision_every_months = revision_every_months
        current = latest_published(charter)
        if current is not None:
            charter.next_revision_on = add_months(
                timezone.localdate(current.published_at), revision_every_months
            )
        charter.save(update_fields=["title", "revision_every_months", "next_revision_on"])
    return charter


def charter_revise(charter: Charter, *, actor, text: str, note: str = "") -> CharterVersion:
    """The draft of the next version: version n+1 after the published version n, or the
    current draft updated."""
    errors: dict = {}
    _check_text(text, errors)
    if len(note or "") > 2000:
        errors["note"] = _("The note is too long (2000 characters at most).")
    current = latest_published(charter)
    if not errors and current is not None and current.text.strip() == text.strip():
        errors["text"] = _("The text is the same as the published version %(number)s.") % {
            "number": current.number
        }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        draft = _draft(charter)
        if draft is not None:
            draft.text, draft.note = text.strip(), (note or "").strip()
            draft.save(update_fields=["text", "note"])
            return draft
        return CharterVersion.objects.create(
            charter=charter,
            number=(current.number if current else 0) + 1,
            text=text.strip(),
            note=(note or "").strip(),
            created_by=actor,
        )


def charter_publish_version(version: CharterVersion, *, actor) -> CharterVersion:
    """Publish a draft. Its predecessor's active signatories are asked once to sign the
    new version (in-app, and by email following their preference); the next revision
    date moves."""
    charter = version.charter
    if version.published_at is not None:
        raise ValidationError({"version": _("This version is already published.")})
    if charter.versions.filter(number__gt=version.number).exists():
        raise ValidationError({"version": _("Only the latest version can be published.")})
    previous = latest_published(charter)
    now = timezone.now()
    with transaction.atomic():
        version.published_at, version.published_by = now, actor
        version.save(update_fields=["published_at", "published_by"])
        charter.next_revision_on = add_months(
            timezone.localdate(now), charter.revision_every_months
        )
        charter.save(update_fields=["next_revision_on"])
        if previous is not None:
            user_ids = (
                previous.signatures.filter(withdrawn_at__isnull=True, user__isnull=False)
                .values_list("user_id", flat=True)
                .distinct()
            )
            User = get_user_model()
            recipients = notifications.recipients_of(
                User.objects.filter(pk__in=list(user_ids)).order_by("pk")
            )
            notifications.notify(
                recipients,
                kind="processes.charter_resign",
                title=_("The charter « %(title)s » was revised: please sign version %(number)s")
                % {"title": charter.title, "number": version.number},
                body=version.note,
                url=charter_url(charter),
                obj=version,
                default_email=NotificationPreference.Email.IMMEDIATE,
            )
    return version


def charter_url(charter: Charter) -> str:
    from django.urls import reverse

    return reverse("processes:charter", args=[charter.process.slug])


# --- signatures --------------------------------------------------------------------------
ALREADY_SIGNED = gettext_lazy("You already signed this version of the charter on %(date)s.")
ORGANIZATION_ALREADY_SIGNED = gettext_lazy(
    "%(name)s already signed this version of the charter on %(date)s."
)


def _existing(version, *, user, signer_kind, organization) -> Signature | None:
    rows = version.signatures.filter(withdrawn_at__isnull=True)
    if organization is not None:
        return rows.filter(organization=organization).first()
    return rows.filter(user=user, signer_kind=signer_kind, organization__isnull=True).first()


def _already_signed_error(existing: Signature) -> ValidationError:
    if existing.organization_id:
        message = ORGANIZATION_ALREADY_SIGNED % {
            "name": existing.name,
            "date": _date(existing.signed_at),
        }
    else:
        message = ALREADY_SIGNED % {"date": _date(existing.signed_at)}
    return ValidationError({"signer_kind": message})


def charter_sign(
    version: CharterVersion, *, user, signer_kind: str, name: str, organization=None
) -> Signature:
    """Sign the latest published version. A signature of the previous version by the
    same signatory is linked as renewed."""
    errors: dict = {}
    charter = version.charter
    current = latest_published(charter)
    if version.published_at is None or current is None or current.pk != version.pk:
        raise ValidationError(
            {"version": _("Only the current published version of the charter can be signed.")}
        )
    if signer_kind not in SignerKind.values:
        errors["signer_kind"] = _("Choose how you sign.")
    elif signer_kind == SignerKind.INHABITANT:
        organization = None
    elif signer_kind == SignerKind.ORGANIZATION and organization is None:
        errors["organization"] = _("Choose the organization you sign for.")
    if organization is not None and "signer_kind" not in errors:
        process = charter.process
        may_sign = is_organization_admin(user, organization) or (
            signer_kind == SignerKind.ORGANIZATION
            and organization.pk in process.organization_ids
            and can(user, "processes.manage", process)
        )
        if not may_sign:
            errors["organization"] = _(
                "Only an administrator of %(name)s can sign in its name."
            ) % {"name": organization.name}
    name = (name or "").strip() or (organization.name if organization is not None else "")
    if not name:
        errors["name"] = _("Give the name to show with the signature.")
    elif len(name) > MAX_NAME:
        errors["name"] = _("The name is too long (200 characters at most).")
    if errors:
        raise ValidationError(errors)
    existing = _existing(version, user=user, signer_kind=signer_kind, organization=organization)
    if existing is not None:
        raise _already_signed_error(existing)
    previous = (
        charter.versions.filter(published_at__isnull=False, number__lt=version.number)
        .order_by("-number")
        .first()
    )
    renews = (
        _existing(previous, user=user, signer_kind=signer_kind, organization=organization)
        if previous is not None
        else None
    )
    try:
        with transaction.atomic():
            return Signature.objects.create(
                version=version,
                signer_kind=signer_kind,
                name=name,
                user=user,
                organization=organization,
                renews=renews,
            )
    except IntegrityError:
        # two simultaneous submissions: the constraint caught the second one
        existing = _existing(version, user=user, signer_kind=signer_kind, organization=organization)
        if existing is None:
            raise
        raise _already_signed_error(existing) from None


def may_withdraw(signature: Signature, user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if signature.user_id and signature.user_id == user.pk:
        return True
    return signature.organization is not None and is_organization_admin(
        user, signature.organization
    )


def charter_withdraw(signature: Signature, *, user, reason: str = "") -> Signature:
    """Withdraw a signature: it stays listed, dated, with its reason."""
    if not may_withdraw(signature, user):
        raise ValidationError({"reason": _("Only the signatory can withdraw this signature.")})
    if signature.withdrawn_at is not None:
        raise ValidationError({"reason": _("This signature is already withdrawn.")})
    if len(reason or "") > MAX_REASON:
        raise ValidationError({"reason": _("The reason is too long (500 characters at most).")})
    signature.withdrawn_at = timezone.now()
    signature.withdrawal_reason = (reason or "").strip()
    signature.save(update_fields=["withdrawn_at", "withdrawal_reason"])
    return signature


# --- periodic revision -------------------------------------------------------------------
def _managers_of(process):
    today = timezone.localdate()
    User = get_user_model()
    return User.objects.filter(
        Q(
            roles__organization_id=process.organization_id,
            roles__kind__in=MANAGER_ROLES,
            roles__starts_on__lte=today,
        )
        & (Q(roles__ends_on__isnull=True) | Q(roles__ends_on__gte=today))
        | Q(processes_animated=process)
    ).distinct()


@daily("processes.charter_revision", hour=8)
def remind_revisions(today=None) -> int:
    """Tell the managers of each process once when its charter's revision date is reached.
    Returns the number of charters reminded."""
    today = today or timezone.localdate()
    due = (
        Charter.objects.filter(next_revision_on__lte=today)
        .filter(
            Q(revision_reminded_on__isnull=True) | ~Q(revision_reminded_on=F("next_revision_on"))
        )
        .select_related("process")
    )
    reminded = 0
    for charter in due:
        with transaction.atomic():
            notifications.notify(
                notifications.recipients_of(_managers_of(charter.process).order_by("pk")),
                kind="processes.charter_revision",
                title=_("The charter « %(title)s » is due for its periodic revision")
                % {"title": charter.title},
                url=charter_url(charter),
                obj=charter,
            )
            charter.revision_reminded_on = charter.next_revision_on
            charter.save(update_fields=["revision_reminded_on"])
        reminded += 1
    return reminded
