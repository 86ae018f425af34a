"""Paroles in the REST API: create (idempotent), list (feed filters, keyset pagination),
read, change status with an answer. A voice the token's user may not see is a 404."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import Http404
from ninja import Field, Query, Router, Schema

from cocon.api.auth import require_scope
from cocon.api.errors import ERROR_RESPONSES, ApiError, ErrorInfo
from cocon.api.idempotency import HEADER, MAX_KEY, KeyReused, run_once
from cocon.api.scopes import register_scope
from cocon.core.permissions import can
from cocon.territory import selectors as territory_selectors
from cocon.voices import cache as voices_cache
from cocon.voices import selectors, services
from cocon.voices.models import CaptureMode, Status, Voice

VOICES_READ = register_scope("voices:read", "Read the voices the token owner may see.")
VOICES_WRITE = register_scope(
    "voices:write", "Capture voices and change their status (as the token owner)."
)
router = Router(tags=["voices"])


class ContactIn(Schema):
    email: str = ""
    phone: str = ""
    consent: bool = False


class ProfileIn(Schema):
    age_band: str = ""
    sex: str = ""
    occupation: str = ""
    commune: str = Field("", description="INSEE code of the commune of residence")
    consent: bool = Field(False, description="The person agreed to give their profile")


class VoiceIn(Schema):
    kind: str = Field(
        ..., description="testimony, suggestion, alert, complaint, thanks, question, observation"
    )
    text: str = Field(..., description="The person's words, 1 to 5000 characters")
    channel: str = Field(
        "web", description="web, counter, phone, mail, field_walk, maraude, bus, workshop, other"
    )
    capture_mode: str = Field(
        "self",
        description="self (the token owner speaks), relayed (the token owner, an agent, relays a person), observation",  # noqa: E501
    )
    service: int | None = Field(
        None, description="Service id; omitted: routed from organization, kind and text"
    )
    organization: str | None = Field(None, description="Organization slug, to route within it")
    theme: str | None = Field(None, description="Theme slug; omitted: suggested from the text")
    commune: str | None = Field(None, description="INSEE code")
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    event_date: dt.date | None = None
    contact: ContactIn | None = None
    profile: ProfileIn | None = None


class ServiceRef(Schema):
    id: int
    name: str
    organization: str


class VoiceOut(Schema):
    id: str = Field(..., description="The voice's reference")
    kind: str
    text: str
    channel: str
    capture_mode: str
    status: str
    service: ServiceRef
    theme: str | None
    commune: str | None
    address: str
    created_at: dt.datetime
    acknowledge_due: dt.datetime
    answer_due: dt.datetime
    acknowledged_at: dt.datetime | None
    answered_at: dt.datetime | None
    closed_at: dt.datetime | None
    answer: str
    answer_signature: str
    relayed_by: str | None
    escalated: bool
    overdue: str = Field(..., description='"", "acknowledge" or "answer"')
    merged_into: str | None


class VoiceCreated(VoiceOut):
    tracking_code: str = Field(..., description="Shown once: give it to the person")
    tracking_url: str


class VoicePage(Schema):
    items: list[VoiceOut]
    next: str | None = Field(None, description="Cursor for the next page (`after`)")


class StatusIn(Schema):
    status: str
    text: str = ""
    signed_by: int | None = Field(None, description="User id of an élu who signs the answer")


def out(voice: Voice) -> dict:
    return {
        "id": voice.reference,
        "kind": voice.kind,
        "text": voice.text,
        "channel": voice.channel,
        "capture_mode": voice.capture_mode,
        "status": voice.status,
        "service": {
            "id": voice.service_id,
            "name": voice.service.name,
            "organization": voice.organization.slug,
        },
        "theme": voice.theme.slug if voice.theme_id else None,
        "commune": voice.commune.insee_code if voice.commune_id else None,
        "address": voice.address,
        "created_at": voice.created_at,
        "acknowledge_due": voice.acknowledge_due,
        "answer_due": voice.answer_due,
        "acknowledged_at": voice.acknowledged_at,
        "answered_at": voice.answered_at,
        "closed_at": voice.closed_at,
        "answer": voice.answer,
        "answer_signature": voice.answer_signature,
        "relayed_by": voice.relay.full_name if voice.relay_id and voice.relay else None,
        "escalated": voice.escalated_at is not None,
        "overdue": voice.overdue(),
        "merged_into": voice.merged_into.reference
        if voice.merged_into_id and voice.merged_into
        else None,
    }


def _jsonable(body: dict) -> dict:
    """JSON-ready copy of a response, with dates written exactly as the API's renderer
    writes them on reads (UTC, milliseconds, "Z"): a replayed creation and a GET agree."""
    encoder = DjangoJSONEncoder()

    def value(v):
        if isinstance(v, dt.datetime):
            return encoder.default(v.astimezone(dt.UTC))
        if isinstance(v, dt.date):
            return encoder.default(v)
        return v

    return {k: value(v) for k, v in body.items()}


def _field_error(field: str, message: str):
    return ApiError(
        422, "validation_error", "The request is not valid.", [{"field": field, "message": message}]
    )


def _capture(request, territory, payload: VoiceIn) -> tuple[int, dict]:
    """Capture one voice from the API payload (in the caller's transaction); returns
    (201, body). Raises ApiError or ValidationError."""
    user = request.user
    service = None
    if payload.service is not None:
        service = voices_cache.service(payload.service)  # cached per process
        if service is None:
            raise _field_error("service", "Unknown service.")
    organization = None
    if payload.organization:
        organization = voices_cache.organization(territory.pk, payload.organization)
        if organization is None:
            raise _field_error("organization", "Unknown organization.")
    theme = None
    if payload.theme:
        theme = voices_cache.theme_by_slug(territory.pk, payload.theme)
        if theme is None:
            raise _field_error("theme", "Unknown theme.")
    commune = None
    if payload.commune:
        commune = voices_cache.commune(territory.pk, payload.commune)
        if commune is None:
            raise _field_error("commune", "Unknown commune (INSEE code).")
    if payload.capture_mode != CaptureMode.SELF and not can(user, "voices.capture"):
        raise ApiError(403, "forbidden", "Only agents relay voices or record observations.")
    if service is None:
        route = services.suggest_route(
            territory=territory,
            text=payload.text,
            kind=payload.kind,
            organization=organization,
            theme=theme,
        )
        service = route.service
        theme = route.theme  # already suggested from the text: do not suggest it twice
    profile = None
    if payload.profile:
        if not payload.profile.consent:
            raise _field_error(
                "profile.consent", "A profile is kept only with the person's consent."
            )
        profile = payload.profile.dict()
        profile.pop("consent")
        profile["commune"] = (
            voices_cache.commune(territory.pk, profile["commune"]) if profile["commune"] else None
        )
    contact = payload.contact or ContactIn()
    relay = user if payload.capture_mode != CaptureMode.SELF else None
    # run_once's transaction already holds the whole capture (voice, key, rows):
    # call voice_capture without its own @transaction.atomic, which here would only
    # add a SAVEPOINT and its RELEASE (an error still rolls everything back).
    captured = services.voice_capture.__wrapped__(
        territory=territory,
        kind=payload.kind,
        text=payload.text,
        channel=payload.channel,
        capture_mode=payload.capture_mode,
        service=service,
        theme=theme,
        commune=commune,
        address=payload.address,
        latitude=payload.latitude,
        longitude=payload.longitude,
        event_date=payload.event_date,
        author=user if relay is None else None,
        relay=relay,
        contact_email=contact.email,
        contact_phone=contact.phone,
        contact_consent=contact.consent,
        profile=profile,
    )
    body = out(captured.voice)
    body["tracking_code"] = captured.tracking_code
    body["tracking_url"] = captured.tracking_url
    return 201, _jsonable(body)


def _key_of(raw: str | None, field: str = HEADER) -> str:
    key = (raw or "").strip()
    if len(key) > MAX_KEY:
        raise ApiError(
            400,
            "bad_idempotency_key",
            f"{HEADER} is {MAX_KEY} characters at most.",
            [{"field": field, "message": "too long"}],
        )
    return key


def _capture_once(request, territory, payload: VoiceIn, key: str, data: dict):
    """`_capture` at most once per (token, key): (status, body, replayed); every error
    as an ApiError."""
    try:
        return run_once(
            scope=f"token:{request.api_token.pk}",
            key=key,
            payload=data,
            create=lambda: _capture(request, territory, payload),
        )
    except KeyReused as exc:
        raise ApiError(
            422,
            "idempotency_key_reused",
            f"This {HEADER} was already used with a different request.",
            [{"field": HEADER, "message": "reused with another body"}],
        ) from exc
    except ValidationError as exc:
        details = [
            {"field": field, "message": str(m)}
            for field, messages in exc.message_dict.items()
            for m in messages
        ]
        raise ApiError(422, "validation_error", "The request is not valid.", details) from exc


@router.post("/voices", response={201: VoiceCreated, **ERROR_RESPONSES}, summary="Capture a voice")
def create_voice(request, payload: VoiceIn):
    """Record a voice. Send an `Idempotency-Key` header to retry safely: the same key
    returns the first response (same id) and creates nothing more."""
    require_scope(request, VOICES_WRITE)
    territory = territory_selectors.current_territory_or_404()
    key = _key_of(request.headers.get(HEADER))
    status, body, replayed = _capture_once(request, territory, payload, key, payload.dict())
    from cocon.api.main import api  # a Router has no `.api` in django-ninja 1.7

    response = api.create_response(request, body, status=status)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


BATCH_MAX = 100


class VoiceBatchItem(VoiceIn):
    idempotency_key: str | None = Field(
        None, description="Per item, like the Idempotency-Key header of POST /voices"
    )


class VoiceBatchIn(Schema):
    items: list[VoiceBatchItem] = Field(..., description=f"1 to {BATCH_MAX} voices")


class BatchResult(Schema):
    index: int = Field(..., description="Position of the item in the request, from 0")
    status: int = Field(..., description="201 created, or the item's error status")
    replayed: bool = False
    voice: VoiceCreated | None = None
    error: ErrorInfo | None = None


class BatchOut(Schema):
    results: list[BatchResult]


@router.post(
    "/voices/batch",
    response={200: BatchOut, **ERROR_RESPONSES},
    summary="Capture several voices at once",
)
def create_voices(request, payload: VoiceBatchIn):
    """Record up to 100 voices in one request (a workshop's post-its, a relaying tool
    syncing its captures). Each item is captured on its own, exactly like POST /voices:
    its own transaction, its own optional `idempotency_key` (a retried batch creates
    nothing twice), its own result — one invalid item does not stop the others."""
    require_scope(request, VOICES_WRITE)
    if not 1 <= len(payload.items) <= BATCH_MAX:
        raise _field_error("items", f"Send 1 to {BATCH_MAX} items.")
    territory = territory_selectors.current_territory_or_404()
    results = []
    for index, item in enumerate(payload.items):
        data = item.dict()
        try:
            key = _key_of(data.pop("idempotency_key"), f"items[{index}].idempotency_key")
            status, body, replayed = _capture_once(request, territory, item, key, data)
        except ApiError as exc:
            results.append({"index": index, "status": exc.status, "error": exc.body()["error"]})
            continue
        results.append({"index": index, "status": status, "replayed": replayed, "voice": body})
    return 200, {"results": results}


class ListQuery(Schema):
    service: int | None = None
    organization: int | None = None
    kind: str = ""
    theme: int | None = None
    channel: str = ""
    commune: int | None = None
    status: str = Field("", description='A status, "open" or "overdue"')
    relayed: str = Field("", description='"yes" or "no"')
    since: dt.date | None = None
    until: dt.date | None = None
    after: str | None = Field(None, description="Cursor from the previous page's `next`")
    limit: int = Field(50, ge=1, le=200)


@router.get("/voices", response={200: VoicePage, **ERROR_RESPONSES}, summary="List voices")
def list_voices(request, query: Query[ListQuery]):
    """The voices the token's user may see (their feed, plus their own voices), newest
    first, with the same filters as the feeds. Keyset pagination: pass `next` as
    `after`; the cost of a page does not grow with its depth."""
    require_scope(request, VOICES_READ)
    if query.status and query.status not in (*Status.values, "open", "overdue"):
        raise _field_error("status", "Unknown status.")
    if query.after and selectors.decode_cursor(query.after) is None:
        raise _field_error("after", "Invalid cursor.")
    filters = selectors.FeedFilters(
        service=query.service,
        organization=query.organization,
        kind=query.kind,
        theme=query.theme,
        channel=query.channel,
        commune=query.commune,
        status=query.status,
        relayed=query.relayed,
        since=query.since,
        until=query.until,
    )
    page = selectors.feed(
        request.user,
        filters,
        after=query.after,
        size=query.limit,
        with_counts=False,
        include_own=True,
    )
    return {"items": [out(v) for v in page.voices], "next": page.next_cursor}


def _visible(request, reference: str) -> Voice:
    voice = selectors.voice_for(request.user, reference)
    if voice is None:
        raise Http404("voice")
    return voice


@router.get(
    "/voices/{reference}", response={200: VoiceOut, **ERROR_RESPONSES}, summary="Read a voice"
)
def get_voice(request, reference: str):
    require_scope(request, VOICES_READ)
    return out(_visible(request, reference))


@router.post(
    "/voices/{reference}/status",
    response={200: VoiceOut, **ERROR_RESPONSES},
    summary="Change a voice's status",
)
def set_status(request, reference: str, payload: StatusIn):
    """Acknowledge, answer (text required), refer (not_for_us, text required), close or
    reopen. The text is sent to the person."""
    require_scope(request, VOICES_WRITE)
    voice = _visible(request, reference)
    if not can(request.user, "voices.act", voice):
        raise ApiError(
            403, "forbidden", "Only the voice's service and its direction change its status."
        )
    signer = None
    if payload.signed_by is not None:
        from cocon.accounts.models import User

        signer = User.objects.filter(pk=payload.signed_by, is_active=True).first()
        if signer is None:
            raise _field_error("signed_by", "Unknown user.")
    try:
        with transaction.atomic():
            services.voice_set_status(
                voice,
                actor=request.user,
                status=payload.status,
                text=payload.text,
                signed_by=signer,
            )
    except ValidationError as exc:
        details = [
            {"field": f, "message": str(m)} for f, ms in exc.message_dict.items() for m in ms
        ]
        raise ApiError(422, "validation_error", "The request is not valid.", details) from exc
    return out(_visible(request, reference))
