"""Public pages of Signalements: the map and list, the report form (with "this is already
reported nearby"), the receipt, the public page of a report and "me too".

Everything here shows only public fields (category, public point, status, public
updates, support count): never a contact, an author, a relay or an internal note. Every
page works without JavaScript; the map (Leaflet, reports-map.js) is an enhancement and
the pages stay usable when its tiles cannot load.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, re_path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cocon.core import history, ratelimit
from cocon.core.forms import bound_data, bound_files
from cocon.core.permissions import can
from cocon.lib import geo
from cocon.reports import selectors, services
from cocon.reports.forms import (
    PUBLIC_STATES,
    STATUS_ALL,
    STATUS_CLOSED,
    STATUS_OPEN,
    ReportFilterForm,
    ReportForm,
)
from cocon.reports.labels import status_label
from cocon.reports.models import Category, Support
from cocon.territory import selectors as territory_selectors
from cocon.territory.models import Commune
from cocon.voices.selectors import decode_cursor, encode_cursor
from cocon.voices.views import RECEIPTS_KEY, remember_receipt

PAGE_SIZE = 25
REPORT_LIMIT_PER_DEVICE = 12  # anonymous report POSTs per browser per hour
SUPPORT_LIMIT = 60  # anonymous supports per address per hour
JSON_LIMIT = 240  # "nearby" JSON requests per address per minute
REFERENCE = r"(?P<reference>[A-Za-z0-9]{4}-[A-Za-z0-9]{4})"


# --- helpers ---------------------------------------------------------------------------
def _json_error(code: str, message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def _json_limited(request, bucket: str) -> JsonResponse | None:
    if ratelimit.allow(request, bucket, limit=JSON_LIMIT, window=60):
        return None
    return _json_error("rate_limited", _("Too many requests: wait a minute."), status=429)


def _detail_url_template() -> str:
    return reverse("reports:detail", args=["ABCD-2345"]).replace("ABCD-2345", "{ref}")


def _map_settings(territory) -> dict:
    """What reports-map.js needs: tiles (from settings) and the territory's area."""
    box = services.territory_box(territory)
    return {
        "tile_url": settings.REPORT_TILE_URL,
        "tile_attribution": settings.REPORT_TILE_ATTRIBUTION,
        "tile_max_zoom": settings.REPORT_TILE_MAX_ZOOM,
        "bounds": f"{box.south:.6f},{box.west:.6f},{box.north:.6f},{box.east:.6f}" if box else "",
    }


def _public_filters(values: dict) -> selectors.PublicFilters:
    status = values["status"]
    return selectors.PublicFilters(
        category=values["category"],
        status="" if status == STATUS_ALL else status,
        commune_id=values["commune_id"],
    )


def _supported(request, report) -> bool:
    """Does this person (account, or this browser's session) support `report`?"""
    if request.user.is_authenticated:
        return Support.objects.filter(report=report, user=request.user).exists()
    key = request.session.session_key
    if not key:
        return False
    return Support.objects.filter(
        report=report, user__isnull=True, browser_key=services.browser_key(key)
    ).exists()


# --- map and list ----------------------------------------------------------------------
@require_GET
def index(request):
    """The public map and list, filtered by category, status and commune. The list is
    the page (25 per page, keyset pagination); the map only adds to it."""
    territory = territory_selectors.current_territory_or_404()
    communes = list(Commune.objects.filter(territory=territory).order_by("name"))
    form = ReportFilterForm(
        request.GET,
        categories=list(selectors.categories(territory, active_only=False)),
        communes=communes,
    )
    values = form.values()
    filters = _public_filters(values)
    # the map asks for what the list shows: the valid filters only
    map_query = urlencode(
        {
            "category": values["category"].code if values["category"] else "",
            "status": values["status"],
            "commune": values["commune_id"] or "",
        }
    )
    rows = selectors.public_reports(territory, filters)
    cursor = decode_cursor(request.GET.get("apres", ""))
    if cursor:
        when, pk = cursor
        rows = rows.filter(created_at__lte=when).filter(
            Q(created_at__lt=when) | Q(created_at=when, pk__lt=pk)
        )
    reports = list(rows.order_by("-created_at", "-voice_id")[: PAGE_SIZE + 1])
    next_cursor = encode_cursor(reports[PAGE_SIZE - 1]) if len(reports) > PAGE_SIZE else None
    query = request.GET.copy()
    query.pop("apres", None)
    return render(
        request,
        "reports/public/index.html",
        {
            "form": form,
            "reports": reports[:PAGE_SIZE],
            "next_cursor": next_cursor,
            "is_first_page": cursor is None,
            "query": query.urlencode(),
            "map_query": map_query,
            "map": _map_settings(territory),
        },
    )


