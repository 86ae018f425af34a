"""Panels of the Socle: what each role finds on its home before any module is on."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cocon.accounts.models import AgentProfile, RoleKind
from cocon.accounts.selectors import current_roles
from cocon.backoffice.panels import Item, Panel, provider
from cocon.territory.models import Organization, Service
from cocon.territory.selectors import current_territory


def _service_todos(service: Service) -> list[Item]:
    items = []
    url = service.get_absolute_url()
    if not service.mission:
        items.append(Item(_("Describe the mission of %(s)s") % {"s": service.name}, url, todo=True))
    if not (service.email or service.phone):
        items.append(
            Item(_("Give a public contact for %(s)s") % {"s": service.name}, url, todo=True)
        )
    if not service.opening_hours.all():
        items.append(
            Item(_("Publish the opening hours of %(s)s") % {"s": service.name}, url, todo=True)
        )
    return items


@provider
def agent_panel(user, grants):
    if not grants.is_agent:
        return []
    profile = AgentProfile.objects.select_related("organization", "service").get(user=user)
    items = [
        Item(
            profile.organization.name,
            profile.organization.get_absolute_url(),
            detail=profile.job_title,
        )
    ]
    if profile.service:
        items.append(
            Item(profile.service.name, profile.service.get_absolute_url(), detail=_("My service"))
        )
    return [
        Panel(
            key="agent",
            role="agent",
            title=_("My organization"),
            items=items,
            links=[
                (_("Team directory"), reverse("territory:team", args=[profile.organization.slug]))
            ],
            order=20,
        )
    ]


@provider
def manager_panel(user, grants):
    if not grants.has_role(RoleKind.MANAGER):
        return []
    service_ids = set().union(*(r.service_ids for r in grants.roles_of(RoleKind.MANAGER)))
    services = list(
        Service.objects.filter(pk__in=service_ids)
        .select_related("organization")
        .prefetch_related("opening_hours")
        .annotate(agent_count=Count("agents"))
        .order_by("name")
    )
    items: list[Item] = []
    for service in services:
        items.extend(_service_todos(service))
    for service in services:
        items.append(
            Item(
                service.name,
                service.get_absolute_url(),
                detail=ngettext("%(n)s agent", "%(n)s agents", service.agent_count)
                % {"n": service.agent_count},
            )
        )
    return [
        Panel(
            key="manager", role="manager", title=_("The services I manage"), items=items, order=10
        )
    ]


@provider
def direction_panel(user, grants):
    roles = grants.roles_of(RoleKind.DIRECTION)
    if not roles:
        return []
    scope = Q()
    for role in roles:
        if role.direction_id:
            scope |= Q(organization_id=role.organization_id, direction_id=role.direction_id)
        else:
            scope |= Q(organization_id=role.organization_id)
    services = (
        Service.objects.filter(scope)
        .select_related("organization")
        .annotate(
            manager_count=Count(
                "roles", filter=Q(roles__kind=RoleKind.MANAGER, roles__in=current_roles())
            )
        )
        .order_by("organization__name", "name")
    )
    items = [
        Item(_("Appoint a manager for %(s)s") % {"s": s.name}, s.get_absolute_url(), todo=True)
        for s in services
        if s.manager_count == 0
    ]
    count = len(services)
    items.append(
        Item(
            ngettext("%(n)s service in my scope", "%(n)s services in my scope", count)
            % {"n": count}
        )
    )
    return [
        Panel(key="direction", role="direction", title=_("My direction"), items=items, order=10)
    ]


@provider
def elu_panel(user, grants):
    roles = grants.roles_of(RoleKind.ELU)
    if not roles:
        return []
    service_ids = set().union(*(r.service_ids for r in roles))
    services = Service.objects.filter(pk__in=service_ids).select_related("organization")
    items = [Item(role.title, "", detail=_("Delegation")) for role in roles if role.title]
    items += [
        Item(s.name, s.get_absolute_url(), detail=s.organization.display_name)
        for s in services.order_by("name")
    ]
    return [
        Panel(
            key="elu",
            role="elu",
            title=_("My delegations"),
            items=items,
            empty_text=_("No decision awaits you."),
            order=10,
        )
    ]


@provider
def expert_panel(user, grants):
    roles = grants.roles_of(RoleKind.EXPERT)
    if not roles:
        return []
    topics = sorted(
        {
            t.strip()
            for r in current_roles().filter(user=user, kind=RoleKind.EXPERT)
            for t in r.topics.split(",")
            if t.strip()
        }
    )
    return [
        Panel(
            key="expert",
            role="expert",
            title=_("My expertise"),
            items=[Item(topic) for topic in topics],
            empty_text=_("No review is requested from you."),
            order=30,
        )
    ]


@provider
def animateur_panel(user, grants):
    if not grants.has_role(RoleKind.ANIMATEUR):
        return []
    territory = current_territory()
    items: list[Item] = []
    if territory is not None:
        missing = territory.communes.annotate(n=Count("margins")).filter(n=0).count()
        if missing:
            items.append(
                Item(
                    ngettext(
                        "%(n)s commune has no population margins",
                        "%(n)s communes have no population margins",
                        missing,
                    )
                    % {"n": missing},
                    reverse("territory:territory"),
                    todo=True,
                )
            )
        items.append(Item(_("Territory and representativeness"), reverse("territory:territory")))
    return [
        Panel(key="animateur", role="animateur", title=_("Participation"), items=items, order=15)
    ]


@provider
def admin_panel(user, grants):
    org_ids = grants.organizations_with_role(RoleKind.ADMIN)
    if not org_ids and not grants.is_platform_admin:
        return []
    panels = []
    for organization in Organization.objects.filter(pk__in=org_ids).order_by("name"):
        items = []
        if not organization.logo:
            items.append(
                Item(
                    _("Add the logo of %(o)s") % {"o": organization.display_name},
                    reverse("territory:settings", args=[organization.slug]),
                    todo=True,
                )
            )
        items.append(
            Item(
                _("Settings, logo and colours"),
                reverse("territory:settings", args=[organization.slug]),
            )
        )
        items.append(
            Item(
                _("Sharing with partner organizations"),
                reverse("territory:shares", args=[organization.slug]),
            )
        )
        items.append(Item(_("Team and roles"), reverse("territory:team", args=[organization.slug])))
        panels.append(
            Panel(
                key=f"admin-{organization.pk}",
                role="admin",
                title=_("Administration — %(o)s") % {"o": organization.display_name},
                items=items,
                order=40,
            )
        )
    if grants.is_platform_admin:
        territory = current_territory()
        items = []
        if territory is not None:
            no_admin = territory.organizations.exclude(roles__kind=RoleKind.ADMIN).count()
            if no_admin:
                items.append(
                    Item(
                        ngettext(
                            "%(n)s organization has no administrator",
                            "%(n)s organizations have no administrator",
                            no_admin,
                        )
                        % {"n": no_admin},
                        reverse("admin:accounts_role_add"),
                        todo=True,
                    )
                )
            items.append(Item(_("Import population margins"), reverse("territory:margins_import")))
        items.append(Item(_("Technical administration"), reverse("admin:index")))
        panels.append(
            Panel(key="platform", role="platform", title=_("Platform"), items=items, order=45)
        )
    return panels
