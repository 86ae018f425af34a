"""Waves of a barometer: staff pages (list, create and edit, status, invitation codes,
imports of a polling firm's file) and the public questionnaire (invitation code or open
link). A barometer the person may not see is a 404; one they see but may not manage
answers 403 to any change."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cocon.barometer import services_waves as services
from cocon.barometer.forms_waves import (
    CodeForm,
    CodesForm,
    ImportForm,
    QuestionnaireForm,
    WaveForm,
)
from cocon.barometer.models import Barometer, ResponseImport, Wave, WaveStatus
from cocon.core import ratelimit
from cocon.core.forms import add_service_errors, bound_data, bound_files
from cocon.core.permissions import can, require

ANSWER_LIMIT_PER_DEVICE = 30  # anonymous POSTs of the questionnaire per browser per hour
CODE_PATTERN = re.compile(r"^[%s]{5}-[%s]{5}$" % ((services.CODE_ALPHABET,) * 2))


# --- helpers -----------------------------------------------------------------------------
def _barometer(request, pk: int) -> Barometer:
    barometer = get_object_or_404(Barometer.objects.select_related("service__organization"), pk=pk)
    if not can(request.user, "barometer.view_staff", barometer):
        raise Http404("barometer not visible")
    return barometer


def _wave(request, pk: int, *, manage: bool = False) -> Wave:
    wave = get_object_or_404(Wave.objects.select_related("barometer__service__organization"), pk=pk)
    if not can(request.user, "barometer.view_staff", wave.barometer):
        raise Http404("wave not visible")
    if manage:
        require(request.user, "barometer.manage", wave.barometer)
    return wave


_apply_errors = add_service_errors


# --- staff: waves ------------------------------------------------------------------------
@login_required
@require_GET
def wave_list(request, barometer_pk: int):
    """The waves of a barometer with their answers counted by source."""
    barometer = _barometer(request, barometer_pk)
    return render(
        request,
        "barometer/waves/list.html",
        {
            "barometer": barometer,
            "waves": list(services.waves_with_counts(barometer)),
            "may_manage": can(request.user, "barometer.manage", barometer),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def wave_create(request, barometer_pk: int):
    barometer = _barometer(request, barometer_pk)
    require(request.user, "barometer.manage", barometer)
    form = WaveForm(bound_data(request), barometer=barometer)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        criteria = data.pop("criteria")
        try:
            wave = services.wave_create(
                barometer, actor=request.user, criteria=list(criteria), **data
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The wave is created, in preparation."))
            return redirect("barometer:wave_detail", pk=wave.pk)
    return render(
        request,
        "barometer/waves/form.html",
        {"barometer": barometer, "form": form, "wave": None},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def wave_edit(request, pk: int):
    wave = _wave(request, pk, manage=True)
    form = WaveForm(bound_data(request), instance=wave, barometer=wave.barometer)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        criteria = data.pop("criteria")
        wave.refresh_from_db()  # the form wrote the fields on the instance: start clean
        try:
            services.wave_update(wave, actor=request.user, criteria=list(criteria), **data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The wave is saved."))
            return redirect("barometer:wave_detail", pk=wave.pk)
    return render(
        request,
        "barometer/waves/form.html",
        {"barometer": wave.barometer, "form": form, "wave": wave},
        status=400 if request.method == "POST" else 200,
    )


def _next_statuses(wave: Wave) -> list[tuple[str, str]]:
    labels = {
        WaveStatus.OPEN: _("Open the wave to answers")
        if wave.status == WaveStatus.DRAFT
        else _("Reopen for answers"),
        WaveStatus.CLOSED: _("Close the answers")
        if wave.status == WaveStatus.OPEN
        else _("Unpublish the results"),
        WaveStatus.PUBLISHED: _("Publish the results"),
    }
    return [(s, labels[s]) for s in services.TRANSITIONS.get(wave.status, ())]


@login_required
@require_GET
def wave_detail(request, pk: int):
    wave = _wave(request, pk)
    counts = services.waves_with_counts(wave.barometer).get(pk=wave.pk)
    return render(
        request,
        "barometer/waves/detail.html",
        {
            "barometer": wave.barometer,
            "wave": wave,
            "counts": counts,
            "criteria": list(wave.criteria.all()),
            "batches": services.invitation_batches(wave),
            "imports": list(wave.imports.select_related("imported_by")),
            "may_manage": can(request.user, "barometer.manage", wave.barometer),
            "next_statuses": _next_statuses(wave),
            "open_link_url": request.build_absolute_uri(f"/barometres/repondre/{wave.link_token}/"),
            "is_published": wave.status == WaveStatus.PUBLISHED,
        },
    )


@login_required
@require_POST
def wave_status(request, pk: int):
    wave = _wave(request, pk, manage=True)
    try:
        services.wave_set_status(wave, request.POST.get("status", ""), actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The wave is now « %(status)s ».") % {"status": WaveStatus(wave.status).label},
        )
    return redirect("barometer:wave_detail", pk=wave.pk)


# --- staff: invitation codes -------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def wave_codes(request, pk: int):
    """Generate codes. They are shown once, in the answer to this request (printable
    list and CSV download), and never again: only their hashes are kept."""
    wave = _wave(request, pk, manage=True)
    form = CodesForm(bound_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            batch, codes = services.generate_codes(
                wave,
                form.cleaned_data["count"],
                actor=request.user,
                batch=form.cleaned_data["batch"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            response = render(
                request,
                "barometer/waves/codes_once.html",
                {
                    "barometer": wave.barometer,
                    "wave": wave,
                    "batch": batch,
                    "codes": codes,
                    "codes_text": "\n".join(codes),
                    "answer_url": request.build_absolute_uri(reverse("barometer:answer")),
                },
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(
        request,
        "barometer/waves/codes.html",
        {
            "barometer": wave.barometer,
            "wave": wave,
            "form": form,
            "batches": services.invitation_batches(wave),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def wave_codes_csv(request, pk: int):
    """The codes just generated, as a CSV file: the page sends them back (the server
    does not keep them). Only well-formed codes are echoed."""
    wave = _wave(request, pk, manage=True)
    codes = [c.strip() for c in request.POST.get("codes", "").split()]
    codes = [c for c in codes if CODE_PATTERN.match(c)][: services.MAX_CODES_PER_REQUEST]
    if not codes:
        raise Http404("no codes")
    response = HttpResponse(services.codes_csv(codes), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="codes-{wave.code}.csv"'
    response["Cache-Control"] = "no-store"
    return response


# --- staff: imports ----------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def wave_import(request, pk: int):
    wave = _wave(request, pk, manage=True)
    form = ImportForm(bound_data(request), bound_files(request))
    problems: list = []
    rows = 0
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            table = services.read_table(upload)
            parsed = services.parse_import(table, wave, services.survey_communes(wave.barometer))
            rows = parsed.rows
            problems = parsed.problems
            batch = services.import_responses(
                wave,
                parsed,
                filename=upload.name,
                actor=request.user,
                valid_only=form.cleaned_data["valid_only"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("file", message)
        else:
            if batch is not None:
                if batch.rows_rejected:
                    messages.warning(
                        request,
                        _(
                            "%(n)s responses imported; %(r)s invalid rows were left out "
                            "(listed with the import)."
                        )
                        % {"n": batch.rows_imported, "r": batch.rows_rejected},
                    )
                else:
                    messages.success(
                        request, _("%(n)s responses imported.") % {"n": batch.rows_imported}
                    )
                return redirect("barometer:wave_detail", pk=wave.pk)
            form.add_error(
                "file",
                _("Nothing was imported: %(r)s of %(n)s rows are invalid (see the list below).")
                % {"r": parsed.rejected, "n": parsed.rows},
            )
    return render(
        request,
        "barometer/waves/import.html",
        {
            "barometer": wave.barometer,
            "wave": wave,
            "form": form,
            "problems": problems[: services.MAX_STORED_ERRORS],
            "more_problems": max(0, len(problems) - services.MAX_STORED_ERRORS),
            "rows": rows,
            "criteria": list(wave.criteria.all()),
            "is_published": wave.status == WaveStatus.PUBLISHED,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def import_delete(request, pk: int):
    batch = get_object_or_404(
        ResponseImport.objects.select_related("wave__barometer__service__organization"), pk=pk
    )
    wave = _wave(request, batch.wave_id, manage=True)
    try:
        n = services.delete_import(batch, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The import « %(file)s » and its %(n)s responses are deleted.")
            % {"file": batch.filename, "n": n},
        )
    return redirect("barometer:wave_detail", pk=wave.pk)


# --- public answering --------------------------------------------------------------------
def _rate_limited(request) -> bool:
    return ratelimit.public_post_limited(
        request,
        "barometer-answer",
        per_address=settings.SURVEY_ANSWER_RATE_PER_HOUR,
        per_device=ANSWER_LIMIT_PER_DEVICE,
    )


def _limited_message() -> str:
    return _(
        "Too many answers were sent from this connection in the last hour. What you typed "
        "is kept below: please try again later."
    )


def _questionnaire(request, wave, form, *, code_form=None, status=200):
    response = render(
        request,
        "barometer/waves/questionnaire.html",
        {"wave": wave, "barometer": wave.barometer, "form": form, "code_form": code_form},
        status=status,
    )
    return ratelimit.remember_device(request, response)


def _code_page(request, form, *, status=200):
    response = render(request, "barometer/waves/answer_code.html", {"form": form}, status=status)
    return ratelimit.remember_device(request, response)


@require_http_methods(["GET", "POST"])
def answer(request):
    """Answer with an invitation code: the code first, then the questionnaire (the code
    stays in the page, visible, and is used only when the answers are sent)."""
    if request.method == "GET":
        return _code_page(request, CodeForm(initial={"code": request.GET.get("code", "")}))
    code_form = CodeForm(request.POST)
    answering = request.POST.get("step") == "answers"
    if _rate_limited(request):
        code_form.is_valid()
        code_form.add_error(None, _limited_message())
        if answering:
            wave = _wave_of_code(request.POST.get("code", ""))
            if wave is not None:
                form = _questionnaire_form(request.POST, wave)
                form.is_valid()
                return _questionnaire(request, wave, form, code_form=code_form, status=429)
        return _code_page(request, code_form, status=429)
    if not code_form.is_valid():
        return _code_page(request, code_form, status=400)
    code = code_form.cleaned_data["code"]
    if not answering:
        try:
            invitation = services.find_invitation(code)
        except services.CodeError as exc:
            code_form.add_error("code", exc.messages[0])
            return _code_page(request, code_form, status=400)
        wave = invitation.wave
        return _questionnaire(request, wave, _questionnaire_form(None, wave), code_form=code_form)
    wave = _wave_of_code(code)
    if wave is None:
        code_form.add_error("code", _("This code is unknown. Check it on your invitation letter."))
        return _code_page(request, code_form, status=400)
    form = _questionnaire_form(request.POST, wave)
    if form.is_valid():
        try:
            services.answer_with_code(code, form.answers())
        except services.CodeError as exc:
            code_form.add_error("code", exc.messages[0])
        else:
            return redirect("barometer:answer_thanks")
    return _questionnaire(request, wave, form, code_form=code_form, status=400)


def _wave_of_code(code: str) -> Wave | None:
    try:
        return services.find_invitation(code).wave
    except services.CodeError as exc:
        return exc.wave


def _questionnaire_form(data, wave: Wave) -> QuestionnaireForm:
    return QuestionnaireForm(
        data, wave=wave, communes=services.survey_communes(wave.barometer), prefix=None
    )


@require_http_methods(["GET", "POST"])
def answer_link(request, token: str):
    """Answer through the open link of a wave (no code)."""
    wave = get_object_or_404(
        Wave.objects.select_related("barometer__service__organization"),
        link_token=token,
        open_link=True,
    )
    if not wave.is_answerable():
        return render(
            request, "barometer/waves/closed.html", {"wave": wave, "barometer": wave.barometer}
        )
    form = _questionnaire_form(bound_data(request), wave)
    if _rate_limited(request):
        form.is_valid()
        form.add_error(None, _limited_message())
        return _questionnaire(request, wave, form, status=429)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_open_link(wave, form.answers())
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return redirect("barometer:answer_thanks")
    return _questionnaire(request, wave, form, status=400 if request.method == "POST" else 200)


@require_GET
def answer_thanks(request):
    return render(request, "barometer/waves/thanks.html")


urlpatterns: list = [
    path("espace/barometres/<int:barometer_pk>/vagues/", wave_list, name="wave_list"),
    path("espace/barometres/<int:barometer_pk>/vagues/nouvelle/", wave_create, name="wave_create"),
    path("espace/barometres/vagues/<int:pk>/", wave_detail, name="wave_detail"),
    path("espace/barometres/vagues/<int:pk>/modifier/", wave_edit, name="wave_edit"),
    path("espace/barometres/vagues/<int:pk>/statut/", wave_status, name="wave_status"),
    path("espace/barometres/vagues/<int:pk>/codes/", wave_codes, name="wave_codes"),
    path("espace/barometres/vagues/<int:pk>/codes.csv", wave_codes_csv, name="wave_codes_csv"),
    path("espace/barometres/vagues/<int:pk>/import/", wave_import, name="wave_import"),
    path("espace/barometres/imports/<int:pk>/supprimer/", import_delete, name="import_delete"),
    path("barometres/repondre/", answer, name="answer"),
    path("barometres/repondre/merci/", answer_thanks, name="answer_thanks"),
    path("barometres/repondre/<str:token>/", answer_link, name="answer_link"),
]
