"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) at /open311/v2/.

Plain function views (not django-ninja): the specification wants bare JSON arrays and
its own XML element names. Every endpoint accepts `jurisdiction_id` (the territory's
slug; absent is fine, another value is a 404) and answers in the format of its URL
extension. Reads return only the public fields of a report — never its contact, author
or relay — and the public point (rounded for sensitive categories). Writes go through
`reports.services.report_submit`, like the public form and the field capture. See
docs/open311.md for the field and status mapping.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from cocon.api.idempotency import HEADER, MAX_KEY, KeyReused, run_once
from cocon.core import ratelimit
from cocon.reports.models import Category, Open311Client, Report
from cocon.reports.open311 import params as p
from cocon.reports.open311.formats import FORMATS, Open311Error, error_response, respond
from cocon.reports.services import category_for, report_submit
from cocon.territory.selectors import current_territory
from cocon.voices.models import Channel

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-23T00:00:00+01:00"  # date of the last change to this implementation
IDEMPOTENCY_HEADER = HEADER

# report_submit's field names → the Open311 parameter a client has to fix
FIELD_NAMES = {
    "category": "service_code",
    "description": "description",
    "latitude": "lat",
    "longitude": "long",
    "location": "lat",
    "commune": "address_string",
    "contact_email": "email",
    "contact_phone": "phone",
    "contact_consent": "email",
    "contact_name": "first_name",
    "photos": "media_url",
}

# the list of requests: one query, only the public columns, no per-row query
REQUEST_COLUMNS = (
    "voice_id",
    "status",
    "is_open",
    "status_notes",
    "latitude",
    "longitude",
    "media_url",
    "created_at",
    "updated_at",
    "category__code",
    "category__name",
    "voice__reference",
    "voice__text",
    "voice__address",
    "voice__answer_due",
    "voice__commune__name",
    "voice__commune__postal_code",
    "voice__service__name",
    "voice__service__organization__name",
)


def rate(name: str, default: int) -> int:
    """POSTs allowed per minute (settings.OPEN311_POST_RATE_PER_IP / _PER_KEY, or the
    environment variables COCON_OPEN311_RATE_PER_IP / _PER_KEY)."""
    value = getattr(settings, f"OPEN311_POST_RATE_PER_{name}", None)
    if value is None:
        value = os.environ.get(f"COCON_OPEN311_RATE_PER_{name}", default)
    return int(value)


# --- the frame of every endpoint ----------------------------------------------------------
def endpoint(*methods: str) -> Callable:
    """Check the format, the method and the jurisdiction; turn Open311Error into the
    specification's error body; CSRF-exempt (an API for other applications)."""

    def wrap(view: Callable) -> Callable:
        @csrf_exempt
        @wraps(view)
        def run(request: HttpRequest, *args, fmt: str = "json", **kwargs) -> HttpResponse:
            fmt = fmt.lower()
            try:
                if fmt not in FORMATS:
                    raise Open311Error(
                        404, _("Unknown format “%(fmt)s”: use .json or .xml.") % {"fmt": fmt[:10]}
                    )
                allowed = {*methods, "HEAD"} if "GET" in methods else set(methods)
                if request.method not in allowed:
                    response = error_response(
                        fmt,
                        Open311Error(405, _("Method %(m)s not allowed.") % {"m": request.method}),
                    )
                    response["Allow"] = ", ".join(sorted(allowed))
                    return response
                if _has_nul(request, kwargs):
                    raise Open311Error(400, _("Parameters may not contain NUL characters."))
                territory = current_territory()
                if territory is None:
                    raise Open311Error(404, _("No territory is served here yet."))
                jurisdiction = request.GET.get("jurisdiction_id") or (
                    request.POST.get("jurisdiction_id") if request.method == "POST" else None
                )
                if jurisdiction and jurisdiction.strip() != territory.slug:
                    raise Open311Error(
                        404,
                        "jurisdiction_id: "
                        + _("“%(given)s” is not served here; use “%(slug)s”.")
                        % {"given": jurisdiction[:60], "slug": territory.slug},
                    )
                return view(request, territory, *args, fmt=fmt, **kwargs)
            except Open311Error as error:
                response = error_response(fmt, error)
                if error.status == 429:
                    response["Retry-After"] = "60"
                return response

        return run

    return wrap


