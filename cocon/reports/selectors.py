"""Reads of Signalements: the public list and map, "already reported nearby", the staff
list. Public reads return only public fields (see `PUBLIC_FIELDS`): never the text of a
contact, the author, the relay or internal notes."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db.models import Count, F, FloatField, Q, QuerySet, Sum
from django.db.models.functions import Cast, Floor
from django.utils import timezone

from cocon.lib import geo
from cocon.reports.models import CELL_PER_DEG, Category, CellCount, Report
from cocon.reports.services import DUPLICATE_RADIUS_M
from cocon.voices.models import OPEN_STATUSES

PUBLIC_STATUSES_OPEN = "open"
PUBLIC_STATUSES_CLOSED = "closed"
MAP_MARKERS_MAX = 500


def categories(territory, *, active_only: bool = True) -> QuerySet[Category]:
    qs = Category.objects.filter(territory=territory)
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("position", "name")


@dataclass
class PublicFilters:
    category: Category | None = None
    status: str = ""  # "", "open", "closed", or one Status value
    commune_id: int | None = None
    since: dt.date | None = None


def _public_filter(qs: QuerySet[Report], f: PublicFilters) -> QuerySet[Report]:
    if f.category is not None:
        qs = qs.filter(category=f.category)
    if f.status == PUBLIC_STATUSES_OPEN:
        qs = qs.filter(is_open=True)
    elif f.status == PUBLIC_STATUSES_CLOSED:
        qs = qs.filter(is_open=False)
    elif f.status:
        qs = qs.filter(status=f.status)
    if f.commune_id:
        qs = qs.filter(voice__commune_id=f.commune_id)
    if f.since:
        start = timezone.make_aware(dt.datetime.combine(f.since, dt.time.min))
        qs = qs.filter(created_at__gte=start)
    return qs


def public_reports(territory, filters: PublicFilters | None = None) -> QuerySet[Report]:
    """Newest first, with what the public list shows, in a constant number of queries."""
    qs = Report.objects.filter(territory=territory).exclude(status="merged")
    qs = _public_filter(qs, filters or PublicFilters())
    return qs.select_related("category", "voice__commune").only(
        "voice_id",
        "latitude",
        "longitude",
        "precision",
        "status",
        "is_open",
        "status_notes",
        "support_count",
        "created_at",
        "updated_at",
        "category__name",
        "category__code",
        "category__sensitive",
        "voice__reference",
        "voice__text",
        "voice__address",
        "voice__commune__name",
        "voice__kind",
    )


def map_data(territory, box: geo.Box, filters: PublicFilters | None = None) -> dict:
    """What the map needs for the visible area: markers when there are at most
    MAP_MARKERS_MAX, otherwise clusters (counts on a grid) so that a whole-territory
    view stays light.

    Two queries whatever the area (bench/reports_read.py, 500,000 reports): first at
    most MAP_MARKERS_MAX + 1 ids *without order*, an index-only range scan of
    `report_map` (open reports) or `report_map_all` (every state) that stops early;
    then either the markers of those ids, newest first, or the grid counts. Ordering
    the box by date first made PostgreSQL walk `report_recent` through most of the
    table for a small box, and counting read every row from the heap.

    Clusters of a large area (a view wider than about 24 map cells of 1/400°) with no
    filter but the state are not counted row by row: `CellCount` holds, per cell and
    status, how many reports there are (kept by database triggers, exact), so the
    second query adds up the cells that lie wholly inside the box and counts, point by
    point, only the reports of the cells the box's edge cuts through (`report_cells`
    index); the cells are merged here into the view's grid, whose step is snapped to a
    whole number of cells so that every report falls in the view cell that holds its
    public point (whole territory, every state, 500,000 reports: p95 321 ms before,
    about 40 ms). Open reports only (the default map) keep the coordinate grid:
    `report_map` reads only them, about a tenth of the rows."""
    f = filters or PublicFilters(status=PUBLIC_STATUSES_OPEN)
    qs = Report.objects.filter(
        territory=territory,
        latitude__gte=box.south,
        latitude__lte=box.north,
        longitude__gte=box.west,
        longitude__lte=box.east,
    )
    if f.status != PUBLIC_STATUSES_OPEN:  # an open report is never merged
        qs = qs.exclude(status="merged")
    qs = _public_filter(qs, f)
    ids = list(qs.order_by().values_list("pk", flat=True)[: MAP_MARKERS_MAX + 1])
    if len(ids) <= MAP_MARKERS_MAX:
        rows = (
            Report.objects.filter(pk__in=ids)
            .order_by("-created_at", "-voice_id")
            .values_list(
                "voice__reference",
                "latitude",
                "longitude",
                "status",
                "category__name",
                "category__code",
            )
        )
        return {
            "mode": "markers",
            "markers": [
                {
                    "ref": r[0],
                    "lat": r[1],
                    "lon": r[2],
                    "status": r[3],
                    "category": r[4],
                    "code": r[5],
                }
                for r in rows
            ],
        }
    step = geo.grid_step_deg(box)
    k = _cells_per_view_cell(step, f)
    if k:
        return {"mode": "clusters", "clusters": _clusters_from_cells(territory, box, f, qs, k)}
    cells = (
        qs.annotate(
            gy=Floor(Cast(F("latitude"), FloatField()) / step),
            gx=Floor(Cast(F("longitude"), FloatField()) / step),
        )
        .values("gy", "gx")
        .annotate(n=Count("*"))
        .order_by()
    )
    return {
        "mode": "clusters",
        "clusters": [
            {
                "lat": (c["gy"] + 0.5) * step,
                "lon": (c["gx"] + 0.5) * step,
                "count": c["n"],
            }
            for c in cells
        ],
    }


def _cells_per_view_cell(step: float, f: PublicFilters) -> int:
    """How many map cells across a view cell of about `step` degrees makes, when the
    cell counts can answer (a large view, filtered by state only); else 0."""
    if f.status == PUBLIC_STATUSES_OPEN or f.category or f.commune_id or f.since:
        return 0
    return round(step * CELL_PER_DEG) if step * CELL_PER_DEG >= 1 else 0


def _clusters_from_cells(territory, box: geo.Box, f: PublicFilters, qs, k: int) -> list[dict]:
    """Exact counts of a large view in one statement: the cells wholly inside the box
    from `CellCount`, plus the reports of the cells on its edge, checked point by point
    (`qs` is the box and filter already), merged k × k into the view's cells."""
    eps = 1e-9  # public points have 6 decimals: a cell inside by less is not inside
    rows = (math.floor(box.south * CELL_PER_DEG), math.floor(box.north * CELL_PER_DEG))
    cols = (math.floor(box.west * CELL_PER_DEG), math.floor(box.east * CELL_PER_DEG))
    # cells whose every point is in the box: row / CELL_PER_DEG >= south and
    # (row + 1) / CELL_PER_DEG <= north (and the same for columns)
    inner_rows = (
        math.ceil(box.south * CELL_PER_DEG + eps),
        math.floor(box.north * CELL_PER_DEG - eps) - 1,
    )
    inner_cols = (
        math.ceil(box.west * CELL_PER_DEG + eps),
        math.floor(box.east * CELL_PER_DEG - eps) - 1,
    )
    counts = CellCount.objects.filter(territory=territory, n__gt=0)
    if f.status == PUBLIC_STATUSES_CLOSED:
        counts = counts.exclude(status__in=[*OPEN_STATUSES, "merged"])
    elif f.status:
        counts = counts.filter(status=f.status)
    else:
        counts = counts.exclude(status="merged")
    span = counts.filter(cell_row__range=rows, cell_col__range=cols)
    inner = Q(cell_row__range=inner_rows, cell_col__range=inner_cols)

    def view_cell(row, col) -> dict:  # floor(row / k): a floor, not a truncation
        return {
            "gy": Floor(Cast(row, FloatField()) / k),
            "gx": Floor(Cast(col, FloatField()) / k),
        }

    whole = (
        span.filter(inner)
        .annotate(**view_cell(F("cell_row"), F("cell_col")))
        .values("gy", "gx")
        .annotate(n=Sum("n"))
        .order_by()
    )
    cut = (
        qs.filter(cell__in=span.exclude(inner).values("cell"))
        .annotate(
            **view_cell(Floor(F("latitude") * CELL_PER_DEG), Floor(F("longitude") * CELL_PER_DEG))
        )
        .values("gy", "gx")
        .annotate(n=Count("*"))
        .order_by()
    )
    merged: dict[tuple[int, int], int] = {}
    for gy, gx, n in whole.values_list("gy", "gx", "n").union(
        cut.values_list("gy", "gx", "n"), all=True
    ):
        key = (int(gy), int(gx))
        merged[key] = merged.get(key, 0) + n
    step = k / CELL_PER_DEG
    return [
        {"lat": (gy + 0.5) * step, "lon": (gx + 0.5) * step, "count": n}
        for (gy, gx), n in merged.items()
    ]


