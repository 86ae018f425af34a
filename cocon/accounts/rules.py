"""Permission rules about people: profiles, back office, roles."""

from __future__ import annotations

from cocon.core.permissions import rule


@rule("accounts.use_backoffice")
def use_backoffice(grants, _obj=None) -> bool:
    """Agents and every role holder have a back office; usagers do not."""
    return grants.is_staff_member


@rule("accounts.manage_roles")
def manage_roles(grants, organization) -> bool:
    """Give or end roles in an organization: its administrators."""
    return grants.is_platform_admin or grants.has_role("admin", organization.pk)


@rule("accounts.view_person")
def view_person(grants, user) -> bool:
    """A person's professional card (name, job, roles): oneself, platform admins, and
    whoever sees the internals of an organization the person works in."""
    if grants.user_id == user.pk or grants.is_platform_admin:
        return True
    from cocon.accounts.grants import Grants

    theirs = Grants.for_user(user).member_organization_ids
    return any(
        org_id in grants.member_organization_ids or grants.shares("directory", org_id)
        for org_id in theirs
    )
