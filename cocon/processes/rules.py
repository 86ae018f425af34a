"""Permission rules of the Démarches, in one place.

- Seeing: a published public process, its events, white paper (once published),
  synthesis, action programme and charter are seen by everyone; a private process by the
  agents and role holders of the organizations involved; a process not yet published by
  the people who manage it.
- Managing (phases, events, attendance, outputs, call for ambassadors and its draw,
  personas, white paper, synthesis, action programme, charter versions): the
  administrators and animateurs of the leading organization, the facilitators named on
  the process, platform administrators.
- Deciding on proposals: those who manage it, the sponsoring élu, the élus of the
  leading organization.
- Applying as an ambassador: agents of the organizations involved; approving the time
  commitment: the manager the applicant named (or those who manage the process).
- Updating an action of the programme: its owner, the agents and managers of its
  service, those who manage the process.
- Registering to an event: anyone when the process is public (no account needed);
  signing the charter: anyone with an account.
"""

from __future__ import annotations

from django.utils import timezone

from cocon.core.permissions import rule

MANAGER_ROLES = {"admin", "animateur"}


def _names_me(users, user_id) -> bool:
    """`users`: a prefetched relation (no query when prefetched)."""
    return bool(user_id) and any(u.pk == user_id for u in users.all())


@rule("processes.create")
def create(grants, organization) -> bool:
    if grants.is_platform_admin:
        return True
    return any(
        r.kind in MANAGER_ROLES and r.organization_id == organization.pk for r in grants.roles
    )


@rule("processes.manage")
def manage(grants, process) -> bool:
    if not grants.is_authenticated:
        return False
    if grants.is_platform_admin:
        return True
    if any(
        r.kind in MANAGER_ROLES and r.organization_id == process.organization_id
        for r in grants.roles
    ):
        return True
    return _names_me(process.animateurs, grants.user_id)


@rule("processes.view")
def view(grants, process) -> bool:
    if process.published_at and process.is_public:
        return True
    if manage(grants, process):
        return True
    if not process.published_at or not grants.is_authenticated:
        return False
    return bool(process.organization_ids & grants.member_organization_ids)


@rule("processes.decide")
def decide(grants, process) -> bool:
    if manage(grants, process):
        return True
    if not grants.is_authenticated:
        return False
    if process.sponsor_id and process.sponsor_id == grants.user_id:
        return True
    return any(
        r.kind == "elu" and r.organization_id == process.organization_id for r in grants.roles
    )


@rule("processes.register")
def register(grants, event) -> bool:
    """Register to an event (the form then checks capacity and puts people on the
    waiting list)."""
    if event.cancelled_at or not event.registration_open or event.ends_at < timezone.now():
        return False
    return view(grants, event.process)


@rule("processes.attendance")
def attendance(grants, event) -> bool:
    return manage(grants, event.process)


@rule("processes.apply")
def apply(grants, call) -> bool:
    """Apply to a call for ambassadors: agents of the organizations involved."""
    if not grants.is_agent or not call.is_open():
        return False
    return grants.agent_organization_id in call.process.organization_ids


@rule("processes.approve_application")
def approve_application(grants, application) -> bool:
    if not grants.is_authenticated:
        return False
    if application.manager_id and application.manager_id == grants.user_id:
        return True
    return manage(grants, application.call.process)


@rule("processes.update_action")
def update_action(grants, action) -> bool:
    if not grants.is_authenticated:
        return False
    if action.owner_id and action.owner_id == grants.user_id:
        return True
    if action.service_id:
        if grants.agent_service_id == action.service_id:
            return True
        if any(r.kind == "manager" and action.service_id in r.service_ids for r in grants.roles):
            return True
    return manage(grants, action.process)


@rule("processes.sign_charter")
def sign_charter(grants, charter) -> bool:
    return grants.is_authenticated and view(grants, charter.process)
