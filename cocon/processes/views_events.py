"""Pages of the events of a process: the staff list and form, cancellation, the public
event page and registration (waiting list, confirmation, cancellation by the person's
signed link), attendance on a phone (htmx per row, plain POST without JavaScript),
walk-ins, panel composition, minutes and outputs.

Thin views: permissions through `core.permissions`, reads in `selectors_events`, writes
in `services_events`. A process the person may not see answers 404.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cocon.core import ratelimit
from cocon.core.forms import add_service_errors, bound_data
from cocon.core.permissions import can, require
from cocon.processes import selectors_events as selectors
from cocon.processes import services_events as services
from cocon.processes.forms_events import (
    EventCancelForm,
    EventForm,
    MinutesForm,
    OutputForm,
    OutputsForm,
    RegistrationForm,
    WalkInForm,
)
from cocon.processes.models.events import Registration

REGISTRATIONS_PER_DEVICE = 8  # per browser per hour (anonymous)


def _htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _staff(request, slug, pk=None, rule="processes.manage"):
    process = selectors.process_or_404(request.user, slug)
    event = selectors.event_or_404(process, pk) if pk is not None else None
    require(request.user, rule, event if rule == "processes.attendance" else process)
    return process, event


def _detail_url(event) -> str:
    return reverse("processes:event_detail", args=[event.process.slug, event.pk])


# --- staff -------------------------------------------------------------------------------
def event_list(request, slug):
    process, _event = _staff(request, slug)
    return render(
        request,
        "processes/events/list.html",
        {"process": process, "events": selectors.events_of(process)},
    )


def _event_initial(event) -> dict:
    initial = {
        name: getattr(event, name)
        for name in (
            "kind",
            "title",
            "description",
            "phase",
            "place",
            "online_url",
            "accessibility",
            "capacity",
            "registration_open",
            "minutes",
        )
    }
    initial["starts_at"] = timezone.localtime(event.starts_at)
    initial["ends_at"] = timezone.localtime(event.ends_at)
    for role, value in (event.target_mix or {}).items():
        initial[f"target_{role}"] = value
    return initial


@require_http_methods(["GET", "POST"])
def event_create(request, slug, pk=None):
    process, event = _staff(request, slug, pk)
    initial = _event_initial(event) if event else {"registration_open": True}
    form = EventForm(bound_data(request), process=process, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.event_save(
                actor=request.user, process=process, event=event, **form.service_data()
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Event saved."))
            saved.process = process
            return redirect(_detail_url(saved))
    return render(
        request,
        "processes/events/form.html",
        {"process": process, "event": event, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def event_edit(request, slug, pk):
    return event_create(request, slug, pk)


@require_http_methods(["GET", "POST"])
def event_cancel(request, slug, pk):
    process, event = _staff(request, slug, pk)
    form = EventCancelForm(bound_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.event_cancel(
                actor=request.user, event=event, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Event cancelled: the people registered are told."))
            return redirect(_detail_url(event))
    return render(
        request,
        "processes/events/cancel.html",
        {"process": process, "event": event, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- public ------------------------------------------------------------------------------
def event_detail(request, slug, pk):
    process = selectors.process_or_404(request.user, slug)
    event = selectors.event_or_404(process, pk)
    mine = selectors.my_registration(event, request.user)
    held = event.starts_at <= timezone.now()
    context = {
        "process": process,
        "event": event,
        "seats_left": selectors.seats_left(event),
        "may_register": can(request.user, "processes.register", event) and mine is None,
        "may_manage": can(request.user, "processes.manage", process),
        "mine": mine,
        "mine_token": services.registration_token(mine) if mine else "",
        "mine_position": services.waiting_position(mine)
        if mine and mine.status == Registration.Status.WAITING
        else None,
        "held": held,
        "outputs": selectors.outputs_of(event, request.user),
    }
    return render(request, "processes/events/detail.html", context)


@require_http_methods(["GET", "POST"])
def event_register(request, slug, pk):
    process = selectors.process_or_404(request.user, slug)
    event = selectors.event_or_404(process, pk)
    require(request.user, "processes.register", event)
    initial = {}
    if request.user.is_authenticated:
        initial = {"name": request.user.full_name, "email": request.user.email}
        profile = (
            getattr(request.user, "agent_profile", None) if request.user.grants.is_agent else None
        )
        if profile is not None:
            initial.update(role="agent", category=profile.category)
    form = RegistrationForm(bound_data(request), territory=process.territory_id, initial=initial)
    context = {
        "process": process,
        "event": event,
        "form": form,
        "seats_left": selectors.seats_left(event),
    }
    limited = ratelimit.public_post_limited(
        request,
        "event-register",
        per_address=settings.PUBLIC_FORM_RATE_PER_HOUR,
        per_device=REGISTRATIONS_PER_DEVICE,
    )
    if limited:
        form.is_valid()
        form.add_error(
            None,
            _(
                "Too many registrations were sent from this connection in the last hour: please try again later, or call the town hall."  # noqa: E501
            ),
        )
        return render(request, "processes/events/register.html", context, status=429)
    if request.method == "POST" and form.is_valid():
        try:
            registration = services.register(
                event=event,
                user=request.user if request.user.is_authenticated else None,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            token = services.registration_token(registration)
            return redirect("processes:event_registration", slug, event.pk, token)
    response = render(
        request,
        "processes/events/register.html",
        context,
        status=400 if request.method == "POST" else 200,
    )
    return ratelimit.remember_device(request, response)


def _registration_or_404(request, slug, pk, token):
    process = selectors.process_or_404(request.user, slug)
    registration = services.registration_from_token(token)
    if (
        registration is None
        or registration.event_id != pk
        or registration.event.process_id != process.pk
    ):
        raise Http404("registration not found")
    registration.event.process = process
    return process, registration


def event_registration(request, slug, pk, token):
    """What was recorded (the confirmation page, reachable again by the person's link)."""
    process, registration = _registration_or_404(request, slug, pk, token)
    position = (
        services.waiting_position(registration)
        if registration.status == Registration.Status.WAITING
        else None
    )
    return render(
        request,
        "processes/events/registration.html",
        {
            "process": process,
            "event": registration.event,
            "registration": registration,
            "position": position,
            "token": token,
        },
    )


@require_http_methods(["GET", "POST"])
def event_registration_cancel(request, slug, pk, token):
    """Cancel by the signed link (sent to the person, shown on their confirmation, on the
    event page to their account, and on the attendance list to staff)."""
    process, registration = _registration_or_404(request, slug, pk, token)
    staff = can(request.user, "processes.attendance", registration.event)
    if request.method == "POST":
        if registration.status == Registration.Status.CANCELLED:
            messages.info(request, _("This registration is already cancelled."))
        else:
            services.registration_cancel(
                registration=registration,
                actor=request.user if request.user.is_authenticated else None,
            )
            messages.success(request, _("The registration is cancelled."))
        if staff:
            return redirect("processes:event_attendance", slug, pk)
        return redirect(_detail_url(registration.event))
    return render(
        request,
        "processes/events/registration_cancel.html",
        {
            "process": process,
            "event": registration.event,
            "registration": registration,
            "token": token,
        },
    )


# --- attendance --------------------------------------------------------------------------
def _attendance_page(request, process, event, walk_in_form, status=200):
    rows = selectors.attendance_list(event)
    for row in rows:
        row.token = services.registration_token(row)
    return render(
        request,
        "processes/events/attendance.html",
        {
            "process": process,
            "event": event,
            "rows": rows,
            "walk_in_form": walk_in_form,
            "present": sum(1 for r in rows if r.attended),
        },
        status=status,
    )


def event_attendance(request, slug, pk):
    process, event = _staff(request, slug, pk, rule="processes.attendance")
    return _attendance_page(request, process, event, WalkInForm())


@require_POST
def event_attendance_toggle(request, slug, pk, registration_pk):
    process, event = _staff(request, slug, pk, rule="processes.attendance")
    registration = Registration.objects.filter(event=event, pk=registration_pk).first()
    if registration is None:
        raise Http404("registration not found")
    value = request.POST.get("attended")
    if value not in ("1", "0"):
        return render(request, "processes/events/_bad_request.html", status=400)
    try:
        registration = services.attendance_set(
            actor=request.user, registration=registration, attended=value == "1"
        )
    except ValidationError as exc:
        return render(
            request, "processes/events/_bad_request.html", {"errors": exc.messages}, status=400
        )
    if _htmx(request):
        registration.token = services.registration_token(registration)
        return render(
            request,
            "processes/events/_attendance_row.html",
            {"process": process, "event": event, "row": registration},
        )
    return redirect(reverse("processes:event_attendance", args=[slug, pk]) + f"#r{registration.pk}")


@require_POST
def event_walk_in(request, slug, pk):
    process, event = _staff(request, slug, pk, rule="processes.attendance")
    form = WalkInForm(request.POST)
    if form.is_valid():
        try:
            services.walk_in_add(actor=request.user, event=event, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("%(name)s added, present.") % {"name": form.cleaned_data["name"]}
            )
            return redirect("processes:event_attendance", slug, pk)
    return _attendance_page(request, process, event, form, status=400)


# --- panel, minutes and outputs ----------------------------------------------------------
def event_panel(request, slug, pk):
    process, event = _staff(request, slug, pk, rule="processes.attendance")
    rows, totals = selectors.panel(event)
    return render(
        request,
        "processes/events/panel.html",
        {
            "process": process,
            "event": event,
            "rows": [(row, selectors.role_label(row.key)) for row in rows],
            "totals": totals,
            "held": event.starts_at <= timezone.now(),
        },
    )


@require_http_methods(["GET", "POST"])
def event_outputs(request, slug, pk):
    process, event = _staff(request, slug, pk)
    action = request.POST.get("action") if request.method == "POST" else None
    minutes_form = MinutesForm(
        request.POST if action == "minutes" else None, initial={"minutes": event.minutes}
    )
    posted_many = request.method == "POST" and action not in ("minutes", "one")
    many_form = OutputsForm(request.POST if posted_many else None)
    one_form = OutputForm(request.POST if action == "one" else None)
    if request.method == "POST":
        try:
            if action == "minutes" and minutes_form.is_valid():
                services.minutes_save(actor=request.user, event=event, **minutes_form.cleaned_data)
                messages.success(request, _("Minutes saved."))
                return redirect("processes:event_outputs", slug, pk)
            if action == "many" and many_form.is_valid():
                notes = [{"text": t} for t in services.split_notes(many_form.cleaned_data["notes"])]
                done = services.outputs_add(
                    actor=request.user,
                    event=event,
                    notes=notes,
                    kind=many_form.cleaned_data["kind"],
                )
                messages.success(
                    request, _("%(n)s outputs entered as proposals.") % {"n": len(done)}
                )
                return redirect("processes:event_outputs", slug, pk)
            if action == "one" and one_form.is_valid():
                data = dict(one_form.cleaned_data)
                kind = data.pop("kind")
                services.outputs_add(
                    actor=request.user, event=event, notes=[data], kind=kind, field="text"
                )
                messages.success(request, _("Output entered as a proposal."))
                return redirect("processes:event_outputs", slug, pk)
        except ValidationError as exc:
            add_service_errors(
                {"minutes": minutes_form, "many": many_form, "one": one_form}.get(
                    action, many_form
                ),
                exc,
            )
        if action not in ("minutes", "many", "one") and many_form.is_valid():
            many_form.add_error(None, _("Choose what to save."))
    return render(
        request,
        "processes/events/outputs.html",
        {
            "process": process,
            "event": event,
            "minutes_form": minutes_form,
            "many_form": many_form,
            "one_form": one_form,
            "outputs": selectors.outputs_of(event, request.user),
        },
        status=400 if request.method == "POST" else 200,
    )


E = "<slug:slug>/evenements/<int:pk>/"
urlpatterns = [
    path("<slug:slug>/evenements/", event_list, name="event_list"),
    path("<slug:slug>/evenements/nouveau/", event_create, name="event_create"),
    path(E, event_detail, name="event_detail"),
    path(E + "modifier/", event_edit, name="event_edit"),
    path(E + "annuler/", event_cancel, name="event_cancel"),
    path(E + "inscription/", event_register, name="event_register"),
    path(E + "inscription/<str:token>/", event_registration, name="event_registration"),
    path(
        E + "inscription/<str:token>/annuler/",
        event_registration_cancel,
        name="event_registration_cancel",
    ),
    path(E + "presences/", event_attendance, name="event_attendance"),
    path(E + "presences/sur-place/", event_walk_in, name="event_walk_in"),
    path(
        E + "presences/<int:registration_pk>/",
        event_attendance_toggle,
        name="event_attendance_toggle",
    ),
    path(E + "composition/", event_panel, name="event_panel"),
    path(E + "productions/", event_outputs, name="event_outputs"),
]
