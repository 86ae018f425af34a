"""Permission rules of the Guichet polyvalent, in one place.

- Questions: any agent of any organization asks (guichet unique); a question is seen by
  its asker, the referents of its target organization on its topic (titulars and
  substitutes), the managers named on those referents, and the target organization's
  administrators; the same people answer it, except the asker.
- Knowledge base: every agent of the territory searches and reads it; an entry is edited
  by its owner, the referents of its organization on its topic and the organization's
  administrators.
- Log and dashboards: any agent logs appointments at the places of their organization
  (or the places they are named on); an organization's dashboards are for its agents and
  role holders.
- Access-to-rights follow-up: the team's members and its named supervisors only — not
  even platform administrators; supervisors read, members write. Anyone else gets a 404
  and the attempt is logged (`cocon.guichet.services_legal.log_read`).
"""

from __future__ import annotations

from cocon.core.permissions import rule


def referent_links(grants) -> dict[tuple[int, int], str]:
    """{(organization_id, topic_id): rank} of this person's referent roles, plus
    (organization_id, topic_id): "manager" where they are the escalation manager.
    One query, kept on the Grants."""
    cached = getattr(grants, "_guichet_links", None)
    if cached is None:
        cached = {}
        if grants.user_id:
            from django.db.models import Q

            from cocon.guichet.models import Referent

            rows = Referent.objects.filter(
                Q(user_id=grants.user_id) | Q(manager_id=grants.user_id)
            ).values_list("organization_id", "topic_id", "rank", "user_id")
            for org_id, topic_id, rank, user_id in rows:
                key = (org_id, topic_id)
                if user_id == grants.user_id:
                    cached[key] = rank
                else:
                    cached.setdefault(key, "manager")
        grants._guichet_links = cached
    return cached


def is_referent(grants) -> bool:
    return bool(referent_links(grants))


def _answerer(grants, question) -> bool:
    if grants.has_role("admin", question.target_id):
        return True
    return (question.target_id, question.topic_id) in referent_links(grants)


@rule("guichet.ask")
def ask(grants, _obj=None) -> bool:
    """Ask the referent network: any agent of any organization."""
    return grants.is_agent or grants.is_platform_admin


@rule("guichet.view_question")
def view_question(grants, question) -> bool:
    if not grants.is_authenticated:
        return False
    if grants.is_platform_admin or question.asker_id == grants.user_id:
        return True
    return _answerer(grants, question)


@rule("guichet.answer")
def answer(grants, question) -> bool:
    """Answer or write in the thread as a referent (never one's own question)."""
    if not grants.is_authenticated or question.asker_id == grants.user_id:
        return False
    return _answerer(grants, question)


@rule("guichet.write")
def write(grants, question) -> bool:
    """Write a message in the thread: the asker and whoever may answer."""
    return view_question(grants, question)


@rule("guichet.record_need")
def record_need(grants, question) -> bool:
    """Record whether the user's need was met: the asking agent."""
    return grants.is_authenticated and question.asker_id == grants.user_id


@rule("guichet.to_knowledge")
def to_knowledge(grants, question) -> bool:
    """Turn an answered question into a knowledge entry: who may answer it."""
    return question.answered_at is not None and answer(grants, question)


@rule("guichet.search")
def search(grants, _obj=None) -> bool:
    """Search and read the knowledge base: every agent and staff member."""
    return grants.is_staff_member


@rule("guichet.edit_entry")
def edit_entry(grants, entry) -> bool:
    if not grants.is_authenticated:
        return False
    if grants.is_platform_admin or entry.owner_id == grants.user_id:
        return True
    if grants.has_role("admin", entry.organization_id):
        return True
    links = referent_links(grants)
    return links.get((entry.organization_id, entry.topic_id)) in ("titular", "substitute")


@rule("guichet.create_entry")
def create_entry(grants, organization) -> bool:
    """Write an entry directly for an organization: its referents and administrators."""
    if grants.is_platform_admin or grants.has_role("admin", organization.pk):
        return True
    return any(org_id == organization.pk for org_id, _t in referent_links(grants))


@rule("guichet.log")
def log(grants, _obj=None) -> bool:
    """Log appointments: any agent (the form offers their organization's places)."""
    return grants.is_agent


@rule("guichet.dashboard")
def dashboard(grants, organization) -> bool:
    """An organization's dashboards: its agents and role holders."""
    if grants.is_platform_admin:
        return True
    return organization.pk in grants.member_organization_ids


@rule("guichet.configure")
def configure(grants, organization) -> bool:
    """Referents, commitment, places, topics and procedures: the organization's admins."""
    return grants.is_platform_admin or grants.has_role("admin", organization.pk)


@rule("guichet.set_absence")
def set_absence(grants, referent) -> bool:
    """A referent's "absent until" date: the referent themself, or who configures."""
    if not grants.is_authenticated:
        return False
    if referent.user_id == grants.user_id:
        return True
    return grants.is_platform_admin or grants.has_role("admin", referent.organization_id)


def legal_team_ids(grants) -> tuple[set[int], set[int]]:
    """(teams I am a member of, teams I supervise): one query, kept on the Grants."""
    cached = getattr(grants, "_legal_teams", None)
    if cached is None:
        members: set[int] = set()
        supervised: set[int] = set()
        if grants.user_id:
            from cocon.guichet.models import LegalTeam

            members = set(
                LegalTeam.objects.filter(members=grants.user_id).values_list("pk", flat=True)
            )
            supervised = set(
                LegalTeam.objects.filter(supervisors=grants.user_id).values_list("pk", flat=True)
            )
        cached = (members, supervised)
        grants._legal_teams = cached
    return cached


@rule("guichet.legal_read")
def legal_read(grants, team) -> bool:
    members, supervised = legal_team_ids(grants)
    return team.pk in members or team.pk in supervised


@rule("guichet.legal_write")
def legal_write(grants, team) -> bool:
    """Cases, actions, training sessions, indicators: the team's members."""
    return team.pk in legal_team_ids(grants)[0]
