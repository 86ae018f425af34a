"""An organization's Signalements settings, for its administrators: the categories it
handles and where (Coverage), its field teams and their members; and, for the platform
administrators and the administrators of the territory's host organization, the
territory's categories with their extra questions. One page; each form posts an
`action`, as Paroles' routing page does."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cocon.accounts.models import User
from cocon.core.forms import add_service_errors
from cocon.core.permissions import can
from cocon.reports import selectors
from cocon.reports import services_settings as settings_services
from cocon.reports.forms_staff import (
    AttributeFormSet,
    CategoryForm,
    CoverageForm,
    MembersForm,
    TeamForm,
    attribute_initial,
)
from cocon.reports.models import Category, Coverage, Team
from cocon.territory.models import Commune, Organization

ATTRIBUTE_ROWS = 3  # empty question rows offered by the editor (no JS needed)


_apply = add_service_errors


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request, slug):
    organization = get_object_or_404(Organization.objects.select_related("territory"), slug=slug)
    if not can(request.user, "reports.configure", organization):
        raise Http404("not an administrator of this organization")
    territory = organization.territory
    may_categories = can(request.user, "reports.configure_categories", territory)
    categories = list(selectors.categories(territory, active_only=False))
    services = list(organization.services.order_by("name"))
    communes = list(organization.communes.order_by("name")) or list(
        Commune.objects.filter(territory=territory).order_by("name")
    )
    agents = list(
        User.objects.filter(agent_profile__organization=organization, is_active=True)
        .select_related("agent_profile")
        .order_by("full_name")
    )
    action = request.POST.get("action", "") if request.method == "POST" else ""
    post = request.POST if request.method == "POST" else None

    coverage_form = CoverageForm(
        post if action == "coverage" else None,
        categories=categories,
        services=services,
        communes=communes,
        prefix="coverage",
    )
    team_form = TeamForm(
        post if action == "team" else None, services=services, agents=agents, prefix="team"
    )
    edited = None
    if may_categories and request.GET.get("categorie"):
        edited = next((c for c in categories if str(c.pk) == request.GET["categorie"]), None)
    category_initial = (
        {
            "name": edited.name,
            "code": edited.code,
            "group": edited.group,
            "description": edited.description,
            "sensitive": edited.sensitive,
            "is_active": edited.is_active,
        }
        if edited
        else None
    )
    category_form = CategoryForm(
        post if action == "category" else None, prefix="category", initial=category_initial
    )
    rows = attribute_initial(edited.attributes if edited else [])
    attribute_formset = AttributeFormSet(
        post if action == "category" else None,
        prefix="attr",
        initial=rows + [{} for _i in range(ATTRIBUTE_ROWS)],
    )
    bound = None
    done = ""
    try:
        if action == "coverage":
            bound = coverage_form
            if coverage_form.is_valid():
                data = coverage_form.cleaned_data
                settings_services.coverage_set(
                    organization=organization,
                    category=Category.objects.get(pk=data["category"], territory=territory),
                    service=organization.services.get(pk=data["service"]),
                    communes=[c for c in communes if c.pk in set(data["communes"])],
                )
                done = _("Saved: this category is now handled by that service.")
        elif action == "coverage_delete":
            settings_services.coverage_delete(
                organization=organization, coverage_id=_int(request.POST.get("coverage"))
            )
            done = _("This category is no longer handled by the organization.")
        elif action == "team":
            bound = team_form
            if team_form.is_valid():
                data = team_form.cleaned_data
                chosen = set(data["members"])
                settings_services.team_create(
                    organization=organization,
                    service=organization.services.get(pk=data["service"]),
                    name=data["name"],
                    members=[u for u in agents if u.pk in chosen],
                )
                done = _("Team created.")
        elif action == "members":
            team = get_object_or_404(
                Team, pk=_int(request.POST.get("team")), service__organization=organization
            )
            form = MembersForm(post, agents=agents, prefix=f"members-{team.pk}")
            if form.is_valid():
                chosen = set(form.cleaned_data["members"])
                settings_services.team_set_members(
                    team, organization=organization, members=[u for u in agents if u.pk in chosen]
                )
                done = _("Members saved.")
        elif action == "team_delete":
            settings_services.team_delete(
                organization=organization, team_id=_int(request.POST.get("team"))
            )
            done = _("Team deleted.")
        elif action == "category":
            if not may_categories:
                raise Http404("not allowed to edit the territory's categories")
            bound = category_form
            forms_ok = category_form.is_valid() & attribute_formset.is_valid()
            if forms_ok:
                attributes = [
                    a
                    for i, form in enumerate(attribute_formset.forms)
                    if (a := form.attribute(i + 1)) is not None
                ]
                target = None
                if request.POST.get("category_id"):
                    target = get_object_or_404(
                        Category, pk=_int(request.POST["category_id"]), territory=territory
                    )
                data = category_form.cleaned_data
                settings_services.category_save(
                    territory=territory,
                    name=data["name"],
                    code=data["code"],
                    group=data.get("group") or "",
                    description=data.get("description") or "",
                    sensitive=bool(data.get("sensitive")),
                    is_active=bool(data.get("is_active")),
                    attributes=attributes,
                    category=target,
                )
                done = _("Category saved.")
    except ValidationError as exc:
        if bound is not None:
            _apply(bound, exc)
    except (Category.DoesNotExist, organization.services.model.DoesNotExist):
        if bound is not None:
            bound.add_error(None, _("Choose in the lists."))
    if done:
        messages.success(request, done)
        return redirect("reports:settings", slug=slug)
    coverages = list(
        Coverage.objects.filter(organization=organization)
        .select_related("category", "service")
        .prefetch_related("communes")
        .order_by("category__name")
    )
    teams = list(
        Team.objects.filter(service__organization=organization)
        .select_related("service")
        .prefetch_related("members")
        .order_by("service__name", "name")
    )
    team_rows = [
        (
            team,
            MembersForm(
                agents=agents,
                prefix=f"members-{team.pk}",
                initial={"members": [m.pk for m in team.members.all()]},
            ),
        )
        for team in teams
    ]
    failed = bool(action) and not done
    return render(
        request,
        "reports/settings/page.html",
        {
            "organization": organization,
            "coverages": coverages,
            "coverage_form": coverage_form,
            "team_form": team_form,
            "team_rows": team_rows,
            "may_categories": may_categories,
            "categories": categories,
            "category_form": category_form,
            "attribute_formset": attribute_formset,
            "edited": edited,
        },
        status=400 if failed else 200,
    )


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


urlpatterns: list = [
    path("organisations/<slug:slug>/signalements/", settings_page, name="settings"),
]
