"""Rendering of Open311 GeoReport v2 answers: JSON (bare arrays, as the specification
shows them) and XML (the specification's element names, no namespace), and the error
bodies `[{"code", "description"}]` / `<errors><error>…</error></errors>`.

Views build plain Python values (dicts, lists, strings, numbers, booleans, datetimes,
None) once; `respond` writes them in the format the URL asked for, so JSON and XML can
never disagree.
"""

from __future__ import annotations

import datetime as dt
import json
from xml.etree import ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone

FORMATS = ("json", "xml")
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"

# XML: the element that wraps each item of a list, by the name of the list
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}


class Open311Error(Exception):
    """An error answered with the specification's error body, in the asked format."""

    def __init__(self, status: int, description: str | list[str]):
        descriptions = [description] if isinstance(description, str) else list(description)
        super().__init__("; ".join(descriptions))
        self.status = status
        self.descriptions = descriptions


def when(value: dt.datetime | None) -> str | None:
    """ISO 8601 with the territory's offset, to the second (2026-11-23T14:05:00+01:00)."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def _scalar(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return when(value) or ""
    return str(value)


def _json_value(value):
    if isinstance(value, dt.datetime):
        return when(value)
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    return value


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for name, inner in value.items():
            _fill(ET.SubElement(element, name), inner)
    elif isinstance(value, list):
        item = ITEM_NAMES.get(element.tag, "item")
        for inner in value:
            _fill(ET.SubElement(element, item), inner)
    else:
        element.text = _scalar(value)


def to_xml(root: str, value) -> bytes:
    element = ET.Element(root)
    _fill(element, value)
    body = ET.tostring(element, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}\n'.encode()


def to_json(value) -> bytes:
    return json.dumps(_json_value(value), ensure_ascii=False, separators=(",", ":")).encode()


def respond(fmt: str, root: str, value, *, status: int = 200) -> HttpResponse:
    """`value` as JSON, or as XML under the element `root` (a list becomes one child
    element per item, named after `root` by ITEM_NAMES)."""
    if fmt == "xml":
        response = HttpResponse(to_xml(root, value), content_type=XML_TYPE, status=status)
    else:
        response = HttpResponse(to_json(value), content_type=JSON_TYPE, status=status)
    # public data, readable by browser applications of other origins
    response["Access-Control-Allow-Origin"] = "*"
    return response


def error_response(fmt: str, error: Open311Error) -> HttpResponse:
    body = [{"code": error.status, "description": d} for d in error.descriptions]
    return respond(fmt if fmt in FORMATS else "json", "errors", body, status=error.status)
