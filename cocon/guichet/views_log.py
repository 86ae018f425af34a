"""Pages of the counter and bus log: the phone-first entry of an appointment
(`log_new`), my recent appointments (`log_mine`, delete within 24 h), and an
organization's dashboards (`log_dashboard`, figures as CSV `log_export`), small cells
hidden. Rules: `guichet.log`, `guichet.dashboard`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cocon.core.paging import CappedPaginator
from cocon.core.permissions import can, grants_of, require
from cocon.guichet import selectors_log, selectors_network, services_log
from cocon.guichet.forms_log import DEFAULT_DURATION, AppointmentForm, DashboardFilterForm
from cocon.guichet.models import Appointment, Place
from cocon.guichet.models.log import Outcome
from cocon.ideas.views_staff import csv_response
from cocon.territory.models import Organization

SESSION_PLACE = "guichet_log_place"
PER_PAGE = 20
NOTES_PER_PAGE = 50


def _question_url(appointment: Appointment) -> str:
    """The ask-a-question page, prefilled from the appointment (place and link)."""
    query = urlencode({"appointment": appointment.pk, "place": appointment.place_id})
    return f"{reverse('guichet:question_ask')}?{query}"


@login_required
@require_http_methods(["GET", "POST"])
def log_new(request):
    require(request.user, "guichet.log")
    agent = request.user
    places = services_log.places_for(agent)
    place_list = list(places)
    territory_id = agent.agent_profile.organization.territory_id
    saved = None
    saved_id = request.GET.get("enregistre", "")
    if saved_id.isdigit():
        saved = (
            Appointment.objects.filter(pk=int(saved_id), agent=agent)
            .select_related("place")
            .first()
        )
    if request.method == "POST":
        form = AppointmentForm(request.POST, places=places, territory_id=territory_id)
        if form.is_valid():
            data = form.cleaned_data
            try:
                appointment = services_log.appointment_log(
                    agent=agent,
                    place=data["place"],
                    date=data["date"],
                    duration=data["duration"],
                    age_band=data["age_band"],
                    occupation=data["occupation"],
                    residence=data["residence"],
                    organizations=data["organizations"],
                    procedures=data["procedures"],
                    outcome=data["outcome"],
                    note=data["note"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                request.session[SESSION_PLACE] = appointment.place_id
                messages.success(request, _("The appointment is logged."))
                return redirect(f"{reverse('guichet:log_new')}?enregistre={appointment.pk}")
    else:
        last = request.session.get(SESSION_PLACE)
        initial_place = next((p for p in place_list if p.pk == last), None)
        if initial_place is None and len(place_list) == 1:
            initial_place = place_list[0]
        form = AppointmentForm(
            initial={
                "date": timezone.localdate(),
                "duration": DEFAULT_DURATION,
                "place": initial_place.pk if initial_place else None,
                "age_band": "",
            },
            places=places,
            territory_id=territory_id,
        )
    return render(
        request,
        "guichet/log/new.html",
        {
            "form": form,
            "has_places": bool(place_list),
            "saved": saved,
            "question_url": (
                _question_url(saved) if saved and saved.outcome == Outcome.QUESTION else None
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def log_mine(request):
    require(request.user, "guichet.log")
    paginator = CappedPaginator(selectors_log.my_appointments(request.user), PER_PAGE, cap=2000)
    page = paginator.get_page(request.GET.get("page"))
    for appointment in page:
        appointment.deletable = services_log.may_delete(appointment, request.user)
    return render(request, "guichet/log/mine.html", {"page": page})


@login_required
@require_POST
def log_delete(request, pk):
    require(request.user, "guichet.log")
    appointment = get_object_or_404(Appointment, pk=pk, agent=request.user)
    try:
        services_log.appointment_delete(appointment, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("The appointment is deleted."))
    return redirect("guichet:log_mine")


# --- dashboards --------------------------------------------------------------------------
def _viewable_organizations(user):
    grants = grants_of(user)
    if grants.is_platform_admin:
        return Organization.objects.order_by("name")
    return Organization.objects.filter(pk__in=grants.member_organization_ids).order_by("name")


def _dashboard_filters(request):
    """(form, organization, start, end, place_ids, places) — organization None when the
    person may see no dashboard; form errors leave the default period."""
    organizations = list(_viewable_organizations(request.user))
    if not organizations:
        raise PermissionDenied("guichet.dashboard")
    chosen = request.GET.get("organization", "")
    organization = next((o for o in organizations if str(o.pk) == chosen), None)
    if organization is None:  # my own organization, else the first one that runs a place
        own = getattr(getattr(request.user, "agent_profile", None), "organization_id", None)
        if own not in {o.pk for o in organizations}:
            own = (
                Place.objects.filter(organization__in=organizations)
                .order_by("organization__name")
                .values_list("organization_id", flat=True)
                .first()
            )
        organization = next((o for o in organizations if o.pk == own), organizations[0])
    require(request.user, "guichet.dashboard", organization)
    places = selectors_network.organization_places(organization)
    start, end = DashboardFilterForm.default_period()
    data = {"organization": organization.pk, "start": start, "end": end, "place": ""}
    for key in ("start", "end", "place"):  # what is not given keeps its default
        if request.GET.get(key, "").strip():
            data[key] = request.GET[key].strip()
    form = DashboardFilterForm(data, organizations=organizations, places=places)
    place_ids = None
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        place_ids = DashboardFilterForm.place_ids(form.cleaned_data["place"], places)
    return form, organization, start, end, place_ids, places


def _map_settings() -> dict:
    from django.conf import settings

    return {
        "tile_url": settings.REPORT_TILE_URL,
        "tile_attribution": settings.REPORT_TILE_ATTRIBUTION,
        "tile_max_zoom": settings.REPORT_TILE_MAX_ZOOM,
    }


@login_required
@require_GET
def log_dashboard(request):
    form, organization, start, end, place_ids, _places = _dashboard_filters(request)
    stats = selectors_log.dashboard(organization, start=start, end=end, place_ids=place_ids)
    notes = selectors_log.notes(organization, start=start, end=end, place_ids=place_ids)
    page = CappedPaginator(notes, NOTES_PER_PAGE, cap=1000).get_page(request.GET.get("page"))
    query = urlencode(
        {
            "organization": organization.pk,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "place": form.data.get("place", "") if form.is_valid() else "",
        }
    )
    return render(
        request,
        "guichet/log/dashboard.html",
        {
            "form": form,
            "organization": organization,
            "stats": stats,
            "page": page,
            "query": query,
            "map": _map_settings(),
            "may_log": can(request.user, "guichet.log"),
        },
    )


def _cell(n, min_cell):
    return f"< {min_cell}" if n is None else n


def _decimal(value) -> str:
    return "" if value is None else f"{value:.1f}".replace(".", ",")


@login_required
@require_GET
def log_export(request):
    """The dashboard's aggregates (never the appointments themselves), small cells hidden."""
    _form, organization, start, end, place_ids, _places = _dashboard_filters(request)
    stats = selectors_log.dashboard(organization, start=start, end=end, place_ids=place_ids)
    m = stats["min_cell"]
    rows = [[_("Section"), _("Item"), _("Value")]]
    rows.append([_("Organization"), organization.name, ""])
    rows.append([_("Period"), start.isoformat(), end.isoformat()])
    rows.append([_("Summary"), _("Appointments"), _cell(stats["total_shown"], m)])
    rows.append(
        [
            _("Summary"),
            _("Solved on the spot (%)"),
            "" if stats["solved_percent"] is None else stats["solved_percent"],
        ]
    )
    rows.append([_("Summary"), _("Median duration (minutes)"), _decimal(stats["median_duration"])])
    sections = [
        (_("Appointments per week"), "weeks"),
        (_("Outcome"), "outcomes"),
        (_("Duration"), "durations"),
        (_("Age band"), "age_bands"),
        (_("Occupation"), "occupations"),
        (_("Commune of residence"), "residences"),
        (_("Procedures concerned"), "procedures"),
        (_("Organizations concerned"), "organizations"),
    ]
    for title, key in sections:
        for row in stats[key]:
            label = row["label"]
            label = label.isoformat() if hasattr(label, "isoformat") else str(label)
            rows.append([title, label, _cell(row["shown"], m)])
    questions = stats["questions"]
    if questions:
        title = _("Questions to referents")
        rows.append([title, _("Questions"), _cell(questions["total_shown"], m)])
        for row in questions["rows"]:
            rows.append([title, row["label"], _cell(row["shown"], m)])
        rows.append(
            [
                title,
                _("Answered within the commitment (%)"),
                ""
                if questions["share_in_time_percent"] is None
                else questions["share_in_time_percent"],
            ]
        )
        rows.append(
            [
                title,
                _("Median answer time (working hours)"),
                _decimal(questions["median_answer_working_hours"]),
            ]
        )
        rows.append(
            [title, _("Median answer time (hours)"), _decimal(questions["median_answer_hours"])]
        )
    return csv_response(
        rows, f"guichet-{organization.slug}-{start.isoformat()}-{end.isoformat()}.csv"
    )


urlpatterns = [
    path("journal/nouveau/", log_new, name="log_new"),
    path("journal/mes-rendez-vous/", log_mine, name="log_mine"),
    path("journal/<int:pk>/supprimer/", log_delete, name="log_delete"),
    path("journal/tableau-de-bord/", log_dashboard, name="log_dashboard"),
    path("journal/tableau-de-bord.csv", log_export, name="log_export"),
]
