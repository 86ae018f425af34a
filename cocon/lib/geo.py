"""Small geometry on WGS 84 coordinates, without Django: distances, boxes around a point,
rounding of sensitive locations, map clusters. Accurate to well under a metre at the
distances reports use (tens of metres to tens of kilometres)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_008.8
M_PER_DEG_LAT = math.pi * EARTH_RADIUS_M / 180  # ≈ 111,195 m


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class Box:
    south: float
    west: float
    north: float
    east: float

    def contains(self, lat: float, lon: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lon <= self.east

    @property
    def area_deg2(self) -> float:
        return (self.north - self.south) * (self.east - self.west)


def box_around(lat: float, lon: float, radius_m: float) -> Box:
    """The smallest lat/lon box that holds the circle of `radius_m` around the point
    (a cheap index pre-filter before exact distances)."""
    dlat = radius_m / M_PER_DEG_LAT
    coslat = max(math.cos(math.radians(lat)), 1e-6)
    dlon = radius_m / (M_PER_DEG_LAT * coslat)
    return Box(lat - dlat, lon - dlon, lat + dlat, lon + dlon)


def bounds_of(points: Iterable[tuple[float, float]], margin_m: float = 0.0) -> Box | None:
    """The box holding `points`, widened by `margin_m` on each side; None if no point."""
    pts = list(points)
    if not pts:
        return None
    south = min(p[0] for p in pts)
    north = max(p[0] for p in pts)
    west = min(p[1] for p in pts)
    east = max(p[1] for p in pts)
    low = box_around(south, west, margin_m)
    high = box_around(north, east, margin_m)
    return Box(low.south, low.west, high.north, high.east)


def nearest(lat: float, lon: float, places: Iterable[tuple[object, float, float]]):
    """(key, distance_m) of the nearest of `places` given as (key, lat, lon); None if empty."""
    best = None
    for key, plat, plon in places:
        d = distance_m(lat, lon, plat, plon)
        if best is None or d < best[1]:
            best = (key, d)
    return best


def round_point(lat: float, lon: float, step_m: float) -> tuple[float, float]:
    """Snap a point to the centre of a grid cell about `step_m` wide, so a sensitive
    location is shown only to that precision. Deterministic: every report in the same
    cell shows at the same place, which reveals nothing more than the cell."""
    if step_m <= 0:
        return lat, lon
    dlat = step_m / M_PER_DEG_LAT
    lat_c = (math.floor(lat / dlat) + 0.5) * dlat
    # longitude step from the cell's latitude, so the cell is square on the ground
    dlon = step_m / (M_PER_DEG_LAT * max(math.cos(math.radians(lat_c)), 1e-6))
    lon_c = (math.floor(lon / dlon) + 0.5) * dlon
    return round(lat_c, 6), round(lon_c, 6)


def parse_bbox(text: str) -> Box:
    """ "west,south,east,north" (Leaflet's `toBBoxString()` order) → Box.
    Raises ValueError with a reason when malformed."""
    parts = (text or "").split(",")
    if len(parts) != 4:
        raise ValueError("bbox needs four numbers: west,south,east,north")
    try:
        west, south, east, north = (float(p) for p in parts)
    except ValueError:
        raise ValueError("bbox values must be numbers") from None
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise ValueError("bbox values must be finite")
    if not (-90 <= south < north <= 90 and -180 <= west < east <= 180):
        raise ValueError("bbox must have south < north and west < east, on Earth")
    return Box(south, west, north, east)


def grid_step_deg(box: Box, cells_across: int = 24) -> float:
    """A cluster grid step for a map view: about `cells_across` cells over its width."""
    width = max(box.east - box.west, box.north - box.south, 1e-9)
    return width / cells_across
