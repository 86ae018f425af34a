"""Pages of the call for ambassadors (La Transfo): the calls of a process
(`call_list`, `call_create`, `call_edit`), the call's page (`call_detail`), applying
(`call_apply`, `application_withdraw`), the manager's answer (`application_review`),
the draw with its confirm step (`call_close`, `call_draw`), the published result and
its data (`call_result`, `call_draw_data`), the final list (`call_finalize`,
`call_swap`), mission letters (`mission_letter`, `mission_letters`) and the time spent
(`time_entries`, `call_time`). Rules: `processes.manage/view/apply/approve_application`.
"""

from __future__ import annotations

import datetime as dt
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cocon.core.forms import add_service_errors, bound_data
from cocon.core.history import history_of
from cocon.core.pdf import html_to_pdf
from cocon.core.permissions import can, require
from cocon.lib import draw as draw_lib
from cocon.processes import selectors_ambassadors as selectors
from cocon.processes import services_ambassadors as services
from cocon.processes.forms_ambassadors import (
    ApplicationForm,
    CallForm,
    ReviewForm,
    TimeEntryForm,
)
from cocon.processes.models.ambassadors import AmbassadorCall, Application
from cocon.processes.models.process import Process
from cocon.territory.selectors import current_territory_or_404


def _process(request, slug: str) -> Process:
    """The process of the current territory, 404 when it may not be seen."""
    try:
        process = selectors.process_for(current_territory_or_404(), slug)
    except Process.DoesNotExist:
        raise Http404 from None
    if not can(request.user, "processes.view", process):
        raise Http404
    return process


def _call(request, pk: int) -> AmbassadorCall:
    """The call, 404 when its process may not be seen."""
    try:
        call = selectors.call_for(pk)
    except AmbassadorCall.DoesNotExist:
        raise Http404 from None
    if not can(request.user, "processes.view", call.process):
        raise Http404
    return call


def _managed_call(request, pk: int) -> AmbassadorCall:
    call = _call(request, pk)
    require(request.user, "processes.manage", call.process)
    return call


def _application(request, pk: int) -> Application:
    try:
        return selectors.application_for(pk)
    except Application.DoesNotExist:
        raise Http404 from None


def _status(request) -> int:
    return 400 if request.method == "POST" else 200


def procedure_text() -> list[str]:
    """The published procedure of the draw, in the reader's language."""
    return [
        _(
            "Values. Only the attributes named in the targets count. A candidate's value is "
            "the text given without leading and trailing spaces; a missing value is the "
            "value « not given », which may itself have a target."
        ),
        _(
            "Quotas (largest remainder method), per attribute. Each value gets seats × "
            "share ÷ total of shares, rounded down; the seats still free go, one each, to "
            "the values with the largest fractional parts, ties broken by value name in "
            "ascending order. A value absent from the targets has quota 0."
        ),
        _(
            "Lottery number. Each candidate's number is the SHA-256 of the text "
            "« <seed>:<key> », written as 64 lowercase hexadecimal digits. Smaller numbers "
            "come first."
        ),
        _(
            "Greedy selection. At each step, a remaining candidate's score is the number of "
            "attributes for which its value is still under quota. Pick the candidate with "
            "the highest score; among equal scores, the smallest lottery number. Repeat "
            "until every seat is filled: those are the selected people, in draw order. "
            "Continue the same way until nobody remains: that order is the waiting list."
        ),
    ]


# --- calls --------------------------------------------------------------------------------
@login_required
@require_GET
def call_list(request, slug: str):
    process = _process(request, slug)
    require(request.user, "processes.manage", process)
    calls = list(selectors.calls_of(process))
    return render(
        request, "processes/ambassadors/call_list.html", {"process": process, "calls": calls}
    )


def _call_form_save(request, form, *, process=None, call=None):
    data = form.cleaned_data
    fields = {
        "by": request.user,
        "title": data["title"],
        "description": data.get("description", ""),
        "commitment": data["commitment"],
        "days_per_month": data.get("days_per_month"),
        "months": data.get("months"),
        "opens_on": data["opens_on"],
        "closes_on": data["closes_on"],
        "seats": data.get("seats"),
        "targets": form.targets(),
    }
    if call is None:
        return services.call_create(process=process, **fields)
    return services.call_update(call=call, seed=data.get("seed", ""), **fields)


