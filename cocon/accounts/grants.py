"""Grants: the roles and shares of one person, loaded in a few queries, read many times.

Permission rules (``rules.py`` of each app) ask questions of this object instead of
querying the database, so that checking many objects on a list page costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone


@dataclass(frozen=True)
class RoleGrant:
    kind: str
    organization_id: int
    direction_id: int | None
    service_ids: frozenset[int]
    title: str = ""


class Grants:
    """What one person may do. The agent profile is read at once (one query, none when
    the user was loaded with ``select_related("agent_profile")``); the roles (one query,
    with their services) and the shares granted to the person's organizations (one
    query) only when a rule first asks about them — capturing a voice needs neither."""

    def __init__(
        self,
        user_id: int | None = None,
        is_platform_admin: bool = False,
        agent_organization_id: int | None = None,
        agent_service_id: int | None = None,
        roles: list[RoleGrant] | None = None,
        shared_with_me: dict[str, set[int]] | None = None,
    ) -> None:
        self.user_id = user_id
        self.is_platform_admin = is_platform_admin
        self.agent_organization_id = agent_organization_id
        self.agent_service_id = agent_service_id
        # None: not loaded yet, read from the database on first use (for_user)
        self._roles: list[RoleGrant] | None = [] if roles is None else roles
        self._shared_with_me: dict[str, set[int]] | None = (
            {} if shared_with_me is None else shared_with_me
        )

    def __repr__(self) -> str:
        return (
            f"Grants(user_id={self.user_id!r}, is_platform_admin={self.is_platform_admin!r}, "
            f"agent_organization_id={self.agent_organization_id!r}, "
            f"agent_service_id={self.agent_service_id!r}, roles={self.roles!r}, "
            f"shared_with_me={self.shared_with_me!r})"
        )

    def __eq__(self, other) -> bool:
        if not isinstance(other, Grants):
            return NotImplemented
        return (
            self.user_id,
            self.is_platform_admin,
            self.agent_organization_id,
            self.agent_service_id,
            self.roles,
            self.shared_with_me,
        ) == (
            other.user_id,
            other.is_platform_admin,
            other.agent_organization_id,
            other.agent_service_id,
            other.roles,
            other.shared_with_me,
        )

    __hash__ = None  # mutable, like the dataclass it replaces

    @classmethod
    def anonymous(cls) -> Grants:
        return cls()

    @classmethod
    def for_user(cls, user) -> Grants:
        if user is None or not user.is_authenticated or not user.is_active:
            return cls.anonymous()
        grants = cls(user_id=user.pk, is_platform_admin=user.is_superuser)
        grants._roles = grants._shared_with_me = None  # loaded when first asked for
        cache = user._state.fields_cache
        if "agent_profile" in cache:  # loaded with the user (select_related): no query
            profile = cache["agent_profile"]
            if profile is not None:
                grants.agent_organization_id = profile.organization_id
                grants.agent_service_id = profile.service_id
            return grants
        from cocon.accounts.models import AgentProfile

        profile = (
            AgentProfile.objects.filter(user_id=user.pk)
            .values("organization_id", "service_id")
            .first()
        )
        if profile:
            grants.agent_organization_id = profile["organization_id"]
            grants.agent_service_id = profile["service_id"]
        return grants

    @property
    def roles(self) -> list[RoleGrant]:
        if self._roles is None:
            self._roles = self._load_roles()
        return self._roles

    @roles.setter
    def roles(self, value: list[RoleGrant]) -> None:
        self._roles = value

    @property
    def shared_with_me(self) -> dict[str, set[int]]:
        """scope → ids of organizations that opened that scope to one of ours."""
        if self._shared_with_me is None:
            self._shared_with_me = self._load_shares()
        return self._shared_with_me

    @shared_with_me.setter
    def shared_with_me(self, value: dict[str, set[int]]) -> None:
        self._shared_with_me = value

    def _load_roles(self) -> list[RoleGrant]:
        """The person's current roles with their services: one query (LEFT JOIN), in the
        roles' order (organization name, kind), as before."""
        from cocon.accounts.models import Role

        today = timezone.localdate()
        rows = (
            Role.objects.filter(user_id=self.user_id, starts_on__lte=today)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
            .values_list("id", "kind", "organization_id", "direction_id", "title", "services")
        )
        by_id: dict[int, tuple] = {}
        services: dict[int, set[int]] = {}
        for role_id, kind, organization_id, direction_id, title, service_id in rows:
            by_id.setdefault(role_id, (kind, organization_id, direction_id, title))
            links = services.setdefault(role_id, set())
            if service_id is not None:
                links.add(service_id)
        return [
            RoleGrant(
                kind=kind,
                organization_id=organization_id,
                direction_id=direction_id,
                service_ids=frozenset(services[role_id]),
                title=title,
            )
            for role_id, (kind, organization_id, direction_id, title) in by_id.items()
        ]

    def _load_shares(self) -> dict[str, set[int]]:
        from cocon.territory.models import Share

        shared: dict[str, set[int]] = {}
        members = self.member_organization_ids
        if members:
            for owner_id, scope in Share.objects.filter(partner_id__in=members).values_list(
                "owner_id", "scope"
            ):
                shared.setdefault(scope, set()).add(owner_id)
        return shared

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
