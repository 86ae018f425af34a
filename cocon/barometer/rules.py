"""Permission rules of the Baromètre, in one place.

- The public sees a barometer's public page once it is published, and only the waves
  whose results are published.
- Staff of the service's organization (agents, role holders) see the staff dashboard.
- The service's managers, the organization's direction, animateurs and administrators
  (and platform administrators) manage it: criteria, waves, imports, action plan.
- The agents of the service also list technical criteria and enter indicator values:
  they know how the service measures itself.
"""

from __future__ import annotations

from cocon.core.permissions import rule

MANAGING_KINDS = ("direction", "animateur", "admin")


def _organization_id(barometer) -> int:
    return barometer.service.organization_id


def manages_in(grants, organization_id: int, service_id: int | None = None) -> bool:
    if grants.is_platform_admin:
        return True
    for role in grants.roles:
        if role.organization_id != organization_id:
            continue
        if role.kind in MANAGING_KINDS:
            return True
        if role.kind == "manager" and (service_id is None or service_id in role.service_ids):
            return True
    return False


@rule("barometer.create")
def create(grants, organization) -> bool:
    """Create a barometer for a service of `organization`."""
    return manages_in(grants, organization.pk)


@rule("barometer.list_staff")
def list_staff(grants, _obj=None) -> bool:
    """The staff list of barometers (each person sees those of their organizations)."""
    return grants.is_staff_member


@rule("barometer.view_staff")
def view_staff(grants, barometer) -> bool:
    """Staff dashboard, construction screens, raw first-round answers."""
    return grants.is_platform_admin or _organization_id(barometer) in (
        grants.member_organization_ids
    )


@rule("barometer.manage")
def manage(grants, barometer) -> bool:
    """Edit the barometer, cross criteria, run waves, import responses, action plan."""
    return manages_in(grants, _organization_id(barometer), barometer.service_id)


@rule("barometer.contribute")
def contribute(grants, barometer) -> bool:
    """List technical criteria and enter indicator values: the service's agents too."""
    return manage(grants, barometer) or (
        grants.agent_service_id is not None and grants.agent_service_id == barometer.service_id
    )


@rule("barometer.view_public")
def view_public(grants, barometer) -> bool:
    return barometer.is_published or view_staff(grants, barometer)
