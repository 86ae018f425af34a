"""Grants: the roles and shares of one person, loaded in a few queries, read many times.

Permission rules (``rules.py`` of each app) ask questions of this object instead of
querying the database, so that checking many objects on a list page costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone


@dataclass(frozen=True)
class RoleGrant:
    kind: str
    organization_id: int
    direction_id: int | None
    service_ids: frozenset[int]
    title: str = ""


@dataclass
class Grants:
    user_id: int | None = None
    is_platform_admin: bool = False
    agent_organization_id: int | None = None
    agent_service_id: int | None = None
    roles: list[RoleGrant] = field(default_factory=list)
    # scope -> ids of organizations that opened that scope to one of ours
    shared_with_me: dict[str, set[int]] = field(default_factory=dict)

    @classmethod
    def anonymous(cls) -> Grants:
        return cls()

    @classmethod
    def for_user(cls, user) -> Grants:
        if user is None or not user.is_authenticated or not user.is_active:
            return cls.anonymous()
        from cocon.accounts.models import AgentProfile, Role
        from cocon.territory.models import Share

        grants = cls(user_id=user.pk, is_platform_admin=user.is_superuser)
        profile = (
            AgentProfile.objects.filter(user_id=user.pk)
            .values("organization_id", "service_id")
            .first()
        )
        if profile:
            grants.agent_organization_id = profile["organization_id"]
            grants.agent_service_id = profile["service_id"]
        today = timezone.localdate()
        current = Role.objects.filter(user_id=user.pk, starts_on__lte=today).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=today)
        )
        service_links = Role.services.through.objects.filter(role__in=current).values_list(
            "role_id", "service_id"
        )
        services_by_role: dict[int, set[int]] = {}
        for role_id, service_id in service_links:
            services_by_role.setdefault(role_id, set()).add(service_id)
        for role in current.values("id", "kind", "organization_id", "direction_id", "title"):
            grants.roles.append(
                RoleGrant(
                    kind=role["kind"],
                    organization_id=role["organization_id"],
                    direction_id=role["direction_id"],
                    service_ids=frozenset(services_by_role.get(role["id"], ())),
                    title=role["title"],
                )
            )
        members = grants.member_organization_ids
        if members:
            for owner_id, scope in Share.objects.filter(partner_id__in=members).values_list(
                "owner_id", "scope"
            ):
                grants.shared_with_me.setdefault(scope, set()).add(owner_id)
        return grants

    # --- questions ---------------------------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def is_agent(self) -> bool:
        return self.agent_organization_id is not None

    @property
    def member_organization_ids(self) -> set[int]:
        """Organizations this person works for or holds a role in."""
        ids = {role.organization_id for role in self.roles}
        if self.agent_organization_id:
            ids.add(self.agent_organization_id)
        return ids

    @property
    def is_staff_member(self) -> bool:
        """Agent or holder of any role: has a back office."""
        return self.is_platform_admin or self.is_agent or bool(self.roles)

    def role_kinds(self) -> set[str]:
        return {role.kind for role in self.roles}

    def has_role(self, kind: str, organization_id: int | None = None) -> bool:
        return any(
            role.kind == kind
            and (organization_id is None or role.organization_id == organization_id)
            for role in self.roles
        )

    def roles_of(self, kind: str) -> list[RoleGrant]:
        return [role for role in self.roles if role.kind == kind]

    def organizations_with_role(self, kind: str) -> set[int]:
        return {role.organization_id for role in self.roles if role.kind == kind}

    def shares(self, scope: str, organization_id: int) -> bool:
        """Has `organization_id` opened `scope` to one of my organizations?

        The "data" scope includes the directory (it is the wider share).
        """
        if organization_id in self.shared_with_me.get(scope, ()):
            return True
        return scope == "directory" and organization_id in self.shared_with_me.get("data", ())