def _has_nul(request: HttpRequest, kwargs: dict) -> bool:
    """A NUL character cannot be stored or searched (PostgreSQL refuses it): a 400, not
    a 500."""
    values = [v for v in kwargs.values() if isinstance(v, str)]
    for data in (request.GET, request.POST if request.method == "POST" else {}):
        for name in data:
            values.append(name)
            values.extend(data.getlist(name))
    return any("\x00" in v for v in values)


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other path under /open311/v2/: a 404 in the specification's shape."""
    return error_response("json", Open311Error(404, _("No such Open311 endpoint.")))


# --- discovery and services -----------------------------------------------------------------
@endpoint("GET")
def discovery(request: HttpRequest, territory, *, fmt: str) -> HttpResponse:
    root = request.build_absolute_uri(reverse("open311:root"))
    host = territory.host_organization
    keys_page = request.build_absolute_uri(reverse("reports:open311_keys"))
    body = {
        "changeset": CHANGESET,
        "contact": (host.email if host and host.email else "") or territory.name,
        "key_service": _(
            "Client keys are issued by the administrators of %(host)s (%(url)s) or with "
            "`cocon open311 key create`."
        )
        % {"host": host.name if host else territory.name, "url": keys_page},
        "jurisdiction_id": territory.slug,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": root.rstrip("/"),
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return respond(fmt, "discovery", body)


def service_dict(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": category.has_attributes,
        "type": "realtime",
        "keywords": category.keywords,
        "group": category.group,
    }


@endpoint("GET")
def services(request: HttpRequest, territory, *, fmt: str) -> HttpResponse:
    rows = Category.objects.filter(territory=territory, is_active=True).order_by("position", "name")
    return respond(fmt, "services", [service_dict(c) for c in rows])


def attribute_dict(attr: dict, index: int) -> dict:
    datatype = attr.get("datatype") or "string"
    item = {
        "variable": bool(attr.get("variable", True)),
        "code": str(attr.get("code", "")),
        "datatype": datatype,
        "required": bool(attr.get("required", False)),
        "datatype_description": attr.get("datatype_description") or None,
        "order": int(attr.get("order") or index),
        "description": attr.get("description") or str(attr.get("code", "")),
    }
    if datatype in ("singlevaluelist", "multivaluelist"):
        item["values"] = [
            {"key": str(v.get("key", "")), "name": v.get("name") or str(v.get("key", ""))}
            for v in attr.get("values", [])
        ]
    return item


@endpoint("GET")
def service_definition(request: HttpRequest, territory, code: str, *, fmt: str) -> HttpResponse:
    category = Category.objects.filter(territory=territory, code=code, is_active=True).first()
    if category is None:
        raise Open311Error(404, "service_code: " + _("“%(code)s” not found.") % {"code": code[:60]})
    attributes = [
        attribute_dict(a, i)
        for i, a in enumerate(category.attributes or [], start=1)
        if isinstance(a, dict) and a.get("code")
    ]
    attributes.sort(key=lambda a: a["order"])
    return respond(
        fmt, "service_definition", {"service_code": category.code, "attributes": attributes}
    )


# --- requests -----------------------------------------------------------------------------------
def notice(service: str, organization: str) -> str:
    return _("Handled by %(service)s, %(organization)s.") % {
        "service": service,
        "organization": organization,
    }


def _iso(value, tz) -> str | None:
    # formats.when() without looking the time zone up again for each of 3,000 dates
    return value.astimezone(tz).isoformat(timespec="seconds") if value is not None else None


def request_dict(row: dict, tz) -> dict:
    """The public fields of a report (a row of `report_rows`), in the specification's
    order. Never the contact, the author or the relay; the public point only. Built from
    plain values, not model instances: a page of 1,000 costs ~15 ms instead of ~110."""
    is_open = row["is_open"]
    commune, zipcode = row["voice__commune__name"], row["voice__commune__postal_code"]
    return {
        "service_request_id": row["voice__reference"],
        "status": "open" if is_open else "closed",
        "status_notes": row["status_notes"] or None,
        "service_name": row["category__name"],
        "service_code": row["category__code"],
        "description": row["voice__text"],
        "agency_responsible": row["voice__service__organization__name"],
        "service_notice": notice(
            row["voice__service__name"], row["voice__service__organization__name"]
        ),
        "requested_datetime": _iso(row["created_at"], tz),
        "updated_datetime": _iso(row["updated_at"], tz),
        "expected_datetime": _iso(row["voice__answer_due"], tz) if is_open else None,
        "address": row["voice__address"] or commune,
        "address_id": None,
        "zipcode": zipcode or None,
        "lat": row["latitude"],
        "long": row["longitude"],
        "media_url": row["media_url"] or None,
    }


def report_rows(territory):
    """Reports of the territory as plain rows of REQUEST_COLUMNS, newest first: one
    query, with the joins the public fields need."""
    return (
        Report.objects.filter(territory=territory)
        .order_by("-created_at", "-voice_id")
        .values(*REQUEST_COLUMNS)
    )


def list_requests(request: HttpRequest, territory, fmt: str) -> HttpResponse:
    query = p.request_query(request.GET)
    rows = report_rows(territory)
    if query.ids:
        rows = rows.filter(voice__reference__in=query.ids)
    else:
        if query.service_codes:
            known = dict(
                Category.objects.filter(
                    territory=territory, code__in=query.service_codes
                ).values_list("code", "pk")
            )
            unknown = [c for c in query.service_codes if c not in known]
            if unknown:
                raise Open311Error(
                    404,
                    "service_code: "
                    + _("“%(code)s” not found.") % {"code": ",".join(unknown)[:60]},
                )
            rows = rows.filter(category_id__in=known.values())
        if len(query.statuses) == 1:
            rows = rows.filter(is_open=query.statuses[0] == "open")
        rows = rows.filter(created_at__gte=query.start)
        if query.end is not None:
            rows = rows.filter(created_at__lte=query.end)
    first = (query.page - 1) * query.page_size
    page = rows[first : first + query.page_size]
    tz = timezone.get_current_timezone()
    return respond(fmt, "service_requests", [request_dict(r, tz) for r in page])


@endpoint("GET", "POST")
def requests_(request: HttpRequest, territory, *, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return create_request(request, territory, fmt)
    return list_requests(request, territory, fmt)


@endpoint("GET")
def request_detail(request: HttpRequest, territory, request_id: str, *, fmt: str) -> HttpResponse:
    report = report_rows(territory).filter(voice__reference=request_id.strip().upper()).first()
    if report is None:
        raise Open311Error(
            404, "service_request_id: " + _("“%(id)s” not found.") % {"id": request_id[:40]}
        )
    return respond(fmt, "service_requests", [request_dict(report, timezone.get_current_timezone())])


@endpoint("GET")
def token_detail(request: HttpRequest, territory, token: str, *, fmt: str) -> HttpResponse:
    found = (
        Report.objects.filter(territory=territory, token=token.strip())
        .values_list("voice__reference", "token")
        .first()
    )
    if found is None:
        raise Open311Error(404, "token: " + _("“%(token)s” not found.") % {"token": token[:40]})
    return respond(fmt, "service_requests", [{"service_request_id": found[0], "token": found[1]}])


# --- POST requests -----------------------------------------------------------------------------
def _client(request: HttpRequest, territory) -> Open311Client:
    ip = ratelimit.client_ip(request)
    if not ratelimit.allow(request, "open311-ip", limit=rate("IP", 60), window=60, ident=ip):
        raise Open311Error(429, _("Too many requests from this address: wait a minute."))
    raw = (request.POST.get("api_key") or request.GET.get("api_key") or "").strip()
    if not raw:
        raise Open311Error(403, "api_key: " + _("required to create a service request."))
    client = Open311Client.find(territory, raw)
    if client is None:
        raise Open311Error(403, "api_key: " + _("this key is unknown or was revoked."))
    if not ratelimit.allow(
        request, "open311-key", limit=rate("KEY", 600), window=60, ident=str(client.pk)
    ):
        raise Open311Error(429, "api_key: " + _("too many requests with this key; wait a minute."))
    now = timezone.now()
    if client.last_used_at is None or now - client.last_used_at > timedelta(minutes=1):
        Open311Client.objects.filter(pk=client.pk).update(last_used_at=now)
    return client


def _submission(data, territory) -> dict:
    """The arguments of report_submit from the POST form; 400 for what is malformed
    before the report's own checks (which report_submit makes)."""
    errors: list[str] = []
    code = (data.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, "service_code: " + _("this parameter is required."))
    # the per-process copy (with its theme) that report_submit reads anyway: no query
    category = category_for(territory, code)
    if category is None:
        raise Open311Error(404, "service_code: " + _("“%(code)s” not found.") % {"code": code[:60]})
    lat_raw, long_raw = (data.get("lat") or "").strip(), (data.get("long") or "").strip()
    latitude = longitude = None
    if bool(lat_raw) != bool(long_raw):
        errors.append(
            ("lat" if not lat_raw else "long") + ": " + _("give both lat and long, or neither.")
        )
    elif lat_raw:
        try:
            latitude = p.coordinate("lat", lat_raw)
            longitude = p.coordinate("long", long_raw)
        except Open311Error as exc:
            errors += exc.descriptions
    address = (data.get("address_string") or "").strip()[:300]
    commune = None
    if latitude is None and not errors and not address:
        errors.append(
            "address_string: "
            + _("give lat and long, or address_string, to say where the problem is.")
        )
    elif latitude is None and not errors:
        communes = territory.communes.only(
            "id", "name", "postal_code", "latitude", "longitude", "territory_id"
        )
        commune = p.commune_in_address(list(communes), address)
        if commune is None:
            errors.append(
                "address_string: "
                + _(
                    "no commune of %(territory)s found in “%(address)s”; give lat and long, "
                    "or name the commune or its postal code."
                )
                % {"territory": territory.name, "address": address[:80]}
            )
    media_url = (data.get("media_url") or "").strip()
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
            if len(media_url) > 500:
                raise ValidationError("too long")
        except ValidationError:
            errors.append("media_url: " + _("give an http(s) address of 500 characters at most."))
    if errors:
        raise Open311Error(400, errors)
    email = (data.get("email") or "").strip()
    phone = (data.get("phone") or "").strip()
    name = " ".join(
        part
        for part in ((data.get("first_name") or "").strip(), (data.get("last_name") or "").strip())
        if part
    )
    return {
        "territory": territory,
        "category": category,
        "description": data.get("description") or "",
        "latitude": latitude,
        "longitude": longitude,
        "commune": commune,
        "address": address,
        "contact_email": email,
        "contact_phone": phone,
        "contact_name": name[:150],
        # a person who gives an email or phone to the application asks to be answered
        "contact_consent": bool(email or phone),
        "channel": Channel.APP,
        "attributes": p.attributes_of(data),
        "media_url": media_url,
    }


def _fingerprint(data) -> list:
    return sorted((k, v) for k in data for v in data.getlist(k) if k != "api_key")


def _submit(client: Open311Client, fields: dict) -> list[dict]:
    """report_submit, its errors named after the Open311 parameters; the POST answer."""
    try:
        done = report_submit(client=client, **fields)
    except ValidationError as exc:
        raise Open311Error(
            400,
            [
                f"{FIELD_NAMES.get(name, name)}: {message}"
                for name, messages in exc.message_dict.items()
                for message in messages
            ],
        ) from None
    voice = done.report.voice
    return [
        {
            "service_request_id": voice.reference,
            "service_notice": _(
                "Reference %(ref)s. Handled by %(service)s, %(organization)s; "
                "an answer is expected by %(date)s."
            )
            % {
                "ref": voice.reference,
                "service": voice.service.name,
                "organization": voice.service.organization.name,
                "date": timezone.localtime(voice.answer_due).date().isoformat(),
            },
            "account_id": None,
            "token": done.report.token,
        }
    ]


def create_request(request: HttpRequest, territory, fmt: str) -> HttpResponse:
    """POST requests: one report per call, or — with an `Idempotency-Key` header (an
    extension; the specification has none) — at most one per key and client, through
    the mechanism every writer of Cocon shares (`cocon.api.idempotency`)."""
    client = _client(request, territory)
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if len(key) > MAX_KEY:
        raise Open311Error(400, f"{IDEMPOTENCY_HEADER}: " + _("200 characters at most."))
    try:
        _status, body, _replayed = run_once(
            scope=f"open311:{client.pk}",
            key=key,
            payload=_fingerprint(request.POST),
            create=lambda: (200, _submit(client, _submission(request.POST, territory))),
        )
    except KeyReused:
        raise Open311Error(
            400, f"{IDEMPOTENCY_HEADER}: " + _("already used with a different request.")
        ) from None
    return respond(fmt, "service_requests", body)
