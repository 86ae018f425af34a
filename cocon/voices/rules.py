"""Permission rules of Paroles, and the one definition of "which voices may I see".

Circulation without valves: a voice is visible at once to the agents of its service, the
service's managers, the direction above it, the élus whose delegation covers it and the
organization's participation team — nobody approves it first. `VoiceScope` answers the
question both for one object (`allows`) and for a queryset (`q`), so that pages, feeds
and the API can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q

from cocon.core.permissions import rule

# roles that see every voice of their organization (read): direction without a
# direction, élus without a service list, the participation team and administrators
ORG_WIDE_ROLES = {"animateur", "admin"}


@dataclass
class VoiceScope:
    everything: bool = False
    user_id: int | None = None
    organizations: set[int] = field(default_factory=set)
    directions: set[int] = field(default_factory=set)
    services: set[int] = field(default_factory=set)
    # what this person may act on (acknowledge, answer, re-route…): their own service,
    # the services they manage, or their direction's
    act_organizations: set[int] = field(default_factory=set)
    act_directions: set[int] = field(default_factory=set)
    act_services: set[int] = field(default_factory=set)

    @classmethod
    def of(cls, grants) -> VoiceScope:
        scope = cls(everything=grants.is_platform_admin, user_id=grants.user_id)
        if grants.agent_service_id:
            scope.services.add(grants.agent_service_id)
            scope.act_services.add(grants.agent_service_id)
        for role in grants.roles:
            if role.kind == "manager":
                scope.services |= role.service_ids
                scope.act_services |= role.service_ids
            elif role.kind == "direction":
                if role.direction_id:
                    scope.directions.add(role.direction_id)
                    scope.act_directions.add(role.direction_id)
                else:
                    scope.organizations.add(role.organization_id)
                    scope.act_organizations.add(role.organization_id)
            elif role.kind == "elu":
                if role.service_ids:
                    scope.services |= role.service_ids
                else:
                    scope.organizations.add(role.organization_id)
            elif role.kind in ORG_WIDE_ROLES:
                scope.organizations.add(role.organization_id)
        return scope

    # --- one object --------------------------------------------------------------------
    def _covers_service(self, service, *, act: bool = False) -> bool:
        orgs, directions, services = (
            (self.act_organizations, self.act_directions, self.act_services)
            if act
            else (self.organizations, self.directions, self.services)
        )
        return (
            service.pk in services
            or service.organization_id in orgs
            or (service.direction_id is not None and service.direction_id in directions)
        )

    def allows(self, voice) -> bool:
        if self.everything:
            return True
        if self.user_id and self.user_id in (voice.relay_id, voice.author_id):
            return True
        if self._covers_service(voice.service):
            return True
        return any(self._covers_service(share.service) for share in voice.shares.all())

    def allows_act(self, voice) -> bool:
        return self.everything or self._covers_service(voice.service, act=True)

    # --- querysets ---------------------------------------------------------------------
    def _service_q(self, prefix: str) -> Q:
        q = Q(pk__in=[])
        if self.services:
            q |= Q(**{f"{prefix}service_id__in": self.services})
        if self.organizations:
            q |= Q(**{f"{prefix}service__organization_id__in": self.organizations})
        if self.directions:
            q |= Q(**{f"{prefix}service__direction_id__in": self.directions})
        return q

    def own_q(self) -> Q:
        """The voices of the person's services, organizations and directions."""
        q = Q(pk__in=[])
        if self.services:
            q |= Q(service_id__in=self.services)
        if self.organizations:
            q |= Q(organization_id__in=self.organizations)
        if self.directions:
            q |= Q(service__direction_id__in=self.directions)
        return q

    def shared_voices(self):
        """VoiceShare rows that open a voice to the person's scope."""
        from cocon.voices.models import VoiceShare

        return VoiceShare.objects.filter(self._service_q(""))

    def q(self) -> Q:
        """Filter for Voice querysets (does not include the person's own voices as
        author: those are on "my voices", not in staff feeds): own scope, relayed by
        the person, shared with their scope."""
        if self.everything:
            return Q()
        q = self.own_q()
        if self.user_id:
            q |= Q(relay_id=self.user_id)
        if not self.is_empty:
            q |= Exists(self.shared_voices().filter(voice_id=OuterRef("pk")))
        return q

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.services or self.organizations or self.directions)


def scope_of(grants) -> VoiceScope:
    cached = getattr(grants, "_voice_scope", None)
    if cached is None:
        cached = VoiceScope.of(grants)
        grants._voice_scope = cached
    return cached


@rule("voices.view")
def view(grants, voice) -> bool:
    """Staff whose scope covers the voice's (or a sharing) service, the relaying agent,
    and the author when logged in. Anyone else gets a 404."""
    return scope_of(grants).allows(voice)


@rule("voices.act")
def act(grants, voice) -> bool:
    """Acknowledge, answer, re-route, merge, close: the voice's own service (its agents
    and managers) and the direction above it."""
    return scope_of(grants).allows_act(voice)


@rule("voices.comment")
def comment(grants, voice) -> bool:
    """Internal notes, escalation and sharing: every staff member who sees the voice."""
    return grants.is_staff_member and grants.user_id != voice.author_id and view(grants, voice)


@rule("voices.capture")
def capture(grants, _obj=None) -> bool:
    """Any agent of any organization may capture for any service (guichet unique):
    category never gates who may relay."""
    return grants.is_platform_admin or grants.is_agent


@rule("voices.feed")
def feed(grants, _obj=None) -> bool:
    return grants.is_platform_admin or grants.is_agent or not scope_of(grants).is_empty


@rule("voices.dashboard")
def dashboard(grants, service) -> bool:
    """A service's dashboard: whoever sees that service's voices."""
    scope = scope_of(grants)
    return scope.everything or scope._covers_service(service)


@rule("voices.configure")
def configure(grants, organization) -> bool:
    """Routing rules, themes and commitments of an organization: its administrators."""
    return grants.is_platform_admin or grants.has_role("admin", organization.pk)


@rule("voices.sign")
def sign(grants, voice) -> bool:
    """An élu whose delegation covers the voice's service may sign its answer."""
    for role in grants.roles_of("elu"):
        if role.organization_id != voice.organization_id:
            continue
        if not role.service_ids or voice.service_id in role.service_ids:
            return True
    return False
