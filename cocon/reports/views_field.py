"""Offline field capture for agents (street, rural areas without signal, the itinerant
bus): an installable page whose service worker keeps the page, its assets and the
reference data it needs, so that it opens without network; the agent records reports
and voices in the browser (IndexedDB) and the page sends them, one per request, when
the network is back.

Every item carries a client-generated `Idempotency-Key`: a retried or double-sent item
is stored once and the replay answers the same reference (`api.idempotency`, keyed by
user for these session requests). Validation errors and conflicts (a category
deactivated or removed meanwhile, a service gone) come back as 422 with French messages
by field, shown on the item; an expired session is a JSON 401/403 and the item stays
waiting. These endpoints never answer HTML errors to the page's script.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from cocon.api.idempotency import HEADER, MAX_KEY, KeyReused, run_once
from cocon.core import ratelimit
from cocon.core.permissions import can, require
from cocon.reports.models import Category
from cocon.reports.services import report_submit
from cocon.territory import selectors as territory_selectors
from cocon.territory.models import Commune, Service
from cocon.voices import services as voices
from cocon.voices.models import CaptureMode, Channel, Kind
from cocon.voices.services import MAX_PHOTOS
from cocon.voices.views import remember_receipt

SCOPE = "/espace/terrain/"
SW_SOURCE = "cocon/js/field-sw.js"
# what the page needs offline, besides itself and reference.json
ASSETS = (
    "cocon/css/cocon.css",
    "cocon/css/reports-field.css",
    "cocon/js/cocon.js",
    "cocon/js/reports-field.js",
    "cocon/js/reports-field-store.js",
    "cocon/img/cocon.svg",
    "cocon/img/field-icon-192.png",
    "cocon/img/field-icon-512.png",
)
REPORT_CHANNELS = (Channel.FIELD_WALK, Channel.BUS)
VOICE_CHANNELS = tuple(c for c in Channel if c not in (Channel.WEB, Channel.APP))
VOICE_MODES = (CaptureMode.RELAYED, CaptureMode.OBSERVATION)
VOICE_KINDS = tuple(k for k in Kind if k != Kind.REPORT)
SYNC_LIMIT = 300  # items per agent per 10 minutes: a day's round sent at once fits
CAPTURED_MAX_AGE = dt.timedelta(days=30)  # older client dates are not trusted


def _json_error(status: int, code: str, message: str, **extra) -> JsonResponse:
    return JsonResponse({"error": code, "message": message, **extra}, status=status)


def field_permission(action: str) -> Callable:
    """Login and permission for the JSON endpoints: a JSON 401 when the session expired
    (the page keeps the items and asks the agent to log in again), 403 without the
    permission — never a redirect to the login page, which a script cannot follow."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return _json_error(
                    401,
                    "login_required",
                    _("Your session has expired: log in again. Your items are kept."),
                    login_url=reverse("accounts:login") + "?next=" + SCOPE,
                )
            if not can(request.user, action):
                return _json_error(
                    403, "forbidden", _("Field capture is for the agents of the territory.")
                )
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


# --- the page, its manifest and its service worker --------------------------------------
@login_required
@require_GET
def field(request):
    """The page shell: the forms are filled from reference.json by the script, so the
    same shell works offline (served by the service worker)."""
    require(request.user, "reports.capture")
    territory = territory_selectors.current_territory_or_404()
    return render(
        request,
        "reports/field/page.html",
        {
            "territory": territory,
            "report_channels": [(c.value, c.label) for c in REPORT_CHANNELS],
            "voice_modes": [(m.value, m.label) for m in VOICE_MODES],
            "max_photos": MAX_PHOTOS,
            "scope": SCOPE,
            "strings": _page_strings(),
        },
    )


def _page_strings() -> dict[str, str]:
    """The script's messages, translated here (the page works offline: no round trip)."""
    return {
        "online": _("Network available."),
        "offline": _("No network: what you record is kept on this phone."),
        "waiting": _("Waiting"),
        "sending": _("Sending…"),
        "sent": _("Sent"),
        "error": _("To fix"),
        "report": _("Report"),
        "voice": _("Voice"),
        "reference": _("Reference"),
        "fix": _("Fix"),
        "resend": _("Send again"),
        "delete": _("Delete"),
        "remove": _("Remove from this phone"),
        "confirm_delete": _("Delete this item from this phone? It has not been sent."),
        "kept": _("Kept on this phone: it will be sent as soon as the network is back."),
        "changed": _("Changes kept: the item will be sent again."),
        "sent_count": _("Items sent: %(count)s."),
        "nothing": _("Nothing waiting."),
        "login": _("Your session has expired: log in again. Your items are kept on this phone."),
        "login_link": _("Log in"),
        "server": _("The server did not answer: the items will be sent later."),
        "fix_intro": _("Fix the fields marked below."),
        "item_errors": _("It could not be recorded as it is:"),
        "choose": _("— choose —"),
        "need_category": _("Choose the kind of problem in the list."),
        "need_description": _("Describe the problem (this field cannot be empty)."),
        "need_text": _("Write what the person said (this field cannot be empty)."),
        "need_kind": _("Choose what kind of message it is."),
        "need_answer": _("Answer this question."),
        "need_place": _("Say where the problem is: use the GPS position, or choose the commune."),
        "locating": _("Looking for the position…"),
        "position": _("Position: %(lat)s, %(lon)s (within about %(accuracy)s m)."),
        "no_position": _("No position yet."),
        "position_failed": _("The position is not available: choose the commune."),
        "photos": _("Photos: %(count)s"),
        "ready": _("This page is ready to open without network."),
        "no_storage": _("This browser cannot keep items: use the capture page."),
        "other_account": _(
            "Recorded with another account on this phone: log in with it to send this item."
        ),
    }


