"""Pages of the personas (Carte blanche): the cards of a process, one persona with its
journey and quotes, and the editor (card fields, quotes added from a voice linked to
the process, a voice reference, a proposal or a named source). Published personas of a
visible process are public; editing needs `processes.manage`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cocon.core.forms import add_service_errors, bound_data
from cocon.core.permissions import can, require
from cocon.processes import selectors_personas as selectors
from cocon.processes import services_personas as services
from cocon.processes.forms_personas import PersonaForm, QuoteForm
from cocon.processes.models import Process
from cocon.processes.models.personas import Persona, PersonaQuote
from cocon.territory import selectors as territory_selectors


def process_or_404(request, slug: str) -> Process:
    """The process of the current territory the user may see (404 otherwise: a private
    process does not disclose it exists)."""
    territory = territory_selectors.current_territory_or_404()
    process = (
        Process.objects.select_related("organization", "territory")
        .prefetch_related("animateurs", "organizations")
        .filter(territory=territory, slug=slug)
        .first()
    )
    if process is None or not can(request.user, "processes.view", process):
        raise Http404
    return process


def process_url(process: Process) -> str:
    """The public page of the process (owned by the process pages)."""
    try:
        return process.get_absolute_url()
    except NoReverseMatch:  # pragma: no cover - while the process pages are not wired
        return reverse("processes:persona_list", args=[process.slug])


def _persona_or_404(request, process, pk: int, *, manage: bool) -> Persona:
    persona = get_object_or_404(Persona, pk=pk, process=process)
    if not persona.published and not manage:
        raise Http404
    return persona


@require_GET
def persona_list(request, slug):
    process = process_or_404(request, slug)
    manage = can(request.user, "processes.manage", process)
    personas = list(selectors.personas_of(process, include_unpublished=manage))
    return render(
        request,
        "processes/personas/list.html",
        {
            "process": process,
            "process_url": process_url(process),
            "personas": personas,
            "can_manage": manage,
        },
    )


@require_GET
def persona_detail(request, slug, pk):
    process = process_or_404(request, slug)
    manage = can(request.user, "processes.manage", process)
    persona = _persona_or_404(request, process, pk, manage=manage)
    quotes = list(selectors.quotes_queryset().filter(persona=persona))
    selectors.mark_sources(quotes, request.user)
    return render(
        request,
        "processes/personas/detail.html",
        {
            "process": process,
            "process_url": process_url(process),
            "persona": persona,
            "quotes": quotes,
            "can_manage": manage,
        },
    )


def _persona_values(data) -> dict:
    return {k: data[k] for k in ("name", "age_band", "situation", "needs", "pains", "journey")}


@login_required
@require_http_methods(["GET", "POST"])
def persona_create(request, slug):
    process = process_or_404(request, slug)
    require(request.user, "processes.manage", process)
    form = PersonaForm(bound_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            persona = services.persona_create(
                process=process,
                actor=request.user,
                published=form.cleaned_data["published"],
                **_persona_values(form.cleaned_data),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The persona is created. Add the quotes it comes from."))
            return redirect("processes:persona_edit", slug=process.slug, pk=persona.pk)
    return render(
        request,
        "processes/personas/form.html",
        {"process": process, "process_url": process_url(process), "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _edit_context(request, process, persona, form, quote_form) -> dict:
    quotes = list(selectors.quotes_queryset().filter(persona=persona))
    selectors.mark_sources(quotes, request.user)
    return {
        "process": process,
        "process_url": process_url(process),
        "persona": persona,
        "form": form,
        "quote_form": quote_form,
        "quotes": quotes,
    }


@login_required
@require_http_methods(["GET", "POST"])
def persona_edit(request, slug, pk):
    process = process_or_404(request, slug)
    require(request.user, "processes.manage", process)
    persona = get_object_or_404(Persona, pk=pk, process=process)
    initial = {
        k: getattr(persona, k)
        for k in ("name", "age_band", "situation", "needs", "pains", "journey", "published")
    }
    form = PersonaForm(bound_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.persona_update(
                persona,
                actor=request.user,
                published=form.cleaned_data["published"],
                **_persona_values(form.cleaned_data),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The persona is saved."))
            return redirect("processes:persona_edit", slug=process.slug, pk=persona.pk)
    quote_form = QuoteForm(voices=selectors.linked_voices(process, request.user))
    return render(
        request,
        "processes/personas/edit.html",
        _edit_context(request, process, persona, form, quote_form),
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def persona_quote_add(request, slug, pk):
    process = process_or_404(request, slug)
    require(request.user, "processes.manage", process)
    persona = get_object_or_404(Persona, pk=pk, process=process)
    quote_form = QuoteForm(request.POST, voices=selectors.linked_voices(process, request.user))
    if quote_form.is_valid():
        data = quote_form.cleaned_data
        try:
            services.quote_add(
                persona,
                actor=request.user,
                text=data["text"],
                voice_reference=quote_form.reference(),
                idea_id=data["idea"],
                source_label=data["source_label"],
            )
        except ValidationError as exc:
            add_service_errors(quote_form, exc)
        else:
            messages.success(request, _("The quote is added."))
            return redirect(
                reverse("processes:persona_edit", args=[process.slug, persona.pk]) + "#quotes"
            )
    initial = {
        k: getattr(persona, k)
        for k in ("name", "age_band", "situation", "needs", "pains", "journey", "published")
    }
    return render(
        request,
        "processes/personas/edit.html",
        _edit_context(request, process, persona, PersonaForm(initial=initial), quote_form),
        status=400,
    )


@login_required
@require_POST
def persona_quote_delete(request, slug, pk, quote_pk):
    process = process_or_404(request, slug)
    require(request.user, "processes.manage", process)
    quote = get_object_or_404(PersonaQuote, pk=quote_pk, persona_id=pk, persona__process=process)
    services.quote_delete(quote, actor=request.user)
    messages.success(request, _("The quote is removed."))
    return redirect(reverse("processes:persona_edit", args=[process.slug, pk]) + "#quotes")


@login_required
@require_POST
def persona_delete(request, slug, pk):
    process = process_or_404(request, slug)
    require(request.user, "processes.manage", process)
    persona = get_object_or_404(Persona, pk=pk, process=process)
    services.persona_delete(persona, actor=request.user)
    messages.success(request, _("The persona is deleted."))
    return redirect("processes:persona_list", slug=process.slug)


urlpatterns: list = [
    path("<slug:slug>/personas/", persona_list, name="persona_list"),
    path("<slug:slug>/personas/nouveau/", persona_create, name="persona_create"),
    path("<slug:slug>/personas/<int:pk>/", persona_detail, name="persona_detail"),
    path("<slug:slug>/personas/<int:pk>/modifier/", persona_edit, name="persona_edit"),
    path("<slug:slug>/personas/<int:pk>/supprimer/", persona_delete, name="persona_delete"),
    path("<slug:slug>/personas/<int:pk>/citations/", persona_quote_add, name="persona_quote_add"),
    path(
        "<slug:slug>/personas/<int:pk>/citations/<int:quote_pk>/supprimer/",
        persona_quote_delete,
        name="persona_quote_delete",
    ),
]
