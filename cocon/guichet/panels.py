"""What the Guichet adds to "Mon espace": for every agent, the counter tools (log an
appointment, ask a referent, search the knowledge base, the referent directory, the
dashboard); for referents, the questions awaiting their answer and their entries to
review; for organization administrators, the network settings; for the members and
supervisors of a legal team, its follow-up. At most five small queries, only for
agents and role holders."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cocon.backoffice.panels import Item, Panel, provider


@provider
def guichet_panel(user, grants):
    if not grants.is_authenticated or not grants.is_staff_member:
        return []
    from cocon.guichet.models import Question
    from cocon.guichet.rules import referent_links
    from cocon.guichet.selectors_knowledge import entries_to_review
    from cocon.guichet.selectors_legal import teams_of
    from cocon.guichet.selectors_questions import inbox_q

    items: list[Item] = []
    panels: list[Panel] = []
    q = inbox_q(user)
    if q is not None:
        waiting = Question.objects.filter(q, state=Question.State.OPEN).count()
        items.append(
            Item(
                ngettext(
                    "%(n)s question from a counter to answer",
                    "%(n)s questions from counters to answer",
                    waiting,
                )
                % {"n": waiting},
                reverse("guichet:question_inbox"),
                todo=bool(waiting),
            )
        )
    if referent_links(grants):
        to_review = entries_to_review(user).count()
        if to_review:
            items.append(
                Item(
                    ngettext(
                        "%(n)s knowledge entry to review",
                        "%(n)s knowledge entries to review",
                        to_review,
                    )
                    % {"n": to_review},
                    reverse("guichet:knowledge_review"),
                    todo=True,
                )
            )
    if grants.is_agent:
        to_record = Question.objects.filter(
            asker=user, state=Question.State.ANSWERED, need_met__isnull=True
        ).count()
        items += [
            Item(_("Log an appointment"), reverse("guichet:log_new")),
            Item(_("Ask a referent"), reverse("guichet:question_ask")),
            Item(
                _("My questions to referents"),
                reverse("guichet:question_mine"),
                detail=ngettext(
                    "%(n)s answer to pass on to the user",
                    "%(n)s answers to pass on to the users",
                    to_record,
                )
                % {"n": to_record}
                if to_record
                else "",
                todo=bool(to_record),
            ),
            Item(_("Search the knowledge base"), reverse("guichet:knowledge_search")),
            Item(_("Referent directory"), reverse("guichet:network_directory")),
            Item(_("Counter dashboard"), reverse("guichet:log_dashboard")),
        ]
    for org_id in sorted(grants.organizations_with_role("admin")):
        from cocon.territory.models import Organization

        org = Organization.objects.filter(pk=org_id).only("slug", "name", "short_name").first()
        if org is not None:
            items.append(
                Item(
                    _("Referents, commitment and counters of %(org)s") % {"org": org.display_name},
                    reverse("guichet:settings_referents", args=[org.slug]),
                )
            )
    if items:
        role = "expert" if referent_links(grants) else "agent"
        panels.append(
            Panel(key="guichet", role=role, title=_("Multi-service counter"), items=items, order=40)
        )
    teams = list(teams_of(user))
    if teams:
        panels.append(
            Panel(
                key="guichet_legal",
                role="agent",
                title=_("Access-to-rights follow-up"),
                items=[
                    Item(team.name, reverse("guichet:legal_home", args=[team.slug]))
                    for team in teams
                ],
                order=41,
            )
        )
    return panels
