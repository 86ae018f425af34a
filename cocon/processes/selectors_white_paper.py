"""Reads of the white paper (livre blanc): everything the generated document says about
a process, in a fixed number of queries whatever the number of proposals (the bench
renders 2,000), the versions a reader may see, and the public section.

Participation figures come from `selectors_events.participation_figures(process)`;
counts below `SMALL_CELL` are hidden, as everywhere else in Cocon.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from django.db.models import Prefetch, Sum
from django.utils import timezone

from cocon.guichet.selectors_log import hide_small
from cocon.processes.models import Event, EventOutput
from cocon.processes.models.events import ParticipantRole
from cocon.processes.models.personas import Persona, PersonaQuote
from cocon.processes.models.white_paper import WhitePaper, WhitePaperVersion
from cocon.voices.selectors import SMALL_CELL


# --- participation -----------------------------------------------------------------------
def participation_figures(process) -> dict:
    """See `selectors_events.participation_figures` (3 queries)."""
    from cocon.processes.selectors_events import participation_figures as figures

    return figures(process)


def _share(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole >= SMALL_CELL and part else None


def participation_tables(process) -> dict:
    """Rows ready to print: by role (registered / present), by age band and by commune
    against the population of the territory (or of the communes of the process)."""
    from cocon.territory.models import Commune, PopulationMargin

    figures = participation_figures(process)
    roles = []
    for value, label in ParticipantRole.choices:
        counts = figures.get("by_role", {}).get(value) or {}
        roles.append(
            {
                "label": label,
                "registered": counts.get("registered", 0),
                "present": counts.get("present", 0),
            }
        )
    for key in ("registered", "present"):
        rows = [{"n": r[key]} for r in roles]
        hide_small(rows)
        for role, row in zip(roles, rows, strict=True):
            role[f"{key}_shown"] = row["shown"]
    total_registered = sum(r["registered"] for r in roles)
    total_present = sum(r["present"] for r in roles)

    communes = list(process.communes.all()) or list(
        Commune.objects.filter(territory=process.territory_id)
    )
    commune_ids = [c.pk for c in communes]
    margins = dict(
        PopulationMargin.objects.filter(commune_id__in=commune_ids)
        .values_list("age_band")
        .annotate(n=Sum("population"))
        .values_list("age_band", "n")
    )
    population_total = sum(margins.values())
    by_age = figures.get("by_age_band", {}) or {}
    age_total = sum(by_age.values())
    bands = sorted(set(margins) | set(by_age))
    age_rows = hide_small([{"label": b, "n": by_age.get(b, 0)} for b in bands])
    for row in age_rows:
        row["share"] = _share(row["shown"] or 0, age_total)
        pop = margins.get(row["label"], 0)
        row["population_share"] = round(100 * pop / population_total) if population_total else None

    by_commune = {
        int(k): (v["present"] if isinstance(v, dict) else v)
        for k, v in (figures.get("by_commune", {}) or {}).items()
    }
    commune_total = sum(by_commune.values())
    commune_population = sum(c.population or 0 for c in communes)
    names = {c.pk: c for c in communes}
    missing = [pk for pk in by_commune if pk not in names]
    if missing:
        names.update({c.pk: c for c in Commune.objects.filter(pk__in=missing)})
    commune_rows = hide_small(
        [
            {"label": names[pk].name if pk in names else "?", "n": n, "pk": pk}
            for pk, n in sorted(by_commune.items(), key=lambda kv: -kv[1])
        ]
        + [{"label": c.name, "n": 0, "pk": c.pk} for c in communes if c.pk not in by_commune]
    )
    for row in commune_rows:
        row["share"] = _share(row["shown"] or 0, commune_total)
        pop = names[row["pk"]].population if row["pk"] in names else 0
        row["population_share"] = (
            round(100 * (pop or 0) / commune_population) if commune_population else None
        )
    return {
        "roles": roles,
        "total_registered": total_registered,
        "total_present": total_present,
        "events": figures.get("events_held", figures.get("events", 0)),
        "outputs": figures.get("outputs", 0),
        "age_rows": age_rows if age_total else [],
        "age_total": age_total,
        "commune_rows": commune_rows if commune_total else [],
        "commune_total": commune_total,
        "small_cell": SMALL_CELL,
    }


# --- proposals ---------------------------------------------------------------------------
def public_ideas(process):
    """The proposals of the process that are public (what the document may print)."""
    from cocon.ideas.models import Idea, Review, Visibility

    if not process.campaign_id:
        return Idea.objects.none()
    published_reviews = Review.objects.filter(published_at__isnull=False).order_by(
        "published_at", "pk"
    )
    return (
        Idea.objects.filter(
            campaign_id=process.campaign_id,
            hidden_at__isnull=True,
            awaiting_moderation=False,
            visibility=Visibility.PUBLIC,
        )
        .select_related("theme")
        .only(
            "id",
            "title",
            "proposal",
            "support_count",
            "state",
            "author_category",
            "theme__name",
            "created_at",
        )
        .prefetch_related(Prefetch("reviews", queryset=published_reviews, to_attr="opinions"))
        .order_by("theme__name", "-support_count", "pk")
    )


@dataclass
class ThemeGroup:
    name: str
    ideas: list = field(default_factory=list)


def ideas_by_theme(process) -> tuple[list[ThemeGroup], int]:
    groups: OrderedDict[str, ThemeGroup] = OrderedDict()
    count = 0
    for idea in public_ideas(process):
        name = idea.theme.name if idea.theme_id else ""
        groups.setdefault(name, ThemeGroup(name)).ideas.append(idea)
        count += 1
    ordered = [g for n, g in groups.items() if n] + ([groups[""]] if "" in groups else [])
    return ordered, count


# --- the whole document ------------------------------------------------------------------
def document_context(process, white_paper: WhitePaper) -> dict:
    today = timezone.localdate()
    phases = [p for p in process.phases.all().order_by("position") if p.starts_on <= today]
    for p in phases:
        p.is_current = p.ends_on >= today
    groups, idea_count = ideas_by_theme(process)
    events = list(
        Event.objects.filter(
            process=process, cancelled_at__isnull=True, starts_at__lte=timezone.now()
        )
        .prefetch_related(
            Prefetch(
                "outputs",
                queryset=EventOutput.objects.filter(idea__hidden_at__isnull=True)
                .select_related("idea")
                .only("id", "kind", "event_id", "idea__id", "idea__title", "idea__proposal"),
            )
        )
        .order_by("starts_at", "pk")
    )
    personas = list(
        Persona.objects.filter(process=process, published=True)
        .prefetch_related(
            Prefetch(
                "quotes",
                queryset=PersonaQuote.objects.select_related("voice").only(
                    "id", "persona_id", "text", "source_label", "idea_id", "voice__reference"
                ),
            )
        )
        .order_by("position", "pk")
    )
    return {
        "process": process,
        "white_paper": white_paper,
        "phases": phases,
        "participation": participation_tables(process),
        "theme_groups": groups,
        "idea_count": idea_count,
        "events": events,
        "personas": personas,
        "generated_on": today,
    }


# --- versions ----------------------------------------------------------------------------
def white_paper_of(process) -> WhitePaper | None:
    return WhitePaper.objects.filter(process=process).first()


def versions_of(white_paper: WhitePaper | None, *, include_unpublished: bool):
    if white_paper is None:
        return WhitePaperVersion.objects.none()
    qs = WhitePaperVersion.objects.filter(white_paper=white_paper).defer("html", "pdf")
    if not include_unpublished:
        qs = qs.filter(published=True)
    return qs.select_related("created_by").order_by("-number")


def public_section(process, user) -> dict:
    """Context for `processes/white_paper/_public.html`: the latest published version
    (one query)."""
    version = (
        WhitePaperVersion.objects.filter(white_paper__process=process, published=True)
        .defer("html", "pdf")
        .order_by("-number")
        .first()
    )
    if version is None:
        return {}
    return {"white_paper_version": version}
