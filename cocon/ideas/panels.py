"""What Idées adds to the home page (propose an idea) and to "Mon espace" (the
démineur's queue, the ideas awaiting the person's decision, the moderation queue)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cocon.backoffice.panels import Item, Panel, provider
from cocon.core.entrypoints import EntryPoint, register

register(
    EntryPoint(
        "ideas",
        gettext_lazy("Propose an idea"),
        gettext_lazy(
            "Calls for ideas and idea boxes: propose, support, comment, and see what was "
            "decided, by whom and why."
        ),
        "ideas:home",
        order=30,
    )
)


@provider
def ideas_panel(user, grants):
    if not grants.is_authenticated:
        return []
    from cocon.ideas.models import Review

    items = []
    pending = Review.objects.filter(expert_id=grants.user_id, submitted_at__isnull=True).count()
    if pending:
        items.append(
            Item(
                ngettext("%(n)s expert opinion to give", "%(n)s expert opinions to give", pending)
                % {"n": pending},
                reverse("ideas:expert_queue"),
                todo=True,
            )
        )
    if any(r.kind in ("manager", "direction", "elu") for r in grants.roles):
        items.append(Item(_("Ideas awaiting my decision"), reverse("ideas:decisions")))
    if grants.is_platform_admin or any(r.kind in ("animateur", "admin") for r in grants.roles):
        items.append(Item(_("Calls for ideas and déminage"), reverse("ideas:manage")))
        items.append(Item(_("Moderation queue"), reverse("ideas:moderation")))
    items.append(Item(_("My ideas"), reverse("ideas:mine")))
    role = "expert" if pending else ("agent" if grants.is_agent else "usager")
    return [Panel(key="ideas", role=role, title=_("Ideas"), items=items, order=35)]
