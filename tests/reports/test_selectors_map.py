"""The public map's clusters (`selectors.map_data`): exact counts whatever the path —
coordinates for small areas, open reports and other filters; cell counts kept by
triggers plus the reports of the edge cells for large areas — on SQLite and
PostgreSQL."""

from __future__ import annotations

import math
import random

import pytest
from django.db.models import Count, Sum

from cocon.lib import geo
from cocon.reports import selectors
from cocon.reports.models import CELL_PER_DEG, CellCount, Report, cell_of, cell_rows_cols
from cocon.reports.selectors import PublicFilters, map_data
from cocon.voices.models import OPEN_STATUSES
from tests.reports.conftest import SAINT_ESSAI, VILLEBOURG

pytestmark = pytest.mark.django_db

STATES = ["received", "in_progress", "fixed", "closed", "not_for_us", "merged"]


@pytest.fixture
def spread(submit, rworld):
    """60 reports around both communes (up to ~3 km), some on cell borders, in
    every state; a few in the water category."""
    rng = random.Random(7)
    made = []
    for n in range(60):
        lat0, lon0 = (VILLEBOURG, SAINT_ESSAI)[n % 2]
        if n < 6:  # exactly on fine and coarse cell borders
            sign = 1 if n % 2 == 0 else -1
            lat = lat0 + n / CELL_PER_DEG
            lon = lon0 + sign * (n % 3) * 8 / CELL_PER_DEG
        else:
            lat = lat0 + rng.uniform(-0.025, 0.025)
            lon = lon0 + rng.uniform(-0.035, 0.035)
        fields = {"latitude": round(lat, 6), "longitude": round(lon, 6)}
        if n % 7 == 0:
            fields.update(category=rworld.water, attributes={"where": "road"})
        made.append(submit(**fields).report)
    for n, report in enumerate(made):
        state = STATES[n % len(STATES)]
        Report.objects.filter(pk=report.pk).update(status=state, is_open=state in OPEN_STATUSES)
    return made


def _expected(territory, box: geo.Box, f: PublicFilters) -> list[Report]:
    qs = Report.objects.filter(territory=territory)
    if f.status != selectors.PUBLIC_STATUSES_OPEN:
        qs = qs.exclude(status="merged")
    qs = selectors._public_filter(qs, f)
    return [r for r in qs if box.contains(r.latitude, r.longitude)]


BOXES = {
    # cell counts (a view wider than 24 cells): every report inside
    "both communes": geo.Box(45.15, 5.63, 45.30, 5.83),
    "wide": geo.Box(44.7, 5.2, 45.7, 6.3),
    # cell counts, the edge cutting through the reports (edge cells counted by point)
    "cut, cells": geo.Box(45.2013, 5.6871, 45.2687, 5.7549),
    "cut, cells, aligned": geo.Box(45.2025, 5.69, 45.2675, 5.755),
    # coordinates (smaller views)
    "cut through the middle": geo.Box(45.19, 5.69, 45.235, 5.74),
    "street": geo.Box(45.199, 5.699, 45.202, 5.703),
}
FILTERS = {
    "every state": PublicFilters(status=""),
    "open": PublicFilters(status="open"),
    "closed": PublicFilters(status="closed"),
    "fixed": PublicFilters(status="fixed"),
}


def _counts_agree() -> None:
    kept = {
        (t, c, st): n
        for t, c, st, n in CellCount.objects.values_list("territory", "cell", "status")
        .annotate(total=Sum("n"))
        .order_by()
        if n
    }
    real = {
        (t, c, st): n
        for t, c, st, n in Report.objects.values_list("territory", "cell", "status")
        .annotate(total=Count("*"))
        .order_by()
    }
    assert kept == real
    for r in CellCount.objects.all():
        assert cell_rows_cols(r.cell) == (r.cell_row, r.cell_col)


def test_the_database_computes_the_cells_as_python_does(world, spread):
    for r in Report.objects.filter(territory=world.territory):
        assert r.cell == cell_of(r.latitude, r.longitude)
    # moved by staff: the cell follows the point, everywhere on Earth
    r = spread[10]
    for lat, lon in ((45.3, 5.9), (-33.868812, -1.500001), (-0.0001, 0.0)):
        Report.objects.filter(pk=r.pk).update(latitude=lat, longitude=lon)
        r.refresh_from_db()
        assert r.cell == cell_of(lat, lon)
    _counts_agree()


