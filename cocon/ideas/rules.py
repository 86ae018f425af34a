"""Permission rules of Idées, and the one definition of "which ideas may I see".

Seeing: a public idea is seen by everyone; an idea kept inside the organization (the
default for agents) by the members of the author's organization and of the organization
running the campaign; a hidden idea, or one waiting for pre-moderation, only by its
author(s) and the moderators. Démineurs also see what they are assigned.

Deciding follows the level the idea needs (team < service < direction < élus): a
manager decides for the services they manage, a direction for its services (or the
whole organization), an élu within the services of their delegation (or everything when
the delegation lists none). A higher level may decide a lower-level idea.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q

from cocon.core.permissions import rule
from cocon.ideas.models import LEVEL_RANK, OPEN_STATES, State, Visibility

MODERATOR_ROLES = {"animateur", "admin"}
ROLE_RANK = {"manager": 2, "direction": 3, "elu": 4}


@dataclass
class IdeaScope:
    everything: bool = False
    user_id: int | None = None
    members: set[int] = field(default_factory=set)  # organizations I belong to
    moderates: set[int] = field(default_factory=set)  # organizations I animate

    @classmethod
    def of(cls, grants) -> IdeaScope:
        return cls(
            everything=grants.is_platform_admin,
            user_id=grants.user_id,
            members=set(grants.member_organization_ids) if grants.is_authenticated else set(),
            moderates={r.organization_id for r in grants.roles if r.kind in MODERATOR_ROLES},
        )

    def is_author(self, idea) -> bool:
        if not self.user_id:
            return False
        if self.user_id in (idea.author_id, idea.submitted_by_id):
            return True
        return any(u.pk == self.user_id for u in idea.coauthors.all())

    def moderates_idea(self, idea) -> bool:
        return self.everything or idea.campaign.organization_id in self.moderates

    def allows(self, idea) -> bool:
        if self.moderates_idea(idea) or self.is_author(idea):
            return True
        if self.user_id and any(r.expert_id == self.user_id for r in idea.reviews.all()):
            return True
        if idea.hidden_at or idea.awaiting_moderation:
            return False
        if idea.visibility == Visibility.PUBLIC:
            return True
        return bool({idea.organization_id, idea.campaign.organization_id} & self.members)

    def q(self) -> Q:
        """Filter for Idea querysets (list pages, search, API)."""
        if self.everything:
            return Q()
        published = Q(hidden_at__isnull=True, awaiting_moderation=False)
        q = published & Q(visibility=Visibility.PUBLIC)
        if self.members:
            q |= published & (
                Q(organization_id__in=self.members) | Q(campaign__organization_id__in=self.members)
            )
        if self.moderates:
            q |= Q(campaign__organization_id__in=self.moderates)
        if self.user_id:
            from cocon.ideas.models import Review

            q |= Q(author_id=self.user_id) | Q(submitted_by_id=self.user_id)
            q |= Exists(Review.objects.filter(idea_id=OuterRef("pk"), expert_id=self.user_id))
        return q


def scope_of(grants) -> IdeaScope:
    cached = getattr(grants, "_idea_scope", None)
    if cached is None:
        cached = grants._idea_scope = IdeaScope.of(grants)
    return cached


# --- campaigns ---------------------------------------------------------------------------
def campaign_org_ids(campaign) -> set[int]:
    ids = {o.pk for o in campaign.organizations.all()}
    ids.add(campaign.organization_id)
    return ids


@rule("ideas.campaign_view")
def campaign_view(grants, campaign) -> bool:
    if campaign.accepts_users:
        return True
    scope = scope_of(grants)
    return scope.everything or bool(campaign_org_ids(campaign) & scope.members)


@rule("ideas.campaign_manage")
def campaign_manage(grants, organization) -> bool:
    """Create and edit calls for ideas, assign démineurs, moderate: the organization's
    participation team (animateurs) and administrators."""
    return grants.is_platform_admin or organization.pk in scope_of(grants).moderates


def may_propose_as_agent(grants, campaign) -> bool:
    return (
        campaign.accepts_agents
        and grants.agent_organization_id is not None
        and grants.agent_organization_id in campaign_org_ids(campaign)
    )


@rule("ideas.submit")
def submit(grants, campaign) -> bool:
    """Propose in an open campaign: agents of the organizations taking part (agents'
    scope), anyone with an account (users' scope)."""
    if not grants.is_authenticated or not campaign.is_open():
        return False
    return campaign.accepts_users or may_propose_as_agent(grants, campaign)


@rule("ideas.submit_on_behalf")
def submit_on_behalf(grants, campaign) -> bool:
    """An agent types the idea of a user met at the counter (campaigns open to users)."""
    return grants.is_agent and campaign.accepts_users and campaign.is_open()


# --- one idea ----------------------------------------------------------------------------
@rule("ideas.view")
def view(grants, idea) -> bool:
    return scope_of(grants).allows(idea)


@rule("ideas.edit")
def edit(grants, idea) -> bool:
    """The author changes the text until the decision (after the review started, each
    change is a new version)."""
    scope = scope_of(grants)
    return scope.is_author(idea) and idea.state in OPEN_STATES and not idea.hidden_at


@rule("ideas.participate")
def participate(grants, idea) -> bool:
    """Support and comment: anyone with an account who sees the idea, while its campaign
    is open and the idea is not merged away."""
    return (
        grants.is_authenticated
        and view(grants, idea)
        and idea.campaign.is_open()
        and idea.state != State.MERGED
        and not idea.hidden_at
    )


@rule("ideas.follow")
def follow(grants, idea) -> bool:
    return grants.is_authenticated and view(grants, idea)


@rule("ideas.flag")
def flag(grants, idea_or_comment) -> bool:
    return grants.is_authenticated


@rule("ideas.animate")
def animate(grants, idea) -> bool:
    """Assign démineurs, publish their opinions, move the idea to the decision, flag a
    quick win, moderate: the campaign's participation team."""
    return scope_of(grants).moderates_idea(idea)


@rule("ideas.moderate")
def moderate(grants, idea) -> bool:
    return scope_of(grants).moderates_idea(idea)


@rule("ideas.review")
def review(grants, review_row) -> bool:
    """Give an opinion: the démineur assigned, until the idea is decided."""
    return (
        grants.user_id is not None
        and review_row.expert_id == grants.user_id
        and review_row.idea.state in OPEN_STATES
    )


def _services_of(idea) -> list:
    services = list(idea.services.all())
    if not services and idea.author_service_id:
        services = [idea.author_service]
    return services


def decision_rank(grants, idea) -> int:
    """The highest level at which this person may decide this idea (0: none)."""
    org_id = idea.campaign.organization_id
    services = _services_of(idea)
    service_ids = {s.pk for s in services}
    direction_ids = {s.direction_id for s in services if s.direction_id}
    best = 0
    for role in grants.roles:
        if role.organization_id != org_id or role.kind not in ROLE_RANK:
            continue
        if role.kind == "manager":
            covers = bool(service_ids) and service_ids <= role.service_ids
        elif role.kind == "direction":
            covers = role.direction_id is None or (
                bool(direction_ids) and direction_ids == {role.direction_id}
            )
        else:  # élu: within the delegation
            covers = not role.service_ids or (bool(service_ids) and service_ids <= role.service_ids)
        if covers:
            best = max(best, ROLE_RANK[role.kind])
    return best


@rule("ideas.decide")
def decide(grants, idea) -> bool:
    """Decide (retain, experiment, reject, merge) at the level the idea needs or above,
    within one's perimeter. The idea must be awaiting decision or still open."""
    if idea.state not in OPEN_STATES:
        return False
    return decision_rank(grants, idea) >= LEVEL_RANK[idea.decision_level]


@rule("ideas.follow_up")
def follow_up(grants, idea) -> bool:
    """Record implementation and evaluation of a decided idea: whoever could decide it,
    and the participation team."""
    return scope_of(grants).moderates_idea(idea) or (
        decision_rank(grants, idea) >= LEVEL_RANK[idea.decision_level]
    )


@rule("ideas.dashboard")
def dashboard(grants, campaign) -> bool:
    """A campaign's dashboard: its participation team, the direction and élus of the
    organization running it."""
    if grants.is_platform_admin or campaign.organization_id in scope_of(grants).moderates:
        return True
    return any(
        r.organization_id == campaign.organization_id and r.kind in ("direction", "elu")
        for r in grants.roles
    )


@rule("ideas.expert")
def expert(grants, _obj=None) -> bool:
    """Has a démineur queue (any organization: experts are named by role or ad hoc)."""
    return grants.is_authenticated
