"""Pages of Paroles. Thin: permissions through `core.permissions`, reads through
selectors, writes through services. A voice the person may not see answers 404."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cocon.accounts.models import User
from cocon.core import history, ratelimit
from cocon.core.attachments import attachments_of
from cocon.core.forms import add_service_errors, bound_data, bound_files
from cocon.core.models import Attachment
from cocon.core.notifications import mark_read_for
from cocon.core.permissions import can, require
from cocon.territory import selectors as territory_selectors
from cocon.territory.models import Commune, Organization, Service
from cocon.voices import selectors, services
from cocon.voices.forms import (
    PUBLIC_KIND_HELP,
    AgentCaptureForm,
    EscalateForm,
    FeedFilterForm,
    MergeForm,
    NoteForm,
    PublicVoiceForm,
    RerouteForm,
    ShareForm,
    StatusForm,
    ThankForm,
    TrackForm,
)
from cocon.voices.models import CaptureMode, Channel, Status, Theme, Voice

PUBLIC_LIMIT_PER_DEVICE = 8  # … per browser per hour
TRACK_LIMIT = 30  # tracking attempts per IP per 10 minutes
RECEIPTS_KEY = "voice_receipts"


def remember_receipt(request, captured) -> None:
    """Keep the tracking code in the session so the receipt page can show it once more
    (it is stored hashed: nobody can display it later)."""
    receipts = request.session.get(RECEIPTS_KEY, {})
    receipts[captured.voice.reference] = captured.tracking_code
    request.session[RECEIPTS_KEY] = dict(list(receipts.items())[-10:])


def _route(form, territory, kind: str, default=None):
    service = form.service_object() or default
    if service is not None:
        return service
    return services.route_or_host(territory=territory, text=form.cleaned_data["text"], kind=kind)


# --- public --------------------------------------------------------------------------
@dataclass(frozen=True)
class VoiceFrame:
    """Something that gathers voices through the public form (a process of Démarches):
    named above the form, and told of each voice in the same transaction as its capture.
    `attach` None means the collection has closed: the message is still taken, as a plain
    voice of Paroles (a submission is never lost), and `closed_message` says so."""

    title: str
    text: str
    back_url: str
    back_label: str
    attach: Callable[[Voice], object] | None
    service: Service | None = None  # default service of the form
    closed_message: str = ""


@require_http_methods(["GET", "POST"])
def give(request):
    """ "Je donne mon avis, je signale, je remercie": for anyone, with or without account."""
    return give_page(request)


def give_page(request, *, frame: VoiceFrame | None = None):
    """The public form, alone or within a frame (see VoiceFrame)."""
    territory = territory_selectors.current_territory_or_404()
    default_service = request.GET.get("service", "") or (
        frame.service.pk if frame and frame.service else ""
    )
    form = PublicVoiceForm(
        bound_data(request),
        bound_files(request),
        territory=territory,
        initial={"kind": request.GET.get("type", ""), "service": default_service},
    )
    context = {"form": form, "kind_help": PUBLIC_KIND_HELP, "frame": frame}
    limited = ratelimit.public_post_limited(
        request,
        "voice",
        per_address=settings.PUBLIC_FORM_RATE_PER_HOUR,
        per_device=PUBLIC_LIMIT_PER_DEVICE,
    )
    if limited:
        form.is_valid()
        form.add_error(
            None,
            _(
                "Too many messages were sent from this connection in the last hour. Your text is kept below: please try again later, or call the town hall."  # noqa: E501
            ),
        )
        return render(request, "voices/give.html", context, status=429)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data.get("website"):
            raise PermissionDenied("honeypot")
        data = form.cleaned_data
        try:
            with transaction.atomic():
                captured = services.voice_capture(
                    territory=territory,
                    kind=data["kind"],
                    text=data["text"],
                    channel=Channel.WEB,
                    service=_route(
                        form, territory, data["kind"], default=frame.service if frame else None
                    ),
                    commune=data.get("commune"),
                    address=data.get("address") or "",
                    event_date=data.get("event_date"),
                    author=request.user if request.user.is_authenticated else None,
                    contact_email=data.get("contact_email") or "",
                    contact_phone=data.get("contact_phone") or "",
                    contact_consent=data.get("contact_consent") or False,
                    profile=form.profile(),
                    photos=data.get("photos") or [],
                )
                if frame is not None and frame.attach is not None:
                    frame.attach(captured.voice)
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            if frame is not None and frame.attach is None and frame.closed_message:
                messages.info(request, frame.closed_message)
            remember_receipt(request, captured)
            return redirect("voices:receipt", reference=captured.voice.reference)
    response = render(
        request, "voices/give.html", context, status=400 if request.method == "POST" else 200
    )
    return ratelimit.remember_device(request, response)


@require_GET
def receipt(request, reference):
    """Shown right after capture (public page or agent screen): reference, tracking code
    and link, printable for the person."""
    code = request.session.get(RECEIPTS_KEY, {}).get(reference)
    if code is None:
        raise Http404("receipt not in this session")
    voice = get_object_or_404(
        Voice.objects.select_related("service__organization"), reference=reference
    )
    track_url = (
        request.build_absolute_uri(reverse("voices:track_voice", args=[reference]))
        + f"?code={code}"
    )
    return render(
        request, "voices/receipt.html", {"voice": voice, "code": code, "track_url": track_url}
    )


@require_http_methods(["GET", "POST"])
def track(request):
    """Enter a reference and tracking code (from the receipt) to read the answer."""
    form = TrackForm(request.GET if "reference" in request.GET else None)
    if form.is_bound and form.is_valid():
        return redirect(
            reverse("voices:track_voice", args=[form.cleaned_data["reference"].strip().upper()])
            + "?code="
            + form.cleaned_data["code"].strip()
        )
    return render(request, "voices/track.html", {"form": form})


@require_GET
def track_voice(request, reference):
    if not ratelimit.allow(request, "voice-track", limit=TRACK_LIMIT, window=600):
        return render(
            request, "voices/track.html", {"form": TrackForm(), "limited": True}, status=429
        )
    voice = selectors.voice_by_tracking(reference, request.GET.get("code", ""))
    if voice is None:
        return render(
            request,
            "voices/track.html",
            {"form": TrackForm(initial={"reference": reference}), "not_found": True},
            status=404,
        )
    events = [e for e in history.history_of(voice) if e.action in ("received", "status", "merged")]
    answer_voice = (
        voice.merged_into if voice.status == Status.MERGED and voice.merged_into else voice
    )
    return render(
        request,
        "voices/track_voice.html",
        {"voice": voice, "events": events, "answer_voice": answer_voice},
    )


@login_required
@require_GET
def mine(request):
    return render(request, "voices/mine.html", {"voices": selectors.my_voices(request.user)[:200]})


@require_GET
def suggest(request):
    """JSON suggestion of the competent service while the person types (progressive
    enhancement of the capture forms)."""
    if not ratelimit.allow(request, "voice-suggest", limit=120, window=60):
        return JsonResponse(
            {"error": {"code": "rate_limited", "message": "Too many requests."}}, status=429
        )
    territory = territory_selectors.current_territory_or_404()
    text = request.GET.get("text", "")[:2000]
    kind = request.GET.get("kind", "")
    if len(text.strip()) < 12:
        return JsonResponse({"service": None})
    route = services.suggest_route(territory=territory, text=text, kind=kind)
    if route.service is None:
        return JsonResponse({"service": None, "theme": route.theme.name if route.theme else None})
    return JsonResponse(
        {
            "service": {
                "id": route.service.pk,
                "name": route.service.name,
                "organization": route.service.organization.display_name,
            },
            "theme": route.theme.name if route.theme else None,
        }
    )


# --- agents and staff ----------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def capture(request):
    """Fast capture on a phone, at a counter or in the street, for any service of the
    territory (guichet unique)."""
    require(request.user, "voices.capture")
    territory = territory_selectors.current_territory_or_404()
    form = AgentCaptureForm(
        bound_data(request),
        bound_files(request),
        territory=territory,
        initial={"capture_mode": CaptureMode.RELAYED, "channel": Channel.COUNTER},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        mode = data["capture_mode"]
        try:
            captured = services.voice_capture(
                territory=territory,
                kind=data["kind"],
                text=data["text"],
                channel=data["channel"],
                capture_mode=mode,
                service=_route(form, territory, data["kind"]),
                commune=data.get("commune"),
                address=data.get("address") or "",
                event_date=data.get("event_date"),
                relay=request.user,
                contact_email=data.get("contact_email") or "",
                contact_phone=data.get("contact_phone") or "",
                contact_consent=data.get("contact_consent") or False,
                profile=form.profile() if mode == CaptureMode.RELAYED else None,
                photos=data.get("photos") or [],
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            remember_receipt(request, captured)
            # No flash message: the receipt says where the voice went, and is printed.
            return redirect("voices:capture_receipt", reference=captured.voice.reference)
    return render(
        request,
        "voices/capture.html",
        {"form": form, "recent": selectors.my_captures(request.user, 5)},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def capture_receipt(request, reference):
    return receipt(request, reference)


def _filter_choices(user, territory):
    scope = selectors.scope_of(user.grants)
    services_qs = Service.objects.filter(organization__territory=territory).select_related(
        "organization"
    )
    if not scope.everything:
        from django.db.models import Q

        q = (
            Q(pk__in=scope.services)
            | Q(organization_id__in=scope.organizations)
            | Q(direction_id__in=scope.directions)
        )
        services_qs = services_qs.filter(q)
    return (
        list(services_qs.order_by("organization__name", "name")),
        list(Theme.objects.filter(territory=territory)),
        list(Commune.objects.filter(territory=territory).order_by("name")),
    )


@login_required
@require_GET
def feed(request):
    """The person's feed: everything their role lets them see, at once, with filters,
    counts and keyset pagination."""
    require(request.user, "voices.feed")
    territory = territory_selectors.current_territory_or_404()
    service_list, themes, communes = _filter_choices(request.user, territory)
    form = FeedFilterForm(
        request.GET or None, services=service_list, themes=themes, communes=communes
    )
    filters = selectors.FeedFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.FeedFilters(
            service=data.get("service"),
            kind=data.get("kind") or "",
            theme=data.get("theme"),
            channel=data.get("channel") or "",
            commune=data.get("commune"),
            status=data.get("status") or "",
            relayed=data.get("relayed") or "",
            since=data.get("since"),
            until=data.get("until"),
            escalated=bool(data.get("escalated")),
        )
    page = selectors.feed(request.user, filters, after=request.GET.get("apres"))
    query = request.GET.copy()
    query.pop("apres", None)
    return render(
        request,
        "voices/feed.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "statuses": Status.choices,
            "now": selectors.timezone.now(),
            "may_capture": can(request.user, "voices.capture"),
        },
    )


def _voice_or_404(request, reference) -> Voice:
    voice = selectors.voice_for(request.user, reference)
    if voice is None:
        raise Http404("voice not found")
    return voice


def _elus_for(voice):
    return list(services.elus_of(voice.service).order_by("full_name"))


def _detail_context(request, voice, *, bound=None) -> dict:
    may_act = can(request.user, "voices.act", voice)
    may_comment = can(request.user, "voices.comment", voice)
    territory = voice.territory
    context = {
        "voice": voice,
        "events": history.history_of(voice),
        "readers": history.readers_of(voice) if may_comment else [],
        "notes": history.notes_of(voice) if may_comment else [],
        "photos": attachments_of(voice),
        "may_act": may_act,
        "may_comment": may_comment,
        "merged": voice.merged_voices.all(),
        "contact": getattr(voice, "contact", None) if may_act else None,
        "overdue": voice.overdue(),
    }
    if may_act:
        context["status_form"] = StatusForm(
            allowed=services.allowed_statuses(voice),
            elus=_elus_for(voice),
            prefix="status",
        )
        context["reroute_form"] = RerouteForm(territory=territory, prefix="reroute")
        context["merge_form"] = MergeForm(prefix="merge")
        if voice.kind == "thanks":
            context["thank_form"] = ThankForm(organization=voice.organization, prefix="thank")
    if may_comment:
        context["note_form"] = NoteForm(prefix="note")
        context["share_form"] = ShareForm(territory=territory, prefix="share")
        context["escalate_form"] = EscalateForm(prefix="escalate")
    if bound is not None:
        context[f"{bound.prefix}_form"] = bound
    return context


@login_required
@require_GET
def detail(request, reference):
    voice = _voice_or_404(request, reference)
    services.voice_seen(voice, request.user)
    mark_read_for(request.user, voice)
    return render(request, "voices/detail.html", _detail_context(request, voice))


def _action(request, reference, permission, form_factory, apply, success):
    """Shared POST handling of the actions on a voice: check, validate, apply, and on
    error show the detail page again with the messages next to the fields."""
    voice = _voice_or_404(request, reference)
    if not can(request.user, permission, voice):
        raise PermissionDenied(permission)
    form = form_factory(voice, request.POST)
    if form.is_valid():
        try:
            apply(voice, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect(voice.get_absolute_url())
    voice = _voice_or_404(request, reference)
    context = _detail_context(request, voice, bound=form)
    context["action_error"] = True
    return render(request, "voices/detail.html", context, status=400)


def _user(pk):
    return User.objects.filter(pk=pk).first() if pk else None


def _service(pk):
    return Service.objects.select_related("organization").filter(pk=pk).first() if pk else None


@login_required
@require_POST
def set_status(request, reference):
    return _action(
        request,
        reference,
        "voices.act",
        lambda v, data: StatusForm(
            data, allowed=services.allowed_statuses(v), elus=_elus_for(v), prefix="status"
        ),
        lambda v, d: services.voice_set_status(
            v,
            actor=request.user,
            status=d["status"],
            text=d.get("text", ""),
            signed_by=_user(d.get("signed_by")),
        ),
        _("Status changed."),
    )


@login_required
@require_POST
def reroute(request, reference):
    return _action(
        request,
        reference,
        "voices.act",
        lambda v, data: RerouteForm(data, territory=v.territory, prefix="reroute"),
        lambda v, d: services.voice_reroute(
            v, actor=request.user, service=_service(d["service"]), reason=d["reason"]
        ),
        _("The voice was sent to the other service."),
    )


@login_required
@require_POST
def share(request, reference):
    return _action(
        request,
        reference,
        "voices.comment",
        lambda v, data: ShareForm(data, territory=v.territory, prefix="share"),
        lambda v, d: services.voice_share(
            v, actor=request.user, service=_service(d["service"]), note=d.get("note", "")
        ),
        _("The voice is now shared with that service."),
    )


@login_required
@require_POST
def note(request, reference):
    return _action(
        request,
        reference,
        "voices.comment",
        lambda v, data: NoteForm(data, prefix="note"),
        lambda v, d: services.voice_note(v, actor=request.user, text=d["text"]),
        _("Note added."),
    )


@login_required
@require_POST
def escalate(request, reference):
    return _action(
        request,
        reference,
        "voices.comment",
        lambda v, data: EscalateForm(data, prefix="escalate"),
        lambda v, d: services.voice_escalate(v, actor=request.user, note=d.get("note", "")),
        _("The élus concerned have been told."),
    )


@login_required
@require_POST
def thank(request, reference):
    return _action(
        request,
        reference,
        "voices.act",
        lambda v, data: ThankForm(data, organization=v.organization, prefix="thank"),
        lambda v, d: services.voice_thank_agent(v, actor=request.user, agent=_user(d["agent"])),
        _("The thanks were passed on."),
    )


@login_required
@require_POST
def merge(request, reference):
    def apply(voice, data):
        refs = [
            r.strip().upper() for r in data["references"].replace(";", ",").split(",") if r.strip()
        ]
        duplicates = []
        for ref in refs:
            dup = selectors.voice_for(request.user, ref)
            if dup is None or not can(request.user, "voices.act", dup):
                raise ValidationError(
                    {"references": [_("Voice %(ref)s not found among yours.") % {"ref": ref}]}
                )
            duplicates.append(dup)
        if not duplicates:
            raise ValidationError({"references": [_("Give at least one reference.")]})
        services.voice_merge(voice, duplicates, actor=request.user)

    return _action(
        request,
        reference,
        "voices.act",
        lambda v, data: MergeForm(data, prefix="merge"),
        apply,
        _("Duplicates merged: they will receive the same answer."),
    )


@login_required
@require_GET
def photo(request, reference, pk):
    voice = _voice_or_404(request, reference)
    attachment = get_object_or_404(attachments_of(voice), pk=pk)
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.mime_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def dashboard(request, pk):
    service = get_object_or_404(Service.objects.select_related("organization"), pk=pk)
    if not can(request.user, "voices.dashboard", service):
        raise Http404("no dashboard for you")
    data = selectors.dashboard(service)
    return render(
        request,
        "voices/dashboard.html",
        {"service": service, "data": data, "channels": dict(Channel.choices)},
    )


@login_required
@require_GET
def dashboards(request):
    require(request.user, "voices.feed")
    service_list, _themes, _communes = _filter_choices(
        request.user, territory_selectors.current_territory_or_404()
    )
    return render(request, "voices/dashboards.html", {"services": service_list})


__all__ = ["Attachment"]


@login_required
@require_http_methods(["GET", "POST"])
def routing(request, slug):
    """An organization's routing rules (kind × theme → service) and response-time
    commitments, for its administrators."""
    from cocon.voices.forms import CommitmentForm, RoutingRuleForm
    from cocon.voices.models import Commitment, RoutingRule

    organization = get_object_or_404(Organization, slug=slug)
    if not can(request.user, "voices.configure", organization):
        raise Http404("not an administrator of this organization")
    themes = list(Theme.objects.filter(territory_id=organization.territory_id))
    action = request.POST.get("action", "")
    rule_form = RoutingRuleForm(
        request.POST if action == "add_rule" else None,
        organization=organization,
        themes=themes,
        prefix="rule",
    )
    commitment_form = CommitmentForm(
        request.POST if action == "commitment" else None,
        organization=organization,
        prefix="commitment",
    )
    if action == "delete_rule":
        RoutingRule.objects.filter(organization=organization, pk=request.POST.get("rule")).delete()
        messages.success(request, _("Rule deleted."))
        return redirect("voices:routing", slug=slug)
    bound = (
        rule_form if action == "add_rule" else commitment_form if action == "commitment" else None
    )
    if bound is not None and bound.is_valid():
        data = bound.cleaned_data
        try:
            if bound is rule_form:
                services.routing_rule_add(
                    organization=organization,
                    kind=data.get("kind") or "",
                    theme=Theme.objects.filter(
                        pk=data.get("theme"), territory_id=organization.territory_id
                    ).first()
                    if data.get("theme")
                    else None,
                    service=organization.services.filter(pk=data["service"]).first(),
                )
            else:
                services.commitment_set(
                    service=get_object_or_404(organization.services, pk=data["service"]),
                    acknowledge_days=data["acknowledge_days"],
                    answer_days=data["answer_days"],
                )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                for message in errors:
                    bound.add_error(name if name in bound.fields else None, message)
        else:
            messages.success(request, _("Saved."))
            return redirect("voices:routing", slug=slug)
    rules = RoutingRule.objects.filter(organization=organization).select_related("theme", "service")
    commitments = {
        c.service_id: c for c in Commitment.objects.filter(service__organization=organization)
    }
    service_rows = [(s, commitments.get(s.pk)) for s in organization.services.order_by("name")]
    return render(
        request,
        "voices/routing.html",
        {
            "organization": organization,
            "rules": rules,
            "rule_form": rule_form,
            "commitment_form": commitment_form,
            "service_rows": service_rows,
        },
        status=400 if bound is not None and bound.errors else 200,
    )
