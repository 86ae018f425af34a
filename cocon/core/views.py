"""Home of the territory, health check, per-organization theme stylesheet, error pages."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods

from cocon.core import entrypoints
from cocon.territory import selectors as territory_selectors
from cocon.territory.models import Organization

HEX = re.compile(r"#[0-9a-fA-F]{6}")


@require_GET
def home(request):
    territory = territory_selectors.current_territory()
    context = {"territory": territory, "entry_points": entrypoints.entry_points()}
    if territory is not None:
        context["organizations_by_kind"] = territory_selectors.organizations_by_kind(territory)
        context["population"] = territory.population
        context["commune_count"] = territory.communes.count()
        context["organization_count"] = sum(
            len(group) for group in context["organizations_by_kind"].values()
        )
    return render(request, "core/home.html", context)


@require_GET
def accessibility(request):
    return render(request, "core/accessibility.html")


@require_GET
def healthz(request):
    """200 when the database answers and has no unapplied migration, else 503."""
    payload = {"status": "ok", "database": "ok", "migrations": "ok"}
    status = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            payload["migrations"] = "pending"
            payload["status"] = "degraded"
            status = 503
    except Exception as exc:  # report, do not crash: this is what the load balancer reads
        payload.update(status="error", database=f"error: {type(exc).__name__}")
        status = 503
    response = JsonResponse(payload, status=status)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@cache_control(public=True, max_age=3600)
def theme_css(request, slug):
    """CSS custom properties for one organization's colours (no inline style needed)."""
    organization = get_object_or_404(Organization, slug=slug)
    primary, accent = organization.primary_color, organization.accent_color
    if not (HEX.fullmatch(primary) and HEX.fullmatch(accent)):  # never emit unchecked CSS
        primary, accent = Organization.DEFAULT_PRIMARY, Organization.DEFAULT_ACCENT
    css = f":root{{--c-primary:{primary};--c-accent:{accent};}}"
    return HttpResponse(css, content_type="text/css; charset=utf-8")


def not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def forbidden(request, exception=None):
    return render(request, "errors/403.html", status=403)


def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


def server_error(request):
    return render(request, "errors/500.html", status=500)


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request):
    """The person's notifications (newest first) and how they want to be emailed."""
    from cocon.core import notifications as notes
    from cocon.core.forms import PreferenceForm, bound_data
    from cocon.core.models import Notification

    staff = request.user.grants.is_staff_member
    current = notes.preference_of(request.user, staff=staff)
    form = PreferenceForm(bound_data(request), initial={"email": current})
    if request.method == "POST":
        if "mark_read" in request.POST:
            notes.mark_read(request.user)
            messages.success(request, _("All notifications are marked as read."))
            return redirect("core:notifications")
        if form.is_valid():
            notes.preference_set(request.user, form.cleaned_data["email"])
            messages.success(request, _("Your notification settings are saved."))
            return redirect("core:notifications")
    items = list(Notification.objects.filter(recipient=request.user)[:100])
    return render(
        request,
        "core/notifications.html",
        {"items": items, "form": form, "unread": sum(1 for n in items if n.read_at is None)},
        status=400 if form.is_bound and form.errors else 200,
    )
