"""Permission rules of the territory module (organizations, services, communes, shares)."""

from __future__ import annotations

from cocon.core.permissions import rule


def _org_id(obj) -> int | None:
    return getattr(obj, "organization_id", None) or getattr(obj, "pk", None)


@rule("territory.view_organization")
def view_organization(grants, organization) -> bool:
    """Public page of an active organization: everyone."""
    return organization.is_active or grants.is_platform_admin


@rule("territory.view_internal")
def view_internal(grants, organization) -> bool:
    """Agent directory, role holders and internal contacts of an organization: its own
    people, and people of organizations it opened its directory (or its data) to."""
    if grants.is_platform_admin:
        return True
    if organization.pk in grants.member_organization_ids:
        return True
    return grants.shares("directory", organization.pk)


@rule("territory.view_service")
def view_service(grants, service) -> bool:
    """Public services for all; internal ones (HR…) for those who see the internals."""
    if service.is_public:
        return True
    return view_internal(grants, service.organization)


@rule("territory.view_service_internal")
def view_service_internal(grants, service) -> bool:
    if view_internal(grants, service.organization):
        return True
    return grants.shares("services", service.organization_id)


@rule("territory.edit_organization")
def edit_organization(grants, organization) -> bool:
    """Name, description, logo and colours: the organization's administrators."""
    return grants.is_platform_admin or grants.has_role("admin", organization.pk)


@rule("territory.manage_shares")
def manage_shares(grants, organization) -> bool:
    return edit_organization(grants, organization)


@rule("territory.edit_service")
def edit_service(grants, service) -> bool:
    """A service's page: its managers, the direction above it, the organization's admins."""
    if edit_organization(grants, service.organization):
        return True
    for role in grants.roles:
        if role.organization_id != service.organization_id:
            continue
        if role.kind == "manager" and service.pk in role.service_ids:
            return True
        if role.kind == "direction" and (
            role.direction_id is None or role.direction_id == service.direction_id
        ):
            return True
    return False


@rule("territory.import_margins")
def import_margins(grants, territory) -> bool:
    """Population margins feed weighting for everyone: platform admins and the
    administrators of the territory's host organization."""
    if grants.is_platform_admin:
        return True
    host_id = territory.host_organization_id
    return host_id is not None and grants.has_role("admin", host_id)
