"""What the Démarches add to "Mon espace": for the people who may start a process (the
administrators and animateurs of an organization, platform administrators), "New
process" and the processes they manage. One query (plus the roles, already loaded)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from cocon.backoffice.panels import Item, Panel, provider
from cocon.processes.rules import MANAGER_ROLES


@provider
def processes_panel(user, grants):
    if not grants.is_authenticated:
        return []
    if not grants.is_platform_admin and not (grants.role_kinds() & MANAGER_ROLES):
        return []
    from cocon.processes.selectors_process import managed_processes

    items = [Item(_("New process"), reverse("processes:create"))]
    for process in managed_processes(user, limit=10):
        if process.closed_at:
            detail = _("closed")
        elif process.published_at:
            detail = _("published")
        else:
            detail = _("not published")
        items.append(
            Item(
                process.title,
                reverse("processes:manage", args=[process.slug]),
                detail=detail,
                todo=not process.published_at,
            )
        )
    return [
        Panel(
            key="processes",
            role="animateur",
            title=_("Co-construction processes"),
            items=items,
            links=[(_("All the processes"), reverse("processes:list"))],
            order=45,
        )
    ]
