"""Pages of the white paper (livre blanc): the staff page (introduction and conclusion,
generation of a new version, versions, publication and hand-over to the élus), the
HTML view of a version and its PDF. Visitors see only the published versions (every
version handed over is published) of a process they may see."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cocon.core.forms import add_service_errors, bound_data
from cocon.core.permissions import can, require
from cocon.processes import selectors_white_paper as selectors
from cocon.processes import services_white_paper as services
from cocon.processes.forms_white_paper import GenerateForm, HandOverForm, TextsForm
from cocon.processes.models.white_paper import WhitePaperVersion
from cocon.processes.views_personas import process_or_404, process_url


def _page(request, process, *, texts_form=None, generate_form=None, hand_over=None, status=200):
    paper = selectors.white_paper_of(process)
    versions = list(selectors.versions_of(paper, include_unpublished=True))
    hand_over_forms = {v.pk: HandOverForm(prefix=f"v{v.pk}") for v in versions if not v.is_frozen}
    if hand_over is not None:
        hand_over_forms[hand_over[0]] = hand_over[1]
    for v in versions:
        v.hand_over_form = hand_over_forms.get(v.pk)
    return render(
        request,
        "processes/white_paper/page.html",
        {
            "process": process,
            "process_url": process_url(process),
            "paper": paper,
            "versions": versions,
            "texts_form": texts_form
            or TextsForm(
                initial={
                    "introduction": paper.introduction if paper else "",
                    "conclusion": paper.conclusion if paper else "",
                }
            ),
            "generate_form": generate_form or GenerateForm(),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def white_paper(request, slug):
    process = process_or_404(request, slug)
    require(request.user, "processes.manage", process)
    if request.method == "GET":
        return _page(request, process)
    form = TextsForm(bound_data(request))
    if form.is_valid():
        try:
            services.white_paper_update(
                process,
                actor=request.user,
                introduction=form.cleaned_data["introduction"],
                conclusion=form.cleaned_data["conclusion"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Introduction and conclusion saved. Generate a new version to include them."),
            )
            return redirect("processes:white_paper", slug=process.slug)
    return _page(request, process, texts_form=form, status=400)


@login_required
@require_POST
def white_paper_generate(request, slug):
    process = process_or_404(request, slug)
    require(request.user, "processes.manage", process)
    form = GenerateForm(request.POST)
    if form.is_valid():
        try:
            version = services.white_paper_generate(
                process, actor=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Version %(n)s of the white paper is generated.") % {"n": version.number}
            )
            return redirect(
                "processes:white_paper_version", slug=process.slug, number=version.number
            )
    return _page(request, process, generate_form=form, status=400)


def _version_or_404(request, process, number: int) -> tuple[WhitePaperVersion, bool]:
    manage = can(request.user, "processes.manage", process)
    version = get_object_or_404(
        WhitePaperVersion.objects.select_related("white_paper").defer("pdf"),
        white_paper__process=process,
        number=number,
    )
    if not version.published and not manage:
        raise Http404
    return version, manage


@login_required
@require_POST
def white_paper_hand_over(request, slug, number):
    process = process_or_404(request, slug)
    require(request.user, "processes.manage", process)
    version, _manage = _version_or_404(request, process, number)
    form = HandOverForm(request.POST, prefix=f"v{version.pk}")
    if form.is_valid():
        try:
            services.white_paper_hand_over(
                version,
                actor=request.user,
                on=form.cleaned_data["on"],
                by_label=form.cleaned_data["by_label"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Version %(n)s is recorded as handed over to the élus: it is now public.")
                % {"n": version.number},
            )
            return redirect("processes:white_paper", slug=process.slug)
    return _page(request, process, hand_over=(version.pk, form), status=400)


@login_required
@require_POST
def white_paper_publish(request, slug, number):
    process = process_or_404(request, slug)
    require(request.user, "processes.manage", process)
    version, _manage = _version_or_404(request, process, number)
    publish = request.POST.get("published") == "1"
    try:
        services.white_paper_publish(version, actor=request.user, published=publish)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("processes:white_paper", slug=process.slug)
    if publish:
        messages.success(request, _("Version %(n)s is published.") % {"n": version.number})
    else:
        messages.success(request, _("Version %(n)s is no longer public.") % {"n": version.number})
    return redirect("processes:white_paper", slug=process.slug)


@require_GET
def white_paper_version(request, slug, number):
    process = process_or_404(request, slug)
    version, manage = _version_or_404(request, process, number)
    return render(
        request,
        "processes/white_paper/version.html",
        {
            "process": process,
            "process_url": process_url(process),
            "version": version,
            "can_manage": manage,
        },
    )


@require_GET
def white_paper_pdf(request, slug, number):
    process = process_or_404(request, slug)
    version, _manage = _version_or_404(request, process, number)
    response = HttpResponse(services.white_paper_pdf(version), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="livre-blanc-{process.slug}-v{version.number}.pdf"'
    )
    return response


urlpatterns: list = [
    path("<slug:slug>/livre-blanc/", white_paper, name="white_paper"),
    path("<slug:slug>/livre-blanc/generer/", white_paper_generate, name="white_paper_generate"),
    path("<slug:slug>/livre-blanc/v<int:number>/", white_paper_version, name="white_paper_version"),
    path("<slug:slug>/livre-blanc/v<int:number>.pdf", white_paper_pdf, name="white_paper_pdf"),
    path(
        "<slug:slug>/livre-blanc/v<int:number>/remise/",
        white_paper_hand_over,
        name="white_paper_hand_over",
    ),
    path(
        "<slug:slug>/livre-blanc/v<int:number>/publication/",
        white_paper_publish,
        name="white_paper_publish",
    ),
]