def nearby_open(
    category: Category, latitude: float, longitude: float, radius_m: float = DUPLICATE_RADIUS_M
) -> list[tuple[Report, float]]:
    """Open reports of the same category within `radius_m`, nearest first, with their
    distance: "this is already reported" (the person may support it instead).
    Distances are measured on the public point, so a sensitive report's exact place is
    never revealed by this question."""
    box = geo.box_around(latitude, longitude, radius_m)
    candidates = (
        Report.objects.filter(
            category=category,
            is_open=True,
            latitude__gte=box.south,
            latitude__lte=box.north,
            longitude__gte=box.west,
            longitude__lte=box.east,
        )
        .select_related("voice", "category")
        .order_by("-created_at")[:50]
    )
    found = []
    for r in candidates:
        d = geo.distance_m(latitude, longitude, r.latitude, r.longitude)
        if d <= radius_m:
            found.append((r, d))
    found.sort(key=lambda x: x[1])
    return found


def public_report(territory, reference: str) -> Report | None:
    return (
        Report.objects.filter(territory=territory, voice__reference=reference.upper())
        .select_related(
            "category", "voice__commune", "voice__service__organization", "voice__merged_into"
        )
        .first()
    )


def staff_reports(scope_q: Q, *, territory, team_ids=()) -> QuerySet[Report]:
    """Reports a staff member may see (scope from `VoiceScope.q()` on voices), plus
    those assigned to the field teams `team_ids` the person belongs to."""
    from cocon.voices.models import Voice

    visible = Voice.objects.filter(scope_q, territory=territory, kind="report")
    q = Q(voice__in=visible)
    if team_ids:
        q |= Q(territory=territory, team_id__in=list(team_ids))
    return (
        Report.objects.filter(q)
        .select_related("category", "team", "voice__service", "voice__commune")
        .order_by("-created_at", "-voice_id")
    )


__all__ = [
    "MAP_MARKERS_MAX",
    "OPEN_STATUSES",
    "PublicFilters",
    "categories",
    "map_data",
    "nearby_open",
    "public_report",
    "public_reports",
    "staff_reports",
]
