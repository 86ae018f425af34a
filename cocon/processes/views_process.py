"""Pages of the process frame: the list of processes, the public page of a process (its
timeline and everything produced so far, section by section), and the team's pages —
new process from a template, edit, ordered phases, publish, close, dashboard.

A process the person may not see is a 404; one they see but may not manage answers 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cocon.core.forms import add_service_errors, bound_data
from cocon.core.permissions import can, grants_of, require
from cocon.processes import (
    selectors_ambassadors,
    selectors_charter,
    selectors_decisions,
    selectors_events,
    selectors_personas,
    selectors_process,
    selectors_white_paper,
    services_process,
)
from cocon.processes.blueprints import BLUEPRINTS
from cocon.processes.forms_process import (
    PhasesForm,
    ProcessCreateForm,
    ProcessEditForm,
    VoiceLinkForm,
    initial_rows,
)
from cocon.processes.models.process import Process
from cocon.processes.rules import MANAGER_ROLES
from cocon.territory.models import Organization
from cocon.territory.selectors import current_territory_or_404

# the sections of "everything produced so far", in page order
PUBLIC_SECTIONS = (
    ("processes/events/_public.html", selectors_events),
    ("processes/ambassadors/_public.html", selectors_ambassadors),
    ("processes/personas/_public.html", selectors_personas),
    ("processes/white_paper/_public.html", selectors_white_paper),
    ("processes/decisions/_public.html", selectors_decisions),
    ("processes/charter/_public.html", selectors_charter),
    ("processes/process/_public.html", selectors_process),
)

# the team's pages of every domain, shown on the dashboard when they exist
STAFF_LINKS = (
    ("processes:event_list", gettext_lazy("Events, registrations and attendance")),
    ("processes:call_list", gettext_lazy("Calls for ambassadors")),
    ("processes:persona_list", gettext_lazy("Personas")),
    ("processes:white_paper", gettext_lazy("White paper (livre blanc)")),
    ("processes:decisions", gettext_lazy("Decisions and feedback synthesis")),
    ("processes:actions", gettext_lazy("Action programme")),
    ("processes:charter", gettext_lazy("Charter of commitments")),
)


def _process(request, slug: str) -> Process:
    """The process at `slug`, or a 404 when it does not exist or the person may not see
    it."""
    territory = current_territory_or_404()
    try:
        process = selectors_process.process_for_page(territory, slug)
    except Process.DoesNotExist:
        raise Http404("process not found") from None
    if not can(request.user, "processes.view", process):
        raise Http404("process not found")
    return process


def _managed(request, slug: str) -> Process:
    process = _process(request, slug)
    require(request.user, "processes.manage", process)
    return process


def _creatable_organizations(user) -> list[Organization]:
    """Organizations where `user` may start a process (the `processes.create` rule)."""
    territory = current_territory_or_404()
    grants = grants_of(user)
    qs = Organization.objects.filter(territory=territory)
    if not grants.is_platform_admin:
        qs = qs.filter(pk__in={r.organization_id for r in grants.roles if r.kind in MANAGER_ROLES})
    organizations = [o for o in qs if can(user, "processes.create", o)]
    organizations.sort(key=lambda o: o.display_name)
    return organizations


# --- public ------------------------------------------------------------------------------
@require_GET
def process_list(request):
    processes = selectors_process.process_list(request.user)
    may_create = bool(request.user.is_authenticated and _creatable_organizations(request.user))
    return render(
        request,
        "processes/process/list.html",
        {"processes": processes, "may_create": may_create},
    )


@require_GET
def detail(request, slug):
    process = _process(request, slug)
    context = {
        "process": process,
        "timeline": selectors_process.timeline(process),
        "current_phase": selectors_process.current_phase(process.phases.all()),
        "involved": list(process.organizations.all()),
        "may_manage": can(request.user, "processes.manage", process),
        "sections": [template for template, _module in PUBLIC_SECTIONS],
    }
    for _template, module in PUBLIC_SECTIONS:
        context.update(module.public_section(process, request.user) or {})
    return render(request, "processes/process/detail.html", context)


@require_http_methods(["GET", "POST"])
def voice_give(request, slug):
    """The public form of Paroles within the process: while a phase gathers voices, a
    message given here goes to its service as any voice and is gathered for the process.
    Once the collection is over the form is not offered; a message sent from a page left
    open is still taken, as a plain voice, and the person is told."""
    from cocon.voices.views import VoiceFrame, give_page

    process = _process(request, slug)
    phase = selectors_process.collecting_phase(process)
    if phase is None and request.method == "GET":
        messages.info(request, _("This process is not gathering voices at the moment."))
        return redirect("processes:detail", process.slug)
    frame = VoiceFrame(
        title=_("Process: %(title)s") % {"title": process.title},
        text=_(
            "Your message goes to the service concerned, as any message, and is gathered "
            "for the process (phase « %(phase)s »): the team reads it with the others and "
            "the white paper counts it."
        )
        % {"phase": phase.title if phase else ""},
        back_url=reverse("processes:detail", args=[process.slug]),
        back_label=_("Back to the process"),
        attach=(
            (lambda voice: services_process.process_collect_voice(process, voice, phase=phase))
            if phase is not None
            else None
        ),
        service=selectors_process.default_service(process),
        closed_message=_(
            "The process had stopped gathering voices: your message was sent to the service "
            "as a plain message."
        ),
    )
    return give_page(request, frame=frame)


# --- team --------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    organizations = _creatable_organizations(request.user)
    if not organizations:
        raise PermissionDenied("processes.create")
    form = ProcessCreateForm(
        bound_data(request), organizations=organizations, initial={"is_public": True}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organization = next((o for o in organizations if o.pk == data["organization"]), None)
        if organization is None:
            raise PermissionDenied("processes.create")
        require(request.user, "processes.create", organization)
        try:
            process = services_process.process_create(
                actor=request.user,
                organization=organization,
                template=data["template"],
                title=data["title"],
                question=data["question"],
                starts_on=data["starts_on"],
                is_public=data["is_public"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("The process is created. Check its phases, then publish it.")
            )
            return redirect("processes:manage", process.slug)
    templates = [
        {"radio": radio, "blueprint": BLUEPRINTS.get(radio.data["value"])}
        for radio in form["template"]
    ]
    return render(
        request,
        "processes/process/create.html",
        {"form": form, "templates": templates},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, slug):
    process = _managed(request, slug)
    organizations = list(
        Organization.objects.filter(territory_id=process.territory_id)
        .exclude(pk=process.organization_id)
        .order_by("name")
    )
    initial = {
        "title": process.title,
        "slug": process.slug,
        "question": process.question,
        "description": process.description,
        "scope": process.scope,
        "owner_team": process.owner_team,
        "sponsor": process.sponsor_id,
        "sponsor_label": process.sponsor_label,
        "animateurs": [u.pk for u in process.animateurs.all()],
        "is_public": process.is_public,
        "organizations": [o.pk for o in process.organizations.all()],
    }
    form = ProcessEditForm(
        bound_data(request),
        initial=initial,
        organizations=organizations,
        sponsors=selectors_process.possible_sponsors(process),
        animateurs=selectors_process.possible_animateurs(process),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        by_pk = {o.pk: o for o in organizations}
        data["organizations"] = [by_pk[pk] for pk in data["organizations"] if pk in by_pk]
        try:
            process = services_process.process_update(process, actor=request.user, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The process is saved."))
            return redirect("processes:manage", process.slug)
    return render(
        request,
        "processes/process/edit.html",
        {"form": form, "process": process},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def phases(request, slug):
    process = _managed(request, slug)
    current = list(process.phases.all())
    surveys = selectors_process.surveys_for(process)
    form = PhasesForm(
        bound_data(request),
        initial=initial_rows(current),
        count=len(current) + 1,
        surveys=surveys,
    )
    status = 200
    if request.method == "POST":
        if request.POST.get("add_row"):
            pass  # one more row, what was typed is kept
        elif form.is_valid():
            rows, indexes = form.phases()
            try:
                services_process.phases_save(process, actor=request.user, phases=rows)
            except ValidationError as exc:
                form.add_phase_errors(exc, indexes)
                status = 400
            else:
                messages.success(request, _("The phases are saved."))
                return redirect("processes:manage", process.slug)
        else:
            status = 400
    return render(
        request,
        "processes/process/phases.html",
        {"form": form, "process": process, "has_surveys": surveys.exists()},
        status=status,
    )


@login_required
@require_POST
def publish(request, slug):
    process = _managed(request, slug)
    try:
        services_process.process_publish(process, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The process is published."))
    return redirect("processes:manage", process.slug)


@login_required
@require_POST
def close(request, slug):
    process = _managed(request, slug)
    try:
        services_process.process_close(process, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The process is closed."))
    return redirect("processes:manage", process.slug)


def _manage_page(request, process, voice_form, status=200):
    links = []
    for name, label in STAFF_LINKS:
        try:
            links.append((label, reverse(name, args=[process.slug])))
        except NoReverseMatch:
            continue
    return render(
        request,
        "processes/process/manage.html",
        {
            "process": process,
            "links": links,
            "timeline": selectors_process.timeline(process),
            "voices_count": selectors_process.voices_count(process),
            "voice_form": voice_form,
        },
        status=status,
    )


@login_required
@require_GET
def manage(request, slug):
    return _manage_page(request, _managed(request, slug), VoiceLinkForm())


@login_required
@require_POST
def voice_link(request, slug):
    """Frame a voice of Paroles in the process, found by its reference."""
    from cocon.voices.models import Voice

    process = _managed(request, slug)
    form = VoiceLinkForm(request.POST)
    if form.is_valid():
        reference = form.cleaned_data["reference"].strip().upper()
        voice = Voice.objects.filter(territory_id=process.territory_id, reference=reference).first()
        if voice is None or not can(request.user, "voices.view", voice):
            form.add_error("reference", _("No voice you may see has this reference."))
        else:
            try:
                services_process.process_link_voice(process, voice, actor=request.user)
            except ValidationError as exc:
                add_service_errors(form, exc, fallback="reference")
            else:
                messages.success(request, _("The voice is linked to the process."))
                return redirect("processes:manage", process.slug)
    return _manage_page(request, process, form, status=400)


urlpatterns = [
    path("", process_list, name="list"),
    path("nouvelle/", create, name="create"),
    path("<slug:slug>/", detail, name="detail"),
    path("<slug:slug>/donner-mon-avis/", voice_give, name="voice_give"),
    path("<slug:slug>/modifier/", edit, name="edit"),
    path("<slug:slug>/phases/", phases, name="phases"),
    path("<slug:slug>/publier/", publish, name="publish"),
    path("<slug:slug>/clore/", close, name="close"),
    path("<slug:slug>/pilotage/", manage, name="manage"),
    path("<slug:slug>/pilotage/paroles/", voice_link, name="voice_link"),
]
