"""Pages of the territory module. Thin: permissions via core.permissions, reads via
selectors, writes via services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cocon.accounts import selectors as people
from cocon.core.forms import bound_data, bound_files
from cocon.core.permissions import can, require
from cocon.lib.population import AGE_BANDS
from cocon.territory import selectors, services
from cocon.territory.forms import MarginImportForm, OrganizationSettingsForm, ShareForm
from cocon.territory.models import Organization, Service, Share


def _pyramid(margins: dict[tuple[str, str], int]) -> list[dict]:
    rows = []
    for band in AGE_BANDS:
        women, men = margins.get((band, "F"), 0), margins.get((band, "M"), 0)
        rows.append({"band": band, "women": women, "men": men, "total": women + men})
    return rows


@require_GET
def territory_detail(request):
    territory = selectors.current_territory_or_404()
    communes = selectors.communes_with_margins(territory)
    margins = selectors.territory_margins(territory)
    pyramid = _pyramid(margins)
    return render(
        request,
        "territory/territory_detail.html",
        {
            "communes": communes,
            "pyramid": pyramid,
            "margins_total": sum(row["total"] for row in pyramid),
            "population": sum(c.population for c in communes),
            "may_import": can(request.user, "territory.import_margins", territory),
        },
    )


@require_GET
def commune_detail(request, insee):
    territory = selectors.current_territory_or_404()
    commune = get_object_or_404(territory.communes, insee_code=insee.upper())
    margins = {(m.age_band, m.sex): m.population for m in commune.margins.all()}
    pyramid = _pyramid(margins)
    return render(
        request,
        "territory/commune_detail.html",
        {
            "commune": commune,
            "pyramid": pyramid,
            "margins_total": sum(row["total"] for row in pyramid),
            "organizations": commune.organizations.filter(is_active=True).order_by("name"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def margins_import(request):
    territory = selectors.current_territory_or_404()
    require(request.user, "territory.import_margins", territory)
    errors: list[tuple[int, str, str]] = []
    form = MarginImportForm(bound_data(request), bound_files(request))
    if request.method == "POST" and form.is_valid():
        try:
            result = services.margins_import_file(
                territory=territory, data=form.cleaned_data["file"].read()
            )
        except services.MarginImportError as exc:
            errors = exc.errors
            form.add_error(
                "file",
                _("The file was rejected: %(count)s error(s). Nothing was imported.")
                % {"count": len(errors)},
            )
        else:
            messages.success(
                request,
                _("%(rows)s rows imported for %(communes)s communes.")
                % {"rows": result.imported, "communes": result.communes},
            )
            return redirect("territory:territory")
    return render(
        request,
        "territory/margins_import.html",
        {"form": form, "row_errors": errors[:200], "error_count": len(errors)},
    )


@require_GET
def organization_list(request):
    territory = selectors.current_territory_or_404()
    return render(
        request,
        "territory/organization_list.html",
        {"organizations_by_kind": selectors.organizations_by_kind(territory)},
    )


def _organization(request, slug, *, internal_services: bool = False) -> Organization:
    try:
        organization = selectors.organization_page(
            slug, include_internal_services=internal_services
        )
    except Organization.DoesNotExist as exc:
        raise Http404 from exc
    require(request.user, "territory.view_organization", organization)
    request.theme_organization = organization
    return organization


@require_GET
def organization_detail(request, slug):
    probe = get_object_or_404(Organization, slug=slug)
    sees_internal = can(request.user, "territory.view_internal", probe)
    organization = _organization(request, slug, internal_services=sees_internal)
    services_by_direction: dict = {}
    for service in organization.services.all():
        services_by_direction.setdefault(service.direction_id, []).append(service)
    directions = [
        (direction, services_by_direction.get(direction.pk, []))
        for direction in organization.directions.all()
    ]
    return render(
        request,
        "territory/organization_detail.html",
        {
            "organization": organization,
            "directions": [d for d in directions if d[1]],
            "loose_services": services_by_direction.get(None, []),
            "elected": people.elected_officials(organization),
            "sees_internal": sees_internal,
            "may_edit": can(request.user, "territory.edit_organization", organization),
        },
    )


@login_required
@require_GET
def organization_team(request, slug):
    organization = get_object_or_404(Organization, slug=slug)
    require(request.user, "territory.view_internal", organization)
    request.theme_organization = organization
    return render(
        request,
        "territory/organization_team.html",
        {
            "organization": organization,
            "agents": people.directory(organization),
            "roles": people.role_holders(organization),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organization_settings(request, slug):
    organization = get_object_or_404(Organization, slug=slug)
    require(request.user, "territory.edit_organization", organization)
    request.theme_organization = organization
    # The form edits a copy: a refused submission must not show as the current settings.
    form = OrganizationSettingsForm(
        bound_data(request),
        bound_files(request),
        instance=Organization.objects.get(pk=organization.pk),
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The organization's settings were saved."))
        return redirect("territory:settings", slug=organization.slug)
    return render(
        request,
        "territory/organization_settings.html",
        {"organization": organization, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organization_shares(request, slug):
    organization = get_object_or_404(Organization.objects.select_related("territory"), slug=slug)
    require(request.user, "territory.manage_shares", organization)
    request.theme_organization = organization
    form = ShareForm(bound_data(request), owner=organization)
    if request.method == "POST" and form.is_valid():
        services.share_create(
            owner=organization,
            partner=form.cleaned_data["partner"],
            scope=form.cleaned_data["scope"],
            actor=request.user,
        )
        messages.success(request, _("The share was created."))
        return redirect("territory:shares", slug=organization.slug)
    return render(
        request,
        "territory/organization_shares.html",
        {
            "organization": organization,
            "form": form,
            "given": organization.shares_given.select_related("partner").order_by(
                "partner__name", "scope"
            ),
            "received": organization.shares_received.select_related("owner").order_by(
                "owner__name", "scope"
            ),
        },
    )


@login_required
@require_POST
def share_delete(request, slug, pk):
    organization = get_object_or_404(Organization, slug=slug)
    require(request.user, "territory.manage_shares", organization)
    share = get_object_or_404(Share, pk=pk, owner=organization)
    services.share_delete(share=share)
    messages.success(request, _("The share was removed."))
    return redirect("territory:shares", slug=organization.slug)


@require_GET
def service_detail(request, org_slug, slug):
    try:
        service = selectors.service_page(org_slug, slug)
    except Service.DoesNotExist as exc:
        raise Http404 from exc
    if not can(request.user, "territory.view_service", service):
        raise Http404  # internal services do not reveal that they exist
    request.theme_organization = service.organization
    return render(
        request,
        "territory/service_detail.html",
        {
            "service": service,
            "organization": service.organization,
            "is_open": service.is_open_at(),
            "sees_internal": can(request.user, "territory.view_service_internal", service),
            "may_edit": can(request.user, "territory.edit_service", service),
            "managers": people.service_managers(service),
            # rule of the Paroles module (core.permissions resolves it by name)
            "may_see_dashboard": can(request.user, "voices.dashboard", service),
        },
    )
