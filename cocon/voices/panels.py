"""What Paroles adds to "Mon espace" and to the home page."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cocon.backoffice.panels import Item, Panel, provider
from cocon.core.entrypoints import EntryPoint, register
from cocon.voices.models import OPEN_STATUSES
from cocon.voices.rules import scope_of
from cocon.voices.selectors import my_voices, overdue_q

ROLE_ORDER = ("manager", "direction", "elu", "animateur", "admin")


@provider
def my_contributions(user, grants):
    voices = list(my_voices(user)[:5])
    return [
        Panel(
            key="my-contributions",
            role="usager",
            title=_("My contributions"),
            items=[
                Item(
                    f"{v.reference} — {v.get_kind_display()} ({v.service.name})",
                    v.get_absolute_url(),
                    detail=f"{v.get_status_display()} · {v.created_at:%d/%m/%Y}",
                )
                for v in voices
            ],
            empty_text=""
            if voices
            else _(
                "You have not contributed yet. What you say, report or propose will be "
                "listed here with its status and the answer you receive."
            ),
            links=[
                (_("Write a message"), reverse("voices:give")),
                (_("All my messages"), reverse("voices:mine")),
                (_("My profile and my data"), reverse("accounts:profile")),
            ],
            order=90,
        )
    ]


@provider
def voices_panel(user, grants):
    """Counts of the person's feed: what is new this week, open, and overdue."""
    scope = scope_of(grants)
    if not (grants.is_agent or not scope.is_empty):
        return []
    from cocon.voices.models import Voice

    kinds = grants.role_kinds()
    role = next((k for k in ROLE_ORDER if k in kinds), "agent")
    visible = Voice.objects.filter(scope.q())
    now = timezone.now()
    week = visible.filter(created_at__gte=now - dt.timedelta(days=7)).count()
    open_count = visible.filter(status__in=OPEN_STATUSES).count()
    overdue = visible.filter(overdue_q(now)).count()
    feed = reverse("voices:feed")
    items = (
        [
            Item(
                ngettext("%(n)s voice overdue", "%(n)s voices overdue", overdue) % {"n": overdue},
                f"{feed}?status=overdue",
                todo=True,
            )
        ]
        if overdue
        else []
    )
    items += [
        Item(
            ngettext("%(n)s new voice this week", "%(n)s new voices this week", week) % {"n": week},
            feed,
        ),
        Item(
            ngettext("%(n)s open voice", "%(n)s open voices", open_count) % {"n": open_count},
            f"{feed}?status=open",
        ),
    ]
    links = [(_("All the voices"), feed)]
    if grants.is_agent or grants.is_platform_admin:
        links.insert(0, (_("Capture a voice"), reverse("voices:capture")))
    links.append((_("Dashboards"), reverse("voices:dashboards")))
    admin_of = grants.organizations_with_role("admin")
    if admin_of:
        from cocon.territory.models import Organization

        for org in Organization.objects.filter(pk__in=admin_of).only("slug", "name", "short_name"):
            links.append(
                (
                    _("Routing of voices — %(org)s") % {"org": org.display_name},
                    reverse("voices:routing", args=[org.slug]),
                )
            )
    return [
        Panel(
            key="voices",
            role=role,
            title=_("Voices of users and agents"),
            items=items,
            links=links,
            order=5,
        )
    ]


register(
    EntryPoint(
        "speak",
        gettext_lazy("Give your opinion, report, say thank you"),
        gettext_lazy(
            "Your message goes straight to the service concerned, whatever the organization, "
            "and you get an answer."
        ),
        "voices:give",
        order=10,
    )
)
register(
    EntryPoint(
        "track",
        gettext_lazy("Follow your message"),
        gettext_lazy("With the reference and code given when you wrote, read the answer."),
        "voices:track",
        order=65,
    )
)