@login_required
@require_http_methods(["GET", "POST"])
def call_create(request, slug: str):
    process = _process(request, slug)
    require(request.user, "processes.manage", process)
    today = timezone.localdate()
    form = CallForm(
        bound_data(request),
        initial={
            "commitment": "3 jours par mois pendant 16 mois",
            "days_per_month": 3,
            "months": 16,
            "opens_on": today,
            "closes_on": today + dt.timedelta(days=30),
            "targets_category": "A: 30\nB: 30\nC: 40",
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            call = _call_form_save(request, form, process=process)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The call is created; its seed is published."))
            return redirect("processes:call_detail", call.pk)
    return render(
        request,
        "processes/ambassadors/call_form.html",
        {"process": process, "form": form, "call": None},
        status=_status(request),
    )


@login_required
@require_http_methods(["GET", "POST"])
def call_edit(request, pk: int):
    call = _managed_call(request, pk)
    form = CallForm(bound_data(request), call=call)
    if request.method == "POST" and form.is_valid():
        try:
            call = _call_form_save(request, form, call=call)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The call is saved."))
            return redirect("processes:call_detail", call.pk)
    return render(
        request,
        "processes/ambassadors/call_form.html",
        {"process": call.process, "form": form, "call": call},
        status=_status(request),
    )


@require_GET
def call_detail(request, pk: int):
    call = _call(request, pk)
    manages = can(request.user, "processes.manage", call.process)
    context = {
        "process": call.process,
        "call": call,
        "manages": manages,
        "may_apply": can(request.user, "processes.apply", call),
        "mine": selectors.my_application(call, request.user),
        "targets": selectors.target_rows(call),
    }
    if manages:
        context["applications"] = list(selectors.applications_of(call))
        context["history"] = list(history_of(call)[:50])
    return render(request, "processes/ambassadors/call_detail.html", context)


@login_required
@require_POST
def call_close(request, pk: int):
    call = _managed_call(request, pk)
    try:
        services.call_close(call=call, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("Applications are closed: the draw can take place."))
    return redirect("processes:call_draw", call.pk)


# --- applications -------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def call_apply(request, pk: int):
    call = _call(request, pk)
    require(request.user, "processes.apply", call)
    profile = request.user.agent_profile
    managers = services.manager_choices(profile.organization_id, exclude_id=request.user.pk)
    default = services.default_manager(request.user)
    form = ApplicationForm(
        bound_data(request),
        organization_id=profile.organization_id,
        managers=managers,
        initial={
            "service": profile.service_id,
            "category": profile.category,
            "gender": "",
            "manager": default.pk if default else None,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.application_submit(
                call=call,
                applicant=request.user,
                motivation=data["motivation"],
                service=data["service"],
                category=data["category"],
                gender=data["gender"] or "",
                manager=data["manager"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Your application is sent; your manager is asked to approve it.")
            )
            return redirect("processes:call_detail", call.pk)
    return render(
        request,
        "processes/ambassadors/apply.html",
        {"process": call.process, "call": call, "form": form},
        status=_status(request),
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_review(request, pk: int):
    application = _application(request, pk)
    require(request.user, "processes.approve_application", application)
    call = application.call
    form = ReviewForm(bound_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.application_decide(
                application=application,
                by=request.user,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your answer is recorded; the applicant is told."))
            return redirect("processes:application_review", application.pk)
    return render(
        request,
        "processes/ambassadors/review.html",
        {"process": call.process, "call": call, "application": application, "form": form},
        status=_status(request),
    )


@login_required
@require_POST
def application_withdraw(request, pk: int):
    application = _application(request, pk)
    if application.applicant_id != request.user.pk:
        raise Http404
    try:
        services.application_withdraw(application=application, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("Your application is withdrawn."))
    return redirect("processes:call_detail", application.call_id)


# --- draw ---------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def call_draw(request, pk: int):
    """GET: what the draw would give now, with the unmet targets explained; POST with
    `confirm`: run it and store the ranks."""
    call = _managed_call(request, pk)
    error = None
    if request.method == "POST":
        if request.POST.get("confirm") == "1":
            try:
                services.draw_run(call=call, by=request.user)
            except ValidationError as exc:
                error = exc.messages[0]
            else:
                messages.success(request, _("The draw is done and published."))
                return redirect("processes:call_result", call.pk)
        else:
            error = _("Tick the box to confirm the draw.")
    pool = selectors.pool_of(call)
    try:
        preview = services.draw_preview(call, pool)
    except ValueError:
        preview = None
        error = error or _("The targets are not valid.")
    by_key = {a.key: a for a in pool}
    return render(
        request,
        "processes/ambassadors/draw.html",
        {
            "process": call.process,
            "call": call,
            "pool": pool,
            "targets": selectors.target_rows(call),
            "preview": preview,
            "preview_selected": [by_key[k] for k in preview.selected] if preview else [],
            "preview_waiting": [by_key[k] for k in preview.waiting_list] if preview else [],
            "gaps": selectors.gap_lines(call, preview, pool),
            "closed": call.is_closed(),
            "error": error,
        },
        status=400 if error and request.method == "POST" else 200,
    )


@require_GET
def call_result(request, pk: int):
    call = _call(request, pk)
    if not call.is_drawn:
        raise Http404
    manages = can(request.user, "processes.manage", call.process)
    attributes, rows = selectors.result_rows(call, with_names=manages)
    return render(
        request,
        "processes/ambassadors/result.html",
        {
            "process": call.process,
            "call": call,
            "manages": manages,
            "attributes": attributes,
            "rows": rows,
            "selected_rows": [r for r in rows if r.selected],
            "gaps": selectors.gap_lines(call, call.draw_data, None),
            "procedure": procedure_text(),
            "targets": selectors.target_rows(call),
            "history": [
                e
                for e in history_of(call)
                if e.action in {"seed_changed", "swapped", "drawn", "drawn_again"}
            ],
        },
    )


@require_GET
def call_draw_data(request, pk: int):
    """The data needed to re-run the draw: JSON (default) or CSV (`?format=csv`)."""
    call = _call(request, pk)
    if not call.is_drawn:
        raise Http404
    data = call.draw_data
    if request.GET.get("format") == "csv":
        from cocon.ideas.views_staff import csv_response

        attributes = list(data["targets"])
        rows = [["key", *attributes, "lottery_number"]]
        for candidate in data["candidates"]:
            rows.append(
                [
                    candidate["key"],
                    *[candidate["values"].get(a, "") for a in attributes],
                    draw_lib.lottery_number(data["seed"], candidate["key"]),
                ]
            )
        rows.append([])
        rows.append(["seed", data["seed"]])
        rows.append(["seats", data["seats"]])
        for attribute, shares in data["targets"].items():
            for value, share in shares.items():
                rows.append(["target", attribute, value, share])
        return csv_response(rows, f"tirage-ambassadeurs-{call.pk}.csv")
    body = json.dumps(
        {"procedure": "cocon.lib.draw", **data}, ensure_ascii=False, indent=2, sort_keys=True
    )
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="tirage-ambassadeurs-{call.pk}.json"'
    return response


@login_required
@require_POST
def call_finalize(request, pk: int):
    call = _managed_call(request, pk)
    try:
        services.call_finalize(call=call, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("The list is final; the ambassadors and managers are told."))
    return redirect("processes:call_result", call.pk)


@login_required
@require_POST
def call_swap(request, pk: int, application_pk: int):
    call = _managed_call(request, pk)
    application = call.applications.filter(pk=application_pk).first()
    if application is None:
        raise Http404
    try:
        following = services.application_swap(application=application, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request,
            _("%(old)s is replaced by %(new)s.") % {"old": application.key, "new": following.key},
        )
    return redirect("processes:call_result", call.pk)


# --- mission letters ----------------------------------------------------------------------
def _pdf(request, applications, call) -> HttpResponse:
    html = render_to_string(
        "processes/ambassadors/letter_pdf.html",
        {"call": call, "process": call.process, "letters": applications},
        request=request,
    )
    return HttpResponse(
        html_to_pdf(html, base_url=request.build_absolute_uri("/")),
        content_type="application/pdf",
    )


@login_required
@require_GET
def mission_letter(request, pk: int):
    application = _application(request, pk)
    if not selectors.may_see_letter(request.user, application):
        raise Http404
    response = _pdf(request, [application], application.call)
    response["Content-Disposition"] = f'inline; filename="lettre-de-mission-{application.key}.pdf"'
    return response


@login_required
@require_GET
def mission_letters(request, pk: int):
    call = _managed_call(request, pk)
    if not call.is_finalized:
        raise Http404
    letters = list(selectors.applications_of(call).filter(selected=True))
    response = _pdf(request, letters, call)
    response["Content-Disposition"] = f'inline; filename="lettres-de-mission-{call.pk}.pdf"'
    return response


# --- time spent ---------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def time_entries(request, pk: int):
    application = _application(request, pk)
    if not selectors.may_see_letter(request.user, application):
        raise Http404
    form = TimeEntryForm(bound_data(request), initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.time_entry_add(
                application=application,
                by=request.user,
                date=data["date"],
                amount=data["amount"],
                unit=data["unit"],
                activity=data["activity"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The time is recorded."))
            return redirect("processes:time_entries", application.pk)
    entries = list(application.time_entries.all()[:200])
    return render(
        request,
        "processes/ambassadors/time_entries.html",
        {
            "process": application.call.process,
            "call": application.call,
            "application": application,
            "entries": entries,
            "total_days": round(sum(float(e.days) for e in entries), 1),
            "form": form,
        },
        status=_status(request),
    )


@login_required
@require_GET
def call_time(request, pk: int):
    call = _managed_call(request, pk)
    if not call.is_finalized:
        raise PermissionDenied
    return render(
        request,
        "processes/ambassadors/time_summary.html",
        {"process": call.process, "call": call, "lines": selectors.time_summary(call)},
    )


urlpatterns = [
    path("<slug:slug>/ambassadeurs/", call_list, name="call_list"),
    path("<slug:slug>/ambassadeurs/nouvel-appel/", call_create, name="call_create"),
    path("ambassadeurs/<int:pk>/", call_detail, name="call_detail"),
    path("ambassadeurs/<int:pk>/modifier/", call_edit, name="call_edit"),
    path("ambassadeurs/<int:pk>/candidater/", call_apply, name="call_apply"),
    path("ambassadeurs/<int:pk>/fermer/", call_close, name="call_close"),
    path("ambassadeurs/<int:pk>/tirage/", call_draw, name="call_draw"),
    path("ambassadeurs/<int:pk>/resultat/", call_result, name="call_result"),
    path("ambassadeurs/<int:pk>/donnees-du-tirage/", call_draw_data, name="call_draw_data"),
    path("ambassadeurs/<int:pk>/finaliser/", call_finalize, name="call_finalize"),
    path("ambassadeurs/<int:pk>/remplacer/<int:application_pk>/", call_swap, name="call_swap"),
    path("ambassadeurs/<int:pk>/lettres-de-mission.pdf", mission_letters, name="mission_letters"),
    path("ambassadeurs/<int:pk>/temps/", call_time, name="call_time"),
    path("ambassadeurs/candidatures/<int:pk>/avis/", application_review, name="application_review"),
    path(
        "ambassadeurs/candidatures/<int:pk>/retirer/",
        application_withdraw,
        name="application_withdraw",
    ),
    path(
        "ambassadeurs/candidatures/<int:pk>/lettre-de-mission.pdf",
        mission_letter,
        name="mission_letter",
    ),
    path("ambassadeurs/candidatures/<int:pk>/temps/", time_entries, name="time_entries"),
]
