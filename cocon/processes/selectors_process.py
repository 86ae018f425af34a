"""Reads of the process frame: the processes a person may see, one process with what its
page reads, its timeline, its proposals section, the processes a person manages.

The visibility filter mirrors the `processes.view` rule in SQL so that list pages run a
fixed number of queries, whatever the number of processes.
"""

from __future__ import annotations

from django.db.models import F, Prefetch, Q
from django.utils import timezone

from cocon.core.permissions import grants_of
from cocon.processes.models.process import Phase, Process, ProcessVoice
from cocon.processes.rules import MANAGER_ROLES


def managed_q(grants) -> Q:
    """Processes `grants` may manage (the `processes.manage` rule, in SQL)."""
    if not grants.is_authenticated:
        return Q(pk__in=[])
    if grants.is_platform_admin:
        return Q(pk__isnull=False)  # not Q(): an empty Q vanishes when OR-ed
    org_ids = {r.organization_id for r in grants.roles if r.kind in MANAGER_ROLES}
    return Q(organization_id__in=org_ids) | Q(animateurs__id=grants.user_id)


def visible_q(grants) -> Q:
    """Processes `grants` may see (the `processes.view` rule, in SQL)."""
    q = Q(published_at__isnull=False, is_public=True)
    if not grants.is_authenticated:
        return q
    members = grants.member_organization_ids
    if members:
        q |= Q(published_at__isnull=False) & (
            Q(organization_id__in=members) | Q(organizations__id__in=members)
        )
    return q | managed_q(grants)


def _phases_prefetch() -> Prefetch:
    return Prefetch("phases", queryset=Phase.objects.select_related("survey").order_by("position"))


def process_list(user) -> list[Process]:
    """Processes `user` may see, open ones first, each with its phases and current phase
    (`current_phase`, None between or after the phases). Three queries."""
    grants = grants_of(user)
    ids = Process.objects.filter(visible_q(grants)).values("pk")
    processes = list(
        Process.objects.filter(pk__in=ids)
        .select_related("organization")
        .prefetch_related(_phases_prefetch())
        .order_by(F("closed_at").asc(nulls_first=True), "-published_at", "-created_at")
    )
    today = timezone.localdate()
    for process in processes:
        process.current_phase = current_phase(process.phases.all(), today)
    return processes


def current_phase(phases, today=None):
    today = today or timezone.localdate()
    return next((p for p in phases if p.state(today) == "current"), None)


def collecting_phase(process: Process, today=None):
    """The current phase gathering voices through the public form, if the process is
    published and not closed (reads the prefetched phases)."""
    from cocon.processes.models.process import Component

    if process.published_at is None or process.closed_at is not None:
        return None
    return process.current_phase_with(Component.VOICES, today)


def default_service(process: Process):
    """The service a voice given for the process goes to when the person names none: the
    first public service involved, of the leading organization first (one query)."""
    from django.db.models import Case, IntegerField, Value, When

    return (
        process.services.filter(is_public=True)
        .select_related("organization")
        .annotate(
            lead=Case(
                When(organization_id=process.organization_id, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("lead", "name")
        .first()
    )


def process_for_page(territory, slug: str) -> Process:
    """One process with what its page and the permission rules read (raises
    Process.DoesNotExist)."""
    return (
        Process.objects.select_related("organization", "sponsor", "campaign", "territory")
        .prefetch_related("organizations", "animateurs", _phases_prefetch())
        .get(territory=territory, slug=slug)
    )


def timeline(process: Process, today=None) -> list[dict]:
    """The ordered phases with their state and the labels of their components."""
    from cocon.processes.models.process import Component

    today = today or timezone.localdate()
    labels = dict(Component.choices)
    return [
        {
            "phase": phase,
            "state": phase.state(today),
            "components": [labels.get(c, c) for c in phase.components],
        }
        for phase in process.phases.all()
    ]


def proposals_summary(process: Process, user, limit: int = 10) -> dict:
    """Count and most supported ideas of the process's campaign that `user` may see (two
    queries, on the indexed counters of Idées)."""
    if process.campaign_id is None:
        return {"count": 0, "top": [], "campaign": None}
    from cocon.ideas.selectors import visible_ideas

    qs = visible_ideas(user).filter(campaign_id=process.campaign_id)
    top = list(qs.order_by("-support_count", "-id")[:limit])
    return {"count": qs.count(), "top": top, "campaign": process.campaign}


def voices_count(process: Process) -> int:
    return ProcessVoice.objects.filter(process=process).count()


def managed_processes(user, limit: int = 20) -> list[Process]:
    """Processes `user` manages, most recent first (one query)."""
    grants = grants_of(user)
    ids = Process.objects.filter(managed_q(grants)).values("pk")
    return list(
        Process.objects.filter(pk__in=ids)
        .only("pk", "title", "slug", "published_at", "closed_at", "created_at")
        .order_by(F("closed_at").asc(nulls_first=True), "-created_at")[:limit]
    )


def public_section(process, user) -> dict:
    """Context for `processes/process/_public.html`: the proposals of the process and the
    number of voices it frames (3 queries at most)."""
    summary = proposals_summary(process, user)
    voices = voices_count(process)
    collecting = collecting_phase(process) is not None
    if not summary["count"] and not voices and process.campaign_id is None and not collecting:
        return {}
    return {
        "process_collecting_voices": collecting,
        "process_proposals_count": summary["count"],
        "process_proposals_top": summary["top"],
        "process_campaign": summary["campaign"],
        "process_voices_count": voices,
    }


def surveys_for(process):
    """The barometers a survey phase of `process` may use: those of the services of the
    leading and involved organizations."""
    from django.db.models import Q

    from cocon.barometer.models import Barometer

    return (
        Barometer.objects.filter(
            Q(service__organization_id=process.organization_id)
            | Q(service__organization__in=process.organizations.all())
        )
        .select_related("service")
        .order_by("title")
        .distinct()
    )


def possible_sponsors(process):
    """Élus (current role) of the organizations of the process's territory."""
    from django.db.models import Q
    from django.utils import timezone

    from cocon.accounts.models import User

    today = timezone.localdate()
    return (
        User.objects.filter(
            roles__kind="elu",
            roles__organization__territory_id=process.territory_id,
            roles__starts_on__lte=today,
        )
        .filter(Q(roles__ends_on__isnull=True) | Q(roles__ends_on__gte=today))
        .distinct()
        .order_by("full_name")
    )


def possible_animateurs(process):
    """Agents of the leading and involved organizations."""
    from cocon.accounts.models import User

    organization_ids = {process.organization_id} | set(
        process.organizations.values_list("pk", flat=True)
    )
    return User.objects.filter(
        agent_profile__organization_id__in=organization_ids, is_active=True
    ).order_by("full_name")