def test_the_cell_counts_follow_every_write(world, rworld, spread, submit):
    _counts_agree()
    report = spread[3]
    report.sync_status("fixed")
    report.save()  # the ORM's update of the status
    _counts_agree()
    Report.objects.filter(pk=spread[4].pk).update(latitude=45.21, longitude=5.71)
    Report.objects.filter(pk__in=[r.pk for r in spread[20:30]]).update(status="closed")
    _counts_agree()
    Report.objects.filter(pk__in=[r.pk for r in spread[30:35]]).delete()
    spread[36].voice.delete()  # cascades
    _counts_agree()
    submit(latitude=45.2222, longitude=5.7333)
    _counts_agree()
    assert CellCount.objects.filter(n__lt=0).count() == 0


@pytest.mark.parametrize("box_name", list(BOXES))
@pytest.mark.parametrize("filter_name", list(FILTERS))
def test_clusters_sum_to_the_reports_in_the_box(
    world, spread, monkeypatch, django_assert_max_num_queries, box_name, filter_name
):
    monkeypatch.setattr(selectors, "MAP_MARKERS_MAX", 2)  # clusters even for a few
    box, f = BOXES[box_name], FILTERS[filter_name]
    expected = _expected(world.territory, box, f)
    with django_assert_max_num_queries(2):  # 1 when the box is empty
        data = map_data(world.territory, box, f)
    if len(expected) <= 2:
        assert data["mode"] == "markers"
        assert len(data["markers"]) == len(expected)
        return
    assert data["mode"] == "clusters"
    assert sum(c["count"] for c in data["clusters"]) == len(expected)
    # every report is counted in the cluster whose cell holds its public point
    cells = {(round(c["lat"], 9), round(c["lon"], 9)): c["count"] for c in data["clusters"]}
    found: dict[tuple[float, float], int] = {}
    for r in expected:
        lat, lon, step = _centre(r, box, f)
        assert abs(lat - r.latitude) <= step / 2 + 1e-9
        assert abs(lon - r.longitude) <= step / 2 + 1e-9
        key = (round(lat, 9), round(lon, 9))
        found[key] = found.get(key, 0) + 1
    assert found == cells


def _centre(r: Report, box: geo.Box, f: PublicFilters) -> tuple[float, float, float]:
    """The centre of the view cell that holds the report, and the grid step: the
    view's, snapped to whole cells on the cell path (a point on a border belongs to
    the cell north or east of it)."""
    view = geo.grid_step_deg(box)
    k = selectors._cells_per_view_cell(view, f)
    if not k:
        gy, gx = math.floor(r.latitude / view), math.floor(r.longitude / view)
        return (gy + 0.5) * view, (gx + 0.5) * view, view
    step = k / CELL_PER_DEG
    row, col = cell_rows_cols(cell_of(r.latitude, r.longitude))
    return (row // k + 0.5) * step, (col // k + 0.5) * step, step


def test_which_views_use_the_cell_counts(rworld):
    every, open_ = PublicFilters(status=""), PublicFilters(status="open")
    assert selectors._cells_per_view_cell(geo.grid_step_deg(BOXES["street"]), every) == 0
    step = geo.grid_step_deg(BOXES["both communes"])
    assert selectors._cells_per_view_cell(step, every) == round(0.2 / 24 * CELL_PER_DEG)
    assert selectors._cells_per_view_cell(step, PublicFilters(status="closed")) > 0
    assert selectors._cells_per_view_cell(step, open_) == 0  # report_map reads only them
    with_category = PublicFilters(status="", category=rworld.roads)
    assert selectors._cells_per_view_cell(step, with_category) == 0


def test_category_and_since_filters_count_exactly(world, rworld, spread, monkeypatch):
    monkeypatch.setattr(selectors, "MAP_MARKERS_MAX", 1)
    box = BOXES["both communes"]
    for f in (
        PublicFilters(status="", category=rworld.water),
        PublicFilters(status="closed", category=rworld.roads),
        PublicFilters(status="", commune_id=world.communes[0].pk),
    ):
        expected = _expected(world.territory, box, f)
        data = map_data(world.territory, box, f)
        shown = (
            sum(c["count"] for c in data["clusters"])
            if data["mode"] == "clusters"
            else len(data["markers"])
        )
        assert shown == len(expected)


def test_cells_on_negative_coordinates():
    """Floors, not truncations: west of Greenwich and south of the equator too."""
    for lat, lon in ((-0.001, -0.001), (-33.8688, 151.2093), (48.85, -1.5), (0.0, 0.0)):
        row = math.floor(lat * CELL_PER_DEG)
        col = math.floor(lon * CELL_PER_DEG)
        assert cell_rows_cols(cell_of(lat, lon)) == (row, col)