@require_GET
def map_json(request):
    """Markers (or clusters, past selectors.MAP_MARKERS_MAX) in the visible area:
    `?bbox=west,south,east,north&category=&status=&commune=`. Public fields only. Not
    rate-limited: it is read at every move of the map, costs one or two indexed queries,
    and a counter in the shared cache would cost more than the answer."""
    territory = territory_selectors.current_territory_or_404()
    try:
        box = geo.parse_bbox(request.GET.get("bbox", ""))
    except ValueError as exc:
        return _json_error("bad_bbox", str(exc))
    code = request.GET.get("category", "")
    category = None
    if code:
        category = Category.objects.filter(territory=territory, code=code).first()
        if category is None:
            return _json_error("unknown_category", "Unknown category code.")
    status = request.GET.get("status", "") or STATUS_OPEN
    if status not in (STATUS_OPEN, STATUS_CLOSED, STATUS_ALL, *PUBLIC_STATES):
        return _json_error("bad_status", "Unknown status.")
    commune = request.GET.get("commune", "")
    if commune and not commune.isdigit():
        return _json_error("bad_commune", "commune must be a commune id.")
    filters = _public_filters(
        {"category": category, "status": status, "commune_id": int(commune) if commune else None}
    )
    data = selectors.map_data(territory, box, filters)
    if data["mode"] == "markers":
        url = _detail_url_template()
        for marker in data["markers"]:
            marker["url"] = url.replace("{ref}", marker["ref"])
            marker["status_label"] = status_label(marker["status"])
    return JsonResponse(data)


# --- report form -------------------------------------------------------------------------
def _rate_limited(request) -> bool:
    return ratelimit.public_post_limited(
        request,
        "report",
        per_address=settings.PUBLIC_FORM_RATE_PER_HOUR,
        per_device=REPORT_LIMIT_PER_DEVICE,
    )


def _kept_fields(request) -> list[tuple[str, str]]:
    """Everything the person typed, to carry through the "already reported" step as
    hidden fields (files cannot be carried: they are chosen again)."""
    skip = {"csrfmiddlewaretoken", "different", "website"}
    return [(k, v) for k, values in request.POST.lists() if k not in skip for v in values]


def _form_context(form, territory, **extra) -> dict:
    return {
        "form": form,
        "map": _map_settings(territory),
        "photos_dropped": bool(form.is_bound and form.files.getlist("photos")),
        **extra,
    }


