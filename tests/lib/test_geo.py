"""cocon.lib.geo against known distances and invariants."""

from __future__ import annotations

import math

import pytest

from cocon.lib import geo

PARIS_NOTRE_DAME = (48.853, 2.3499)
LYON_BELLECOUR = (45.7578, 4.8320)


def test_distance_matches_the_known_paris_lyon_great_circle():
    # 391.5 km great-circle between the two squares (IGN gives 391–392 km)
    d = geo.distance_m(*PARIS_NOTRE_DAME, *LYON_BELLECOUR)
    assert 390_500 < d < 392_500


def test_one_degree_of_latitude_is_about_111_km():
    assert geo.distance_m(45.0, 5.0, 46.0, 5.0) == pytest.approx(111_195, rel=1e-4)
    assert geo.distance_m(45.0, 5.0, 45.0, 5.0) == 0


@pytest.mark.parametrize("radius", [5, 30, 500, 20_000])
def test_box_around_holds_the_whole_circle(radius):
    lat, lon = 45.19, 5.72
    box = geo.box_around(lat, lon, radius)
    for bearing in range(0, 360, 15):
        b = math.radians(bearing)
        # a point at `radius` metres (small-distance approximation, 0.1 % inside)
        dlat = 0.999 * radius * math.cos(b) / geo.M_PER_DEG_LAT
        dlon = 0.999 * radius * math.sin(b) / (geo.M_PER_DEG_LAT * math.cos(math.radians(lat)))
        assert box.contains(lat + dlat, lon + dlon)
    assert not box.contains(lat + 2 * radius / geo.M_PER_DEG_LAT, lon)


def test_round_point_stays_in_its_cell_and_is_deterministic():
    step = 100
    lat, lon = 45.191234, 5.723456
    rlat, rlon = geo.round_point(lat, lon, step)
    assert geo.distance_m(lat, lon, rlat, rlon) <= step * math.sqrt(2) / 2 + 1
    assert geo.round_point(lat + 0.00001, lon + 0.00001, step) == (rlat, rlon)
    assert (rlat, rlon) != (round(lat, 6), round(lon, 6))
    assert geo.round_point(lat, lon, 0) == (lat, lon)


def test_bounds_and_nearest():
    pts = [(45.0, 5.0), (45.2, 5.4), (45.1, 5.2)]
    box = geo.bounds_of(pts, margin_m=1000)
    assert box is not None and box.contains(45.0, 5.0) and box.contains(45.2, 5.4)
    assert box.contains(45.2 + 0.008, 5.4)  # ~890 m beyond the northernmost point
    assert not box.contains(45.2 + 0.01, 5.4)  # ~1.1 km beyond
    assert geo.bounds_of([]) is None
    places = [("a", 45.0, 5.0), ("b", 45.2, 5.4)]
    key, d = geo.nearest(45.19, 5.39, places)
    assert key == "b" and d < 2000
    assert geo.nearest(0, 0, []) is None


@pytest.mark.parametrize(
    "text",
    ["", "1,2,3", "a,b,c,d", "5,45,4,46", "5,46,6,45", "5,45,6,91", "nan,45,6,46", "inf,1,2,3"],
)
def test_parse_bbox_refuses_malformed_boxes(text):
    with pytest.raises(ValueError):
        geo.parse_bbox(text)


def test_parse_bbox_reads_leaflet_order():
    box = geo.parse_bbox("5.6,45.1,5.8,45.3")
    assert (box.west, box.south, box.east, box.north) == (5.6, 45.1, 5.8, 45.3)
    assert geo.grid_step_deg(box, 20) == pytest.approx(0.01)
