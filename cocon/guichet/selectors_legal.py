"""Reads of the access-to-rights follow-up (legal team). No permission check here: the
views check `guichet.legal_read` first and log the read (`services_legal.log_read`)."""

from __future__ import annotations

from django.db.models import Count, Q

from cocon.guichet.models import CaseAction, CaseReadLog, Indicator, LegalCase, LegalTeam


def team_by_slug(slug: str) -> LegalTeam | None:
    return LegalTeam.objects.select_related("organization").filter(slug=slug).first()


def teams_of(user):
    """The teams `user` belongs to or supervises (for a link in their space)."""
    if not getattr(user, "is_authenticated", False):
        return LegalTeam.objects.none()
    return LegalTeam.objects.filter(Q(members=user) | Q(supervisors=user)).distinct()


def cases(team: LegalTeam, *, state: str = "", number: str = ""):
    """The team's cases, newest first, each with `n_actions` and `last_action`."""
    qs = LegalCase.objects.filter(team=team).annotate(n_actions=Count("actions"))
    if state:
        qs = qs.filter(state=state)
    if number:
        qs = qs.filter(number__icontains=number.strip())
    return qs.order_by("-opened_on", "-id")


def open_cases(team: LegalTeam):
    return cases(team, state=LegalCase.State.OPEN)


def case_of(team: LegalTeam, number: str) -> LegalCase | None:
    return LegalCase.objects.filter(team=team, number=number).first()


def actions_of(case: LegalCase):
    return CaseAction.objects.filter(case=case).select_related("author").order_by("date", "id")


def trainings(team: LegalTeam):
    return team.trainings.all().order_by("-date", "-id")


def indicators(team: LegalTeam):
    return Indicator.objects.filter(team=team).order_by("name")


def read_log(team: LegalTeam, *, refused_only: bool = False):
    qs = CaseReadLog.objects.filter(team=team).select_related("user")
    if refused_only:
        qs = qs.filter(allowed=False)
    return qs.order_by("-at", "-id")


def counts(team: LegalTeam) -> dict[str, int]:
    """Open and closed cases, actions recorded (kept after erasure): one query each."""
    by_state = dict(
        LegalCase.objects.filter(team=team)
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return {
        "open": by_state.get(LegalCase.State.OPEN, 0),
        "closed": by_state.get(LegalCase.State.CLOSED, 0),
        "actions": CaseAction.objects.filter(team=team).count(),
    }
