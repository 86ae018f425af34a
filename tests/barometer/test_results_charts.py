"""Server-rendered SVG charts: escaped text, geometry within the plot, gaps for missing
values."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from cocon.barometer import charts

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg) -> ET.Element:
    return ET.fromstring(str(svg))  # well-formed XML, or this raises


def test_scatter_escapes_text_and_places_points():
    svg = charts.scatter(
        [("<script>alert(1)</script>", 50.0, 5.0), ("B & C", 100.0, 10.0)],
        title='Title "quoted"',
        x_label="x",
        y_label="y",
        x_split=75,
        y_split=7.5,
        quadrant_labels=("TL", "TR", "BL", "BR"),
    )
    assert "<script>" not in svg
    root = _parse(svg)
    assert root.get("role") == "img" and root.get("aria-label") == 'Title "quoted"'
    circles = root.findall(f".//{SVG}circle")
    assert len(circles) == 2
    # plot area: x 56..540, y 20..332; (100, 10) is the top-right corner
    assert float(circles[1].get("cx")) == 540.0 and float(circles[1].get("cy")) == 20.0
    assert float(circles[0].get("cx")) == 298.0 and float(circles[0].get("cy")) == 176.0
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert {"TL", "TR", "BL", "BR"} <= set(texts)


def test_bars_lengths_are_proportional_and_missing_values_shown_as_dash():
    root = _parse(
        charts.bars(
            [("Goût", 80.0, 40.0), ("Pression", None, 100.0)],
            title="t",
            series=("perçu", "technique"),
        )
    )
    widths = [
        float(r.get("width"))
        for r in root.findall(f"{SVG}rect")
        if r.get("height") == "14" and r.get("width") != "14"
    ]
    assert widths[0] == 2 * widths[1]  # 80 vs 40
    assert widths[2] == 290.0  # 100 % of the plot width
    assert "—" in [t.text for t in root.iter(f"{SVG}text")]


def test_lines_break_at_missing_values():
    svg = charts.lines(
        ["2023", "2024", "2025", "2026"],
        [("A", [5.0, 6.0, None, 7.0]), ("B", [1.0, 2.0, 3.0, 4.0])],
        title="t",
    )
    root = _parse(svg)
    polylines = root.findall(f"{SVG}polyline")
    # A: one segment of 2 points (the lone 2026 point is a marker only); B: one of 4
    assert [len(p.get("points").split()) for p in polylines] == [2, 4]
    assert len(root.findall(f"{SVG}circle")) == 7
    assert re.search(r"1\. A", str(svg)) and re.search(r"2\. B", str(svg))
