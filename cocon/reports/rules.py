"""Permission rules of Signalements. Reports are voices: seeing and acting on one is
decided by the Paroles scope (`cocon.voices.rules.VoiceScope`), in one place; the
public sees only the public fields of a report (category, public point, status,
public updates), never its contact, author or internal notes."""

from __future__ import annotations

from cocon.core.permissions import rule
from cocon.voices.rules import scope_of


def team_ids(grants) -> set[int]:
    """The field teams this person belongs to (one query, kept on the Grants)."""
    cached = getattr(grants, "_report_team_ids", None)
    if cached is None:
        from cocon.reports.models import Team

        cached = (
            set(Team.objects.filter(members=grants.user_id).values_list("pk", flat=True))
            if grants.user_id
            else set()
        )
        grants._report_team_ids = cached
    return cached


@rule("reports.view_staff")
def view_staff(grants, report) -> bool:
    """The staff page of a report (contact, notes, history): who sees its voice, and
    the members of the team it is assigned to (they act on it, so they see it)."""
    if grants.is_staff_member and scope_of(grants).allows(report.voice):
        return True
    return report.team_id is not None and report.team_id in team_ids(grants)


@rule("reports.comment")
def comment(grants, report) -> bool:
    """Internal notes on a report: staff who see it (as `voices.comment`), and the
    members of its team."""
    if grants.user_id is not None and grants.user_id == report.voice.author_id:
        return False
    return view_staff(grants, report)


@rule("reports.act")
def act(grants, report) -> bool:
    """Change state, assign, mark duplicate: the report's service, its managers and
    direction (as for any voice), and the members of the team it is assigned to."""
    if scope_of(grants).allows_act(report.voice):
        return True
    return report.team_id is not None and report.team_id in team_ids(grants)


@rule("reports.list")
def list_reports(grants, _obj=None) -> bool:
    """The staff list of reports: every agent and staff member (each sees their scope)."""
    return (
        grants.is_platform_admin
        or grants.is_agent
        or not scope_of(grants).is_empty
        or bool(team_ids(grants))
    )


@rule("reports.capture")
def capture(grants, _obj=None) -> bool:
    """Field capture (including offline): any agent of any organization (guichet unique)."""
    return grants.is_platform_admin or grants.is_agent


@rule("reports.configure")
def configure(grants, organization) -> bool:
    """Categories handled, teams and Open311 client keys of an organization: its admins."""
    return grants.is_platform_admin or grants.has_role("admin", organization.pk)


@rule("reports.configure_categories")
def configure_categories(grants, territory) -> bool:
    """Categories are shared by the whole territory: the platform administrators and the
    administrators of the territory's host organization create and edit them."""
    if grants.is_platform_admin:
        return True
    host = getattr(territory, "host_organization_id", None)
    return host is not None and grants.has_role("admin", host)