@require_http_methods(["GET", "POST"])
def new(request):
    """ "Signaler un problème", for anyone, with or without an account."""
    territory = territory_selectors.current_territory_or_404()
    categories = list(selectors.categories(territory))
    form = ReportForm(
        bound_data(request),
        bound_files(request),
        territory=territory,
        categories=categories,
        initial={"category": request.GET.get("categorie", "")},
    )
    if _rate_limited(request):
        form.is_valid()
        form.add_error(
            None,
            _(
                "Too many reports were sent from this connection in the last hour. What you "
                "typed is kept below: please try again later, or call the town hall."
            ),
        )
        return render(
            request, "reports/public/new.html", _form_context(form, territory), status=429
        )
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data.get("website"):
            raise PermissionDenied("honeypot")
        data = form.cleaned_data
        category = form.category_object()
        lat, lon = data["latitude"], data["longitude"]
        if lat is not None and category is not None and not request.POST.get("different"):
            nearby = selectors.nearby_open(category, lat, lon)
            if nearby:
                return render(
                    request,
                    "reports/public/confirm.html",
                    _form_context(
                        form,
                        territory,
                        nearby=[(r, round(d)) for r, d in nearby],
                        category=category,
                        kept=_kept_fields(request),
                    ),
                )
        try:
            submitted = services.report_submit(
                territory=territory,
                category=category or data.get("category"),
                description=data["description"],
                latitude=lat,
                longitude=lon,
                commune=data.get("commune"),
                address=data.get("address") or "",
                photos=data.get("photos") or [],
                contact_email=data.get("contact_email") or "",
                contact_phone=data.get("contact_phone") or "",
                contact_name=data.get("contact_name") or "",
                contact_consent=data.get("contact_consent") or False,
                author=request.user if request.user.is_authenticated else None,
                attributes=form.answers(),
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            remember_receipt(request, submitted)
            return redirect("reports:receipt", reference=submitted.voice.reference)
    response = render(
        request,
        "reports/public/new.html",
        _form_context(form, territory),
        status=400 if request.method == "POST" else 200,
    )
    return ratelimit.remember_device(request, response)


@require_GET
def nearby_json(request):
    """Open reports of the same category within 30 m of a point (`?category=&lat=&lon=`),
    nearest first: the form shows them as the marker moves."""
    limited = _json_limited(request, "reports-nearby")
    if limited:
        return limited
    territory = territory_selectors.current_territory_or_404()
    category = Category.objects.filter(
        territory=territory, code=request.GET.get("category", "")
    ).first()
    if category is None:
        return _json_error("unknown_category", "Unknown category code.")
    try:
        lat, lon = float(request.GET.get("lat", "")), float(request.GET.get("lon", ""))
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError
    except ValueError:
        return _json_error("bad_point", "lat and lon must be numbers on Earth.")
    url = _detail_url_template()
    found = []
    for report, distance in selectors.nearby_open(category, lat, lon):
        ref = report.voice.reference
        found.append(
            {
                "ref": ref,
                "url": url.replace("{ref}", ref),
                "support_url": reverse("reports:support", args=[ref]),
                "category": report.category.name,
                "status": report.status,
                "status_label": status_label(report.status),
                "distance_m": round(distance),
                "support_count": report.support_count,
                "created_at": report.created_at.date().isoformat(),
            }
        )
    return JsonResponse({"radius_m": services.DUPLICATE_RADIUS_M, "reports": found})


@require_GET
def receipt(request, reference):
    """Right after sending: the reference and the tracking code (shown in this session
    only: the code is stored hashed), the tracking link and the public page."""
    reference = reference.upper()
    code = request.session.get(RECEIPTS_KEY, {}).get(reference)
    territory = territory_selectors.current_territory_or_404()
    report = selectors.public_report(territory, reference) if code else None
    if report is None:
        raise Http404("receipt not in this session")
    track_url = (
        request.build_absolute_uri(reverse("voices:track_voice", args=[reference]))
        + f"?code={code}"
    )
    return render(
        request,
        "reports/public/receipt.html",
        {"report": report, "voice": report.voice, "code": code, "track_url": track_url},
    )


# --- one report -----------------------------------------------------------------------------
@require_GET
def detail(request, reference):
    territory = territory_selectors.current_territory_or_404()
    report = selectors.public_report(territory, reference)
    if report is None:
        raise Http404("no such report")
    voice = report.voice
    updates = [e for e in history.history_of(voice) if e.public_text]
    return render(
        request,
        "reports/public/detail.html",
        {
            "report": report,
            "voice": voice,
            "category": report.category,
            "sensitive": report.category.sensitive,
            "updates": updates,
            "supported": _supported(request, report),
            "duplicate_of": voice.merged_into if voice.status == "merged" else None,
            "may_view_staff": request.user.is_authenticated
            and can(request.user, "reports.view_staff", report),
            "map": _map_settings(territory),
        },
    )


@require_POST
def support(request, reference):
    """ "Moi aussi": once per person (account, or browser session). A closed report
    cannot be supported."""
    territory = territory_selectors.current_territory_or_404()
    report = selectors.public_report(territory, reference)
    if report is None:
        raise Http404("no such report")
    if not request.user.is_authenticated and not ratelimit.allow(
        request, "report-support", limit=SUPPORT_LIMIT, window=3600
    ):
        messages.error(request, _("Too many supports from this connection: try again later."))
        return redirect("reports:detail", reference=report.voice.reference)
    if not request.user.is_authenticated and not request.session.session_key:
        request.session.save()  # a browser session is what "once per person" counts
        request.session.modified = True  # … and its cookie must reach the browser
    try:
        added = services.report_support(
            report, user=request.user, session_key=request.session.session_key or ""
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if added:
            messages.success(
                request,
                _(
                    "Thank you: your support is counted. The service sees how many people "
                    "are concerned."
                ),
            )
        else:
            messages.info(request, _("You already support this report."))
    return redirect("reports:detail", reference=report.voice.reference)


urlpatterns: list = [
    path("signalements/", index, name="index"),
    path("signalements/nouveau/", new, name="new"),
    path("signalements/carte.json", map_json, name="map_json"),
    path("signalements/proches.json", nearby_json, name="nearby_json"),
    re_path(rf"^signalements/merci/{REFERENCE}/$", receipt, name="receipt"),
    re_path(rf"^signalements/{REFERENCE}/$", detail, name="detail"),
    re_path(rf"^signalements/{REFERENCE}/soutenir/$", support, name="support"),
]
