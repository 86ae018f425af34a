"""What the Baromètre adds to the home page (the published results) and to "Mon espace"
(the barometers of the person's organizations)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cocon.backoffice.panels import Item, Panel, provider
from cocon.core.entrypoints import EntryPoint, register

register(
    EntryPoint(
        "barometer",
        gettext_lazy("Satisfaction with public services"),
        gettext_lazy(
            "What inhabitants think of water, waste collection or transport, measured every "
            "year, next to the service's own technical figures, and what is being done."
        ),
        "barometer:public_list",
        order=40,
    )
)


@provider
def barometers_panel(user, grants):
    """The barometers of the person's organizations, with overdue actions to do."""
    if not grants.is_staff_member:
        return []
    from cocon.barometer.rules import manages_in
    from cocon.barometer.selectors import staff_barometers

    barometers = list(staff_barometers(grants)[:6])
    if not barometers:
        return []
    items = []
    managed = 0
    for b in barometers[:5]:
        manages = manages_in(grants, b.service.organization_id, b.service_id)
        managed += manages
        overdue = b.n_overdue if manages else 0
        items.append(
            Item(
                b.title,
                reverse("barometer:dashboard", args=[b.pk]),
                detail=ngettext(
                    "%(n)s action of the plan is overdue",
                    "%(n)s actions of the plan are overdue",
                    overdue,
                )
                % {"n": overdue}
                if overdue
                else b.service.name,
                todo=bool(overdue),
            )
        )
    return [
        Panel(
            key="barometers",
            role="manager" if managed else "agent",
            title=_("Satisfaction barometers"),
            items=items,
            links=[(_("All barometers"), reverse("barometer:staff_list"))],
            order=60,
        )
    ]
