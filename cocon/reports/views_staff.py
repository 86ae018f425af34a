"""Staff pages of Signalements: the list of the reports a person may see (filters,
counts, bulk changes with one public update) and one report with everything about it
(exact place, contact, history, notes, readers) and its actions (state, team,
duplicate, note). Thin, as in Paroles: permissions through `core.permissions`, reads
through selectors, writes through services. A report the person may not see is a 404;
one they see but may not act on answers 403 to an action."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, re_path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cocon.core import history
from cocon.core.attachments import attachments_of
from cocon.core.forms import add_service_errors
from cocon.core.notifications import mark_read_for
from cocon.core.permissions import can, grants_of, require
from cocon.reports import selectors, services
from cocon.reports.forms_staff import (
    SUGGESTED_TEXTS,
    AssignForm,
    BulkForm,
    DuplicateForm,
    StaffFilterForm,
    StateForm,
)
from cocon.reports.labels import status_label
from cocon.reports.models import Report, Team
from cocon.reports.rules import team_ids
from cocon.territory import selectors as territory_selectors
from cocon.territory.models import Commune, Service
from cocon.voices import services as voice_services
from cocon.voices.forms import NoteForm
from cocon.voices.models import OPEN_STATUSES, Status
from cocon.voices.rules import scope_of

PAGE_SIZE = 50


def visible_reports(user, territory):
    """Every report `user` may see on the staff side: their Paroles scope, and the
    reports assigned to the field teams they belong to."""
    grants = grants_of(user)
    return selectors.staff_reports(
        scope_of(grants).q(), territory=territory, team_ids=team_ids(grants)
    )


def overdue_q(now) -> Q:
    """`voices.selectors.overdue_q` on reports (the status is the report's copy)."""
    return Q(status=Status.RECEIVED, voice__acknowledge_due__lt=now) | Q(
        status__in=OPEN_STATUSES, voice__answer_due__lt=now
    )


def _choices(user, territory):
    """Services, teams, categories and communes for the filters (4 queries)."""
    grants = grants_of(user)
    scope = scope_of(grants)
    services_qs = Service.objects.filter(organization__territory=territory).select_related(
        "organization"
    )
    mine = team_ids(grants)
    if not scope.everything:
        services_qs = services_qs.filter(
            Q(pk__in=scope.services)
            | Q(organization_id__in=scope.organizations)
            | Q(direction_id__in=scope.directions)
            | Q(report_teams__in=mine)
        ).distinct()
    service_list = list(services_qs.order_by("organization__name", "name"))
    teams = list(
        Team.objects.filter(Q(service__in=[s.pk for s in service_list]) | Q(pk__in=mine))
        .select_related("service")
        .distinct()
        .order_by("name")
    )
    return (
        service_list,
        teams,
        list(selectors.categories(territory, active_only=False)),
        list(Commune.objects.filter(territory=territory).order_by("name")),
    )


def _filter(qs, data: dict, user, now):
    if data.get("category"):
        qs = qs.filter(category_id=data["category"])
    if data.get("commune"):
        qs = qs.filter(voice__commune_id=data["commune"])
    if data.get("service"):
        qs = qs.filter(voice__service_id=data["service"])
    if data.get("team"):
        qs = qs.filter(team_id=data["team"])
    if data.get("my_team"):
        qs = qs.filter(team_id__in=list(team_ids(grants_of(user))))
    if data.get("overdue"):
        qs = qs.filter(overdue_q(now))
    return qs


def _status_filter(qs, status: str):
    if status == "open":
        return qs.filter(is_open=True)
    if status == "closed":
        return qs.filter(is_open=False)
    if status:
        return qs.filter(status=status)
    return qs


def _list_context(request, territory, *, bulk_form=None) -> dict:
    user = request.user
    now = timezone.now()
    service_list, teams, categories, communes = _choices(user, territory)
    form = StaffFilterForm(
        request.GET or None,
        categories=categories,
        communes=communes,
        services=service_list,
        teams=teams,
    )
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    base = _filter(visible_reports(user, territory), data, user, now)
    counts = dict(
        base.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    overdue = base.filter(overdue_q(now)).count()
    rows = _status_filter(base, data.get("status") or "")
    paginator = Paginator(rows, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    reports = list(page.object_list)
    for report in reports:
        report.may_act = can(user, "reports.act", report)
        report.late = report.voice.overdue(now)
    query = request.GET.copy()
    query.pop("page", None)
    if bulk_form is None:
        bulk_form = BulkForm(teams=teams, prefix="bulk")
    selected = set(bulk_form.data.getlist("bulk-reports")) if bulk_form.is_bound else set()
    statuses = [(s, status_label(s), counts.get(s, 0)) for s in Status.values if counts.get(s)]
    return {
        "form": form,
        "page": page,
        "reports": reports,
        "counts": statuses,
        "total": sum(counts.values()),
        "overdue": overdue,
        "query": query.urlencode(),
        "bulk_form": bulk_form,
        "selected": selected,
        "any_actionable": any(r.may_act for r in reports),
        "may_capture": can(user, "reports.capture"),
    }


def _bulk(request, territory, teams_by_pk):
    """All or none: every ticked report must be one the person may act on; then one
    state, one public update and (optionally) one team for all of them."""
    form = BulkForm(request.POST, teams=list(teams_by_pk.values()), prefix="bulk")
    if not form.is_valid():
        return form, False
    data = form.cleaned_data
    refs = sorted({r.strip().upper() for r in data["reports"] if r.strip()})
    found = {
        r.voice.reference: r
        for r in visible_reports(request.user, territory).filter(voice__reference__in=refs)
    }
    refused = [ref for ref in refs if ref not in found] + [
        ref for ref, r in found.items() if not can(request.user, "reports.act", r)
    ]
    if refused:
        form.add_error(
            "reports",
            _("You may not change these reports: %(refs)s. Nothing was changed.")
            % {"refs": ", ".join(sorted(refused))},
        )
        return form, False
    team = teams_by_pk.get(data.get("team")) if data.get("team") else None
    chosen = [found[ref] for ref in refs]
    try:
        with transaction.atomic():
            services.reports_bulk_set_state(
                chosen, actor=request.user, status=data["status"], text=data["text"]
            )
            if team is not None:
                for report in chosen:
                    services.report_assign(report, actor=request.user, team=team)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return form, False
    return form, True


@login_required
@require_http_methods(["GET", "POST"])
def staff_list(request):
    """The reports the person may see, newest first, 50 per page, with a bulk action."""
    require(request.user, "reports.list")
    territory = territory_selectors.current_territory_or_404()
    bulk_form = None
    if request.method == "POST":
        _services, teams, _c, _k = _choices(request.user, territory)
        bulk_form, done = _bulk(request, territory, {t.pk: t for t in teams})
        if done:
            n = len(bulk_form.cleaned_data["reports"])
            messages.success(
                request,
                _("%(n)s reports changed, with the same public update.") % {"n": n},
            )
            target = reverse("reports:staff_list")
            if request.GET:
                target += "?" + request.GET.urlencode()
            return redirect(target)
    context = _list_context(request, territory, bulk_form=bulk_form)
    return render(
        request,
        "reports/staff/list.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


# --- one report ------------------------------------------------------------------------------
def _report_or_404(request, reference: str) -> Report:
    territory = territory_selectors.current_territory_or_404()
    report = (
        Report.objects.select_related(
            "category",
            "team",
            "voice__service__organization",
            "voice__service__direction",
            "voice__organization",
            "voice__commune",
            "voice__relay",
            "voice__author",
            "voice__merged_into",
        )
        .prefetch_related("voice__shares__service")
        .filter(territory=territory, voice__reference=reference.strip().upper())
        .first()
    )
    if report is None or not can(request.user, "reports.view_staff", report):
        raise Http404("report not found")
    return report


def _attributes(report: Report) -> list[tuple[str, str]]:
    """The answers to the category's extra questions, with their labels."""
    rows = []
    for attr in report.category.attributes or []:
        code = attr.get("code")
        if code not in report.attributes:
            continue
        names = {str(v.get("key")): v.get("name") for v in attr.get("values", [])}
        value = report.attributes[code]
        values = value if isinstance(value, list) else [value]
        shown = ", ".join(str(names.get(str(v), v)) for v in values)
        rows.append((attr.get("description") or code, shown))
    return rows


def _suggestions(request, report: Report) -> list[tuple[Report, float]]:
    """Open reports of the same category near this one that the person may see."""
    if not report.is_open:
        return []
    found = [
        (r, d)
        for r, d in selectors.nearby_open(report.category, report.latitude, report.longitude)
        if r.pk != report.pk
    ]
    if not found:
        return []
    visible = set(
        visible_reports(request.user, report.territory)
        .filter(pk__in=[r.pk for r, _d in found])
        .values_list("pk", flat=True)
    )
    return [(r, round(d)) for r, d in found if r.pk in visible]


def _detail_context(request, report: Report, *, bound=None) -> dict:
    user = request.user
    voice = report.voice
    may_act = can(user, "reports.act", report)
    may_comment = can(user, "reports.comment", report)
    teams = list(Team.objects.filter(service_id=voice.service_id).order_by("name"))
    context = {
        "report": report,
        "voice": voice,
        "events": history.history_of(voice),
        "notes": history.notes_of(voice) if may_comment else [],
        "readers": history.readers_of(voice),
        "photos": attachments_of(voice),
        "photo_url": "voices:photo" if can(user, "voices.view", voice) else "reports:staff_photo",
        "may_act": may_act,
        "may_comment": may_comment,
        "may_open_voice": can(user, "voices.view", voice),
        "contact": getattr(voice, "contact", None) if may_act else None,
        "attributes": _attributes(report),
        "overdue": voice.overdue(),
        "suggested_texts": {k: str(v) for k, v in SUGGESTED_TEXTS.items()},
    }
    if may_act:
        allowed = [s for s in voice_services.allowed_statuses(voice) if s != Status.MERGED]
        context["state_form"] = StateForm(allowed=allowed, prefix="state")
        context["assign_form"] = AssignForm(
            teams=teams, prefix="assign", initial={"team": report.team_id}
        )
        if report.is_open:
            context["duplicate_form"] = DuplicateForm(prefix="duplicate")
            context["nearby"] = _suggestions(request, report)
    if may_comment:
        context["note_form"] = NoteForm(prefix="note")
    if bound is not None:
        context[f"{bound.prefix}_form"] = bound
    return context


@login_required
@require_GET
def staff_detail(request, reference):
    report = _report_or_404(request, reference)
    voice_services.voice_seen(report.voice, request.user)
    mark_read_for(request.user, report.voice)
    return render(request, "reports/staff/detail.html", _detail_context(request, report))


_apply_errors = add_service_errors


def _state(request, report):
    allowed = [s for s in voice_services.allowed_statuses(report.voice) if s != Status.MERGED]
    form = StateForm(request.POST, allowed=allowed, prefix="state")
    if form.is_valid():
        try:
            services.report_set_state(
                report,
                actor=request.user,
                status=form.cleaned_data["status"],
                text=form.cleaned_data["text"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return form, _("State changed; the public update is published.")
    return form, None


def _assign(request, report):
    teams = list(Team.objects.filter(service_id=report.voice.service_id).order_by("name"))
    form = AssignForm(request.POST, teams=teams, prefix="assign")
    if form.is_valid():
        pk = form.cleaned_data.get("team")
        team = None
        if pk:
            team = Team.objects.filter(
                pk=pk, service__organization__territory_id=report.territory_id
            ).first()
            if team is None:
                form.add_error("team", _("Choose a team in the list."))
                return form, None
        try:
            services.report_assign(report, actor=request.user, team=team)
        except ValidationError as exc:
            _apply_errors(form, exc, "team")
        else:
            return form, (
                _("Assigned to %(team)s.") % {"team": team.name} if team else _("Team removed.")
            )
    return form, None


def _duplicate(request, report):
    form = DuplicateForm(request.POST, prefix="duplicate")
    if form.is_valid():
        reference = form.cleaned_data["reference"]
        original = (
            visible_reports(request.user, report.territory)
            .select_related("voice__service")
            .filter(voice__reference=reference)
            .first()
        )
        if original is None:
            form.add_error(
                "duplicate_of",
                _("No report %(ref)s among those you can see.") % {"ref": reference},
            )
            return form, None
        try:
            services.report_mark_duplicate(report, actor=request.user, of=original)
        except ValidationError as exc:
            _apply_errors(form, exc, "duplicate_of")
        else:
            return form, _("Marked as a duplicate of %(ref)s.") % {"ref": reference}
    return form, None


def _note(request, report):
    form = NoteForm(request.POST, prefix="note")
    if form.is_valid():
        try:
            voice_services.voice_note(
                report.voice, actor=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return form, _("Note added.")
    return form, None


ACTIONS = {
    "state": ("reports.act", _state),
    "assign": ("reports.act", _assign),
    "duplicate": ("reports.act", _duplicate),
    "note": ("reports.comment", _note),
}


@login_required
@require_http_methods(["POST"])
def staff_action(request, reference):
    """The forms of the detail page post here (`action` says which): on success back to
    the report, on error the page again with the message next to the field."""
    report = _report_or_404(request, reference)
    action = ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        raise Http404("unknown action")
    permission, handler = action
    if not can(request.user, permission, report):
        raise PermissionDenied(permission)
    form, success = handler(request, report)
    if success:
        messages.success(request, success)
        return redirect("reports:staff_detail", reference=report.voice.reference)
    report = _report_or_404(request, reference)
    context = _detail_context(request, report, bound=form)
    return render(request, "reports/staff/detail.html", context, status=400)


@login_required
@require_GET
def staff_photo(request, reference, pk):
    """A photo of the report for the members of its team who do not otherwise see the
    voice (everyone else uses Paroles' `voices:photo`)."""
    report = _report_or_404(request, reference)
    attachment = get_object_or_404(attachments_of(report.voice), pk=int(pk))
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.mime_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# a reference is ABCD-2345: the pattern keeps other pages under /espace/signalements/
# (field capture…) from being taken for one
REF = r"(?P<reference>[A-Za-z0-9]{4}-[A-Za-z0-9]{4})"

urlpatterns: list = [
    path("espace/signalements/", staff_list, name="staff_list"),
    re_path(rf"^espace/signalements/{REF}/$", staff_detail, name="staff_detail"),
    re_path(rf"^espace/signalements/{REF}/action/$", staff_action, name="staff_action"),
    re_path(
        rf"^espace/signalements/{REF}/photos/(?P<pk>[0-9]+)/$", staff_photo, name="staff_photo"
    ),
]
