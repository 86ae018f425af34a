"""Writes of an organization's Signalements settings: which categories it handles where
(Coverage), the territory's categories and their extra questions, its field teams.
Errors are `ValidationError({field: [French message]})`; nothing is written then."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cocon.reports.models import Category, Coverage, Team


@transaction.atomic
def coverage_set(*, organization, category: Category, service, communes: Iterable = ()) -> Coverage:
    """Declare (or replace) that `organization` handles `category` in `service`, on
    `communes` (none: every commune of the organization)."""
    communes = list(communes)
    errors: dict[str, list[str]] = {}
    if category.territory_id != organization.territory_id:
        errors["category"] = [_("This category belongs to another territory.")]
    if service.organization_id != organization.pk:
        errors["service"] = [_("Choose one of the organization's own services.")]
    if any(c.territory_id != organization.territory_id for c in communes):
        errors["communes"] = [_("These communes are not part of the territory.")]
    if errors:
        raise ValidationError(errors)
    coverage, _created = Coverage.objects.update_or_create(
        category=category, organization=organization, defaults={"service": service}
    )
    coverage.communes.set(communes)
    return coverage


def coverage_delete(*, organization, coverage_id: int) -> bool:
    deleted, _rows = Coverage.objects.filter(organization=organization, pk=coverage_id).delete()
    return bool(deleted)


@transaction.atomic
def category_save(
    *,
    territory,
    name: str,
    code: str,
    group: str = "",
    description: str = "",
    sensitive: bool = False,
    is_active: bool = True,
    attributes: list[dict] | None = None,
    category: Category | None = None,
) -> Category:
    """Create a territory category (or update `category`), with its extra questions."""
    attributes = attributes or []
    errors: dict[str, list[str]] = {}
    taken = Category.objects.filter(territory=territory, code=code)
    if category is not None:
        taken = taken.exclude(pk=category.pk)
    if taken.exists():
        errors["code"] = [_("Another category already uses this code.")]
    codes = [a["code"] for a in attributes]
    if len(codes) != len(set(codes)):
        errors.setdefault("attributes", []).append(
            _("Two extra questions have the same code: give each its own.")
        )
    if errors:
        raise ValidationError(errors)
    category = category or Category(territory=territory)
    category.name = name.strip()
    category.code = code
    category.group = group.strip()
    category.description = description.strip()
    category.sensitive = sensitive
    category.is_active = is_active
    category.attributes = attributes
    category.save()
    return category


def _check_members(organization, members: Iterable) -> list:
    members = list(members)
    outsiders = [
        m
        for m in members
        if getattr(getattr(m, "agent_profile", None), "organization_id", None) != organization.pk
    ]
    if outsiders:
        raise ValidationError(
            {"members": [_("Only agents of the organization can be members of its teams.")]}
        )
    return members


@transaction.atomic
def team_create(*, organization, service, name: str, members: Iterable = ()) -> Team:
    errors: dict[str, list[str]] = {}
    if service.organization_id != organization.pk:
        errors["service"] = [_("Choose one of the organization's own services.")]
    if not name.strip():
        errors["name"] = [_("Give the team a name.")]
    if errors:
        raise ValidationError(errors)
    members = _check_members(organization, members)
    team = Team.objects.create(service=service, name=name.strip())
    team.members.set(members)
    return team


@transaction.atomic
def team_set_members(team: Team, *, organization, members: Iterable) -> Team:
    team.members.set(_check_members(organization, members))
    return team


def team_delete(*, organization, team_id: int) -> bool:
    deleted, _rows = Team.objects.filter(service__organization=organization, pk=team_id).delete()
    return bool(deleted)
