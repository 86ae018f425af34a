"""Settings of the referent network, for an organization's administrators (rule
`guichet.configure`): its referents per topic, its answer commitment and opening hours,
its counters and bus stops; the territory's topics and procedures for the host
organization's administrators; a referent's own absence; and the annuaire des référents
every agent reads (`network_directory`). Each settings form posts an `action`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cocon.core.forms import add_service_errors, bound_data
from cocon.core.permissions import can
from cocon.guichet import selectors_network as selectors
from cocon.guichet import services_network as services
from cocon.guichet.forms_network import (
    AbsenceForm,
    CommitmentForm,
    PlaceForm,
    ProcedureForm,
    ReferentForm,
    TopicForm,
    pick,
)
from cocon.guichet.models import Referent
from cocon.territory.models import Commune, Organization
from cocon.territory.selectors import current_territory_or_404


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _organization(request, slug) -> Organization:
    organization = get_object_or_404(
        Organization.objects.select_related("territory__host_organization"), slug=slug
    )
    if not can(request.user, "guichet.configure", organization):
        raise Http404("not an administrator of this organization")
    return organization


def _may_territory(user, territory) -> bool:
    host = territory.host_organization
    return host is not None and can(user, "guichet.configure", host)


def _context(request, organization, **extra) -> dict:
    return {
        "organization": organization,
        "may_territory": _may_territory(request.user, organization.territory),
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def referents_page(request, slug):
    organization = _organization(request, slug)
    territory = organization.territory
    topics = list(selectors.topics(territory))
    agents = list(selectors.organization_agents(organization))
    action = request.POST.get("action", "") if request.method == "POST" else ""
    form = ReferentForm(
        bound_data(request) if action == "add" else None,
        topics=topics,
        agents=agents,
        prefix="referent",
    )
    done = ""
    absence_errors: dict[int, AbsenceForm] = {}
    if action == "add" and form.is_valid():
        data = form.cleaned_data
        try:
            services.referent_add(
                organization=organization,
                topic=pick(topics, data["topic"]),
                user=pick(agents, data["user"]),
                rank=data["rank"],
                manager=pick(agents, data["manager"]),
            )
            done = _("Referent saved.")
        except ValidationError as exc:
            add_service_errors(form, exc)
    elif action == "remove":
        if services.referent_remove(
            organization=organization, referent_id=_int(request.POST.get("referent"))
        ):
            done = _("Referent removed.")
    elif action == "absence":
        referent = get_object_or_404(
            Referent, pk=_int(request.POST.get("referent")), organization=organization
        )
        absence = AbsenceForm(request.POST, prefix=f"absence-{referent.pk}")
        if absence.is_valid():
            try:
                services.absence_set(referent, until=absence.cleaned_data["absent_until"])
                done = _("Absence saved.")
            except ValidationError as exc:
                add_service_errors(absence, exc)
        if not done:
            absence_errors[referent.pk] = absence
    if done:
        messages.success(request, done)
        return redirect("guichet:settings_referents", slug=slug)
    rows = [
        (
            ref,
            absence_errors.get(ref.pk)
            or AbsenceForm(prefix=f"absence-{ref.pk}", initial={"absent_until": ref.absent_until}),
        )
        for ref in selectors.organization_referents(organization)
    ]
    return render(
        request,
        "guichet/settings/referents.html",
        _context(request, organization, form=form, rows=rows, topics=topics),
        status=400 if action else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def commitment_page(request, slug):
    organization = _organization(request, slug)
    commitment = selectors.commitment_of(organization)
    form = CommitmentForm(
        bound_data(request), prefix="commitment", initial=CommitmentForm.initial_for(commitment)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.commitment_set(
                organization=organization,
                hours=data["hours"],
                urgent_hours=data["urgent_hours"],
                reminder_hours=data["reminder_hours"],
                opening=form.opening(),
                alsace_moselle=data["alsace_moselle"],
            )
            messages.success(request, _("Commitment saved."))
            return redirect("guichet:settings_commitment", slug=slug)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(
        request,
        "guichet/settings/commitment.html",
        _context(request, organization, form=form, commitment=commitment),
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def places_page(request, slug):
    organization = _organization(request, slug)
    territory = organization.territory
    communes = list(Commune.objects.filter(territory=territory).order_by("name"))
    agents = list(selectors.organization_agents(organization))
    places = selectors.organization_places(organization, with_agents=True)
    edited = None
    wanted = request.POST.get("place") if request.method == "POST" else request.GET.get("lieu")
    if wanted:
        edited = next((p for p in places if str(p.pk) == wanted), None)
        if edited is None:
            raise Http404("no such place in this organization")
    initial = (
        {
            "kind": edited.kind,
            "name": edited.name,
            "commune": edited.commune_id,
            "schedule": edited.schedule,
            "agents": [a.pk for a in edited.agents.all()],
            "is_active": edited.is_active,
        }
        if edited
        else None
    )
    form = PlaceForm(
        bound_data(request), communes=communes, agents=agents, prefix="place", initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = set(data["agents"])
        try:
            services.place_save(
                organization=organization,
                kind=data["kind"],
                name=data["name"],
                commune=pick(communes, data["commune"]),
                schedule=data["schedule"],
                agents=[a for a in agents if a.pk in chosen],
                is_active=data["is_active"],
                place=edited,
            )
            messages.success(request, _("Place saved."))
            return redirect("guichet:settings_places", slug=slug)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(
        request,
        "guichet/settings/places.html",
        _context(request, organization, form=form, places=places, edited=edited),
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def territory_page(request):
    """Topics and procedures of the territory: the host organization's administrators."""
    territory = current_territory_or_404()
    if not _may_territory(request.user, territory):
        raise Http404("not an administrator of the host organization")
    topics = list(selectors.topics(territory, active_only=False))
    procedures = list(selectors.procedures(territory, active_only=False))
    organizations = list(Organization.objects.filter(territory=territory).order_by("name"))
    action = request.POST.get("action", "") if request.method == "POST" else ""
    source = request.POST if request.method == "POST" else request.GET
    edited_topic = next((t for t in topics if str(t.pk) == source.get("theme", "")), None)
    edited_procedure = next(
        (p for p in procedures if str(p.pk) == source.get("demarche", "")), None
    )
    topic_form = TopicForm(
        request.POST if action == "topic" else None,
        prefix="topic",
        initial={
            "name": edited_topic.name,
            "description": edited_topic.description,
            "is_active": edited_topic.is_active,
        }
        if edited_topic
        else None,
    )
    procedure_form = ProcedureForm(
        request.POST if action == "procedure" else None,
        prefix="procedure",
        organizations=organizations,
        topics=[t for t in topics if t.is_active],
        initial={
            "name": edited_procedure.name,
            "organization": edited_procedure.organization_id,
            "topic": edited_procedure.topic_id,
            "is_active": edited_procedure.is_active,
        }
        if edited_procedure
        else None,
    )
    done = ""
    if action == "topic" and topic_form.is_valid():
        data = topic_form.cleaned_data
        try:
            services.topic_save(
                territory=territory,
                name=data["name"],
                description=data["description"],
                is_active=data["is_active"],
                topic=edited_topic,
            )
            done = _("Topic saved.")
        except ValidationError as exc:
            add_service_errors(topic_form, exc)
    elif action == "procedure" and procedure_form.is_valid():
        data = procedure_form.cleaned_data
        try:
            services.procedure_save(
                territory=territory,
                name=data["name"],
                organization=pick(organizations, data["organization"]),
                topic=pick(topics, data["topic"]),
                is_active=data["is_active"],
                procedure=edited_procedure,
            )
            done = _("Procedure saved.")
        except ValidationError as exc:
            add_service_errors(procedure_form, exc)
    if done:
        messages.success(request, done)
        return redirect("guichet:settings_territory")
    return render(
        request,
        "guichet/settings/territory.html",
        {
            "territory": territory,
            "topics": topics,
            "procedures": procedures,
            "topic_form": topic_form,
            "procedure_form": procedure_form,
            "edited_topic": edited_topic,
            "edited_procedure": edited_procedure,
        },
        status=400 if action else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def absence_page(request, pk):
    """A referent sets their own "absent until" date (rule `guichet.set_absence`)."""
    referent = get_object_or_404(
        Referent.objects.select_related("topic", "organization", "user"), pk=pk
    )
    if not can(request.user, "guichet.set_absence", referent):
        raise Http404("not this referent")
    form = AbsenceForm(
        bound_data(request), prefix="absence", initial={"absent_until": referent.absent_until}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.absence_set(referent, until=form.cleaned_data["absent_until"])
            messages.success(request, _("Absence saved."))
            return redirect("guichet:network_directory")
        except ValidationError as exc:
            add_service_errors(form, exc)
    roles = list(
        Referent.objects.filter(organization=referent.organization, user=referent.user)
        .select_related("topic")
        .order_by("topic__name")
    )
    return render(
        request,
        "guichet/settings/absence.html",
        {"referent": referent, "form": form, "roles": roles},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def directory_page(request):
    """The annuaire des référents: who answers what, per topic and organization."""
    if not can(request.user, "guichet.ask"):
        raise Http404("agents only")
    territory = current_territory_or_404()
    topics = list(selectors.topics(territory))
    topic_id = _int(request.GET.get("theme")) or None
    entries = selectors.directory(territory, topic_id=topic_id)
    mine = list(
        Referent.objects.filter(user_id=request.user.pk, topic__territory=territory)
        .select_related("topic", "organization")
        .order_by("topic__name")
    )
    return render(
        request,
        "guichet/settings/directory.html",
        {
            "territory": territory,
            "topics": topics,
            "topic_id": topic_id,
            "entries": entries,
            "mine": mine,
        },
    )


urlpatterns: list = [
    path("annuaire/", directory_page, name="network_directory"),
    path("referents/<int:pk>/absence/", absence_page, name="settings_absence"),
    path("territoire/", territory_page, name="settings_territory"),
    path("organisations/<slug:slug>/referents/", referents_page, name="settings_referents"),
    path("organisations/<slug:slug>/engagement/", commitment_page, name="settings_commitment"),
    path("organisations/<slug:slug>/lieux/", places_page, name="settings_places"),
]