@require_GET
def manifest(request):
    """The web app manifest: installable on the agent's phone, opening on the field page."""
    territory = territory_selectors.current_territory()
    name = _("Cocon field capture")
    body = {
        "name": f"{name} — {territory.name}" if territory else name,
        "short_name": _("Cocon field"),
        "description": _("Record reports and voices in the field, even without network."),
        "lang": getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE),
        "start_url": SCOPE,
        "scope": SCOPE,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1d4e89",
        "icons": [
            {
                "src": static(f"cocon/img/field-icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any maskable",
            }
            for size in (192, 512)
        ]
        + [{"src": static("cocon/img/cocon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/manifest+json"
    )
    response["Cache-Control"] = "no-cache"
    return response


def _sw_source() -> str:
    found = finders.find(SW_SOURCE)
    if found:
        with open(found, encoding="utf-8") as handle:
            return handle.read()
    with staticfiles_storage.open(SW_SOURCE) as handle:  # after collectstatic
        return handle.read().decode("utf-8")


@require_GET
def service_worker(request):
    """The service worker, served under /espace/terrain/ so that its scope is the field
    page (a worker served from /static/ could not control it). The list of files to keep
    offline is written in front of the static source, with their real (hashed in
    production) URLs; its digest names the cache, so a new version replaces the old."""
    precache = [
        SCOPE,
        reverse("reports:field_reference"),
        reverse("reports:field_manifest"),
        *(static(name) for name in ASSETS),
    ]
    source = _sw_source()
    version = hashlib.sha256((source + "\n".join(precache)).encode()).hexdigest()[:12]
    head = (
        f"const FIELD_VERSION = {json.dumps(version)};\n"
        f"const FIELD_SCOPE = {json.dumps(SCOPE)};\n"
        f"const FIELD_PRECACHE = {json.dumps(precache)};\n"
        f"const FIELD_PAGE = {json.dumps(SCOPE)};\n"
    )
    response = HttpResponse(head + source, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = SCOPE
    response["Cache-Control"] = "no-cache"
    return response


# --- reference data --------------------------------------------------------------------
@never_cache
@require_GET
@field_permission("reports.capture")
def reference(request):
    """What the forms need offline: categories with their extra questions, services,
    communes, kinds, channels; plus a fresh CSRF token for the next sends. Four queries
    whatever the number of rows."""
    territory = territory_selectors.current_territory_or_404()
    categories = [
        {
            "code": c.code,
            "name": c.name,
            "group": c.group,
            "description": c.description,
            "sensitive": c.sensitive,
            "attributes": sorted(c.attributes or [], key=lambda a: a.get("order") or 0),
        }
        for c in Category.objects.filter(territory=territory, is_active=True).order_by(
            "group", "position", "name"
        )
    ]
    communes = [
        {"id": c.pk, "name": c.name, "insee": c.insee_code, "lat": c.latitude, "lon": c.longitude}
        for c in Commune.objects.filter(territory=territory).order_by("name")
    ]
    groups: dict[str, list] = {}
    for service in (
        Service.objects.filter(organization__territory=territory, organization__is_active=True)
        .select_related("organization")
        .order_by("organization__name", "name")
    ):
        groups.setdefault(service.organization.display_name, []).append(
            {"id": service.pk, "name": service.name}
        )
    body = {
        "csrf_token": get_token(request),
        "user": request.user.get_full_name() or request.user.email,
        "user_id": request.user.pk,  # items are sent only by the account that recorded them
        "may_capture_voices": can(request.user, "voices.capture"),
        "territory": territory.name,
        "generated_at": timezone.now().isoformat(),
        "categories": categories,
        "communes": communes,
        "services": [{"organization": org, "services": items} for org, items in groups.items()],
        "kinds": [{"value": k.value, "label": str(k.label)} for k in VOICE_KINDS],
        "report_channels": [{"value": c.value, "label": str(c.label)} for c in REPORT_CHANNELS],
        "voice_channels": [{"value": c.value, "label": str(c.label)} for c in VOICE_CHANNELS],
        "capture_modes": [{"value": m.value, "label": str(m.label)} for m in VOICE_MODES],
    }
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


# --- sending one item --------------------------------------------------------------------
class Invalid(Exception):
    """Errors found while parsing the sent fields (before any service is called)."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "on", "yes")


def _coordinates(data, errors: dict) -> tuple[float | None, float | None]:
    raw_lat, raw_lon = (data.get("latitude") or "").strip(), (data.get("longitude") or "").strip()
    if not raw_lat and not raw_lon:
        return None, None
    try:
        return float(raw_lat.replace(",", ".")), float(raw_lon.replace(",", "."))
    except ValueError:
        errors.setdefault("latitude", []).append(
            _("The GPS position could not be read: take it again, or choose the commune.")
        )
        return None, None


def _commune(territory, data, errors: dict):
    raw = (data.get("commune") or "").strip()
    if not raw:
        return None
    commune = (
        Commune.objects.filter(territory=territory, pk=int(raw)).first() if raw.isdigit() else None
    )
    if commune is None:
        errors.setdefault("commune", []).append(
            _("This commune is not part of this territory: choose another one.")
        )
    return commune


def _captured_at(data) -> dt.datetime | None:
    """When the agent recorded the item offline (the phone's clock): kept when plausible,
    so that commitments run from the capture, not from the moment the network came back."""
    raw = (data.get("captured_at") or "").strip()
    if not raw:
        return None
    try:
        when = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    if timezone.is_naive(when):
        return None
    now = timezone.now()
    if not (now - CAPTURED_MAX_AGE <= when <= now):
        return None
    return when


def _send_report(request, territory, photos) -> tuple[int, dict]:
    data = request.POST
    errors: dict[str, list[str]] = {}
    latitude, longitude = _coordinates(data, errors)
    commune = _commune(territory, data, errors)
    channel = data.get("channel") or Channel.FIELD_WALK
    if channel not in REPORT_CHANNELS:
        errors.setdefault("channel", []).append(_("Choose “field walk” or “itinerant bus”."))
    code = (data.get("category") or "").strip()
    if errors:
        raise Invalid(errors)
    attributes = {
        name[len("attribute[") : -1]: data.getlist(name)
        for name in data
        if name.startswith("attribute[") and name.endswith("]")
    }
    try:
        submitted = report_submit(
            territory=territory,
            category=code,
            description=data.get("description") or "",
            latitude=latitude,
            longitude=longitude,
            commune=commune,
            address=(data.get("address") or "").strip()[:300],
            photos=photos,
            contact_email=(data.get("contact_email") or "").strip(),
            contact_phone=(data.get("contact_phone") or "").strip(),
            contact_name=(data.get("contact_name") or "").strip()[:120],
            contact_consent=_flag(data.get("contact_consent")),
            relay=request.user,
            channel=channel,
            attributes={k: v if len(v) > 1 else v[0] for k, v in attributes.items() if v},
            created_at=_captured_at(data),
        )
    except ValidationError as exc:
        found = {k: list(v) for k, v in exc.message_dict.items()}
        if code and not Category.objects.filter(territory=territory, code=code).exists():
            # removed while the agent was offline: say so, rather than "choose in the list"
            found["category"] = [
                _("This category was removed meanwhile: choose another one, then send again.")
            ]
        raise Invalid(found) from exc
    voice = submitted.report.voice
    return 201, {
        "reference": voice.reference,
        "url": reverse("reports:detail", args=[voice.reference]),
        "kind": "report",
    }


def _voice_service(territory, data, errors: dict, *, kind: str, text: str):
    raw = (data.get("service") or "").strip()
    if raw:
        service = (
            Service.objects.select_related("organization").filter(pk=int(raw)).first()
            if raw.isdigit()
            else None
        )
        if service is None:
            errors.setdefault("service", []).append(
                _(
                    "This service no longer exists: choose another one, or let Cocon route it, "
                    "then send again."
                )
            )
        return service
    # "let Cocon route it", as on the capture screen: the rules, then the host's catch-all
    return voices.route_or_host(territory=territory, text=text, kind=kind)


def _send_voice(request, territory, photos) -> tuple[int, dict]:
    data = request.POST
    errors: dict[str, list[str]] = {}
    channel = data.get("channel") or ""
    if channel not in VOICE_CHANNELS:
        errors.setdefault("channel", []).append(_("Choose how the message was received."))
    mode = data.get("capture_mode") or CaptureMode.RELAYED
    if mode not in VOICE_MODES:
        errors.setdefault("capture_mode", []).append(
            _("Choose who speaks: a person you relay, or yourself.")
        )
    kind = Kind.OBSERVATION if mode == CaptureMode.OBSERVATION else data.get("kind") or ""
    if kind not in VOICE_KINDS:
        errors.setdefault("kind", []).append(_("Choose what kind of message it is."))
    text = data.get("text") or ""
    commune = _commune(territory, data, errors)
    service = _voice_service(territory, data, errors, kind=kind, text=text)
    if errors:
        raise Invalid(errors)
    try:
        captured = voices.voice_capture(
            territory=territory,
            kind=kind,
            text=text,
            channel=channel,
            capture_mode=mode,
            service=service,
            commune=commune,
            address=(data.get("address") or "").strip()[:300],
            relay=request.user,
            contact_email=(data.get("contact_email") or "").strip(),
            contact_phone=(data.get("contact_phone") or "").strip(),
            contact_consent=_flag(data.get("contact_consent")),
            photos=photos,
            created_at=_captured_at(data),
        )
    except ValidationError as exc:
        raise Invalid({k: list(v) for k, v in exc.message_dict.items()}) from exc
    voice = captured.voice
    remember_receipt(request, captured)  # the receipt page can show the code once more
    return 201, {
        "reference": voice.reference,
        "url": reverse("voices:capture_receipt", args=[voice.reference]),
        "kind": "voice",
    }


def _fingerprint(request, photos) -> dict:
    """What makes two sends "the same item": every field and each photo's bytes."""
    fields = {
        name: request.POST.getlist(name)
        for name in sorted(request.POST)
        if name != "csrfmiddlewaretoken"
    }
    files = []
    for photo in photos:
        digest = hashlib.sha256()
        for chunk in photo.chunks():
            digest.update(chunk)
        photo.seek(0)
        files.append([photo.name, photo.size, digest.hexdigest()])
    return {"fields": fields, "photos": files}


def _csrf_rejected(request) -> bool:
    """Django's own CSRF check, answered in JSON instead of the HTML 403 page."""
    check = CsrfViewMiddleware(lambda _request: None)
    return check.process_view(request, None, (), {}) is not None


@csrf_exempt  # checked below, after the login check, to answer JSON
@require_POST
@field_permission("reports.capture")
def send(request: HttpRequest) -> JsonResponse:
    """One waiting item (a report or a voice) from the field page. 201 {reference, url}
    — the same answer again for a replayed Idempotency-Key —, 422 {errors: {field:
    [messages]}} when it cannot be recorded as it is (the item stays on the phone, shown
    with the messages), 401/403 when the session expired."""
    if _csrf_rejected(request):
        return _json_error(
            403,
            "csrf",
            _("Your session has changed: reload the page (your items are kept), then send again."),
        )
    key = request.headers.get(HEADER, "").strip()
    if not key or len(key) > MAX_KEY:
        return _json_error(
            400, "bad_idempotency_key", _("This item has no valid sending key: record it again.")
        )
    if not ratelimit.allow(
        request, "reports-field-send", limit=SYNC_LIMIT, window=600, ident=str(request.user.pk)
    ):
        return _json_error(
            429, "rate_limited", _("Too many items sent at once: wait a few minutes.")
        )
    territory = territory_selectors.current_territory_or_404()
    item_type = request.POST.get("type")
    photos = request.FILES.getlist("photos")
    if item_type not in ("report", "voice"):
        return JsonResponse(
            {"errors": {"type": [_("Unknown item: a report or a voice is expected.")]}},
            status=422,
        )
    if item_type == "voice" and not can(request.user, "voices.capture"):
        return _json_error(403, "forbidden", _("You may not capture voices."))
    if len(photos) > MAX_PHOTOS:
        return JsonResponse(
            {"errors": {"photos": [_("%(max)s photos at most.") % {"max": MAX_PHOTOS}]}},
            status=422,
        )
    create = _send_report if item_type == "report" else _send_voice
    try:
        status, body, replayed = run_once(
            scope=f"user:{request.user.pk}",
            key=key,
            payload=_fingerprint(request, photos),
            create=lambda: create(request, territory, photos),
        )
    except Invalid as exc:
        return JsonResponse({"errors": exc.errors}, status=422)
    except KeyReused:  # the key was used for another item
        return JsonResponse(
            {
                "errors": {
                    "__all__": [
                        _(
                            "This item was already sent with other content: delete it, "
                            "or record it again."
                        )
                    ]
                }
            },
            status=422,
        )
    response = JsonResponse(body, status=status)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


urlpatterns: list = [
    path("espace/terrain/", field, name="field"),
    path("espace/terrain/manifest.webmanifest", manifest, name="field_manifest"),
    path("espace/terrain/sw.js", service_worker, name="field_sw"),
    path("espace/terrain/reference.json", reference, name="field_reference"),
    path("espace/terrain/envoyer/", send, name="field_send"),
]
