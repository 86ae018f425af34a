"""Reads about people. All of them avoid N+1 with select/prefetch."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from cocon.accounts.models import AgentProfile, Role, RoleKind
from cocon.territory.models import Service


def current_roles() -> QuerySet[Role]:
    today = timezone.localdate()
    return Role.objects.filter(starts_on__lte=today).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    )


def elected_officials(organization) -> list[Role]:
    """Élus and their delegations: public information."""
    return list(
        current_roles()
        .filter(organization=organization, kind=RoleKind.ELU)
        .select_related("user")
        .prefetch_related(Prefetch("services", queryset=Service.objects.only("id", "name")))
        .order_by("user__full_name")
    )


def directory(organization) -> list[AgentProfile]:
    """Agents of an organization (internal). 1 query."""
    return list(
        AgentProfile.objects.filter(organization=organization, user__is_active=True)
        .select_related("user", "service")
        .order_by("service__name", "user__full_name")
    )


def role_holders(organization) -> list[Role]:
    return list(
        current_roles()
        .filter(organization=organization)
        .select_related("user", "direction")
        .prefetch_related(Prefetch("services", queryset=Service.objects.only("id", "name")))
        .order_by("kind", "user__full_name")
    )


def service_managers(service) -> list[Role]:
    return list(
        current_roles()
        .filter(kind=RoleKind.MANAGER, services=service)
        .select_related("user")
        .order_by("user__full_name")
    )


def roles_of_user(user) -> list[Role]:
    return list(
        current_roles()
        .filter(user=user)
        .select_related("organization", "direction")
        .prefetch_related(Prefetch("services", queryset=Service.objects.only("id", "name")))
    )
