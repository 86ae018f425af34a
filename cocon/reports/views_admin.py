"""Settings pages of Signalements for administrators. The Open311 client keys page:
keys belong to the territory (one Open311 endpoint serves it), so they are managed by
the platform administrators and the administrators of the host organization
(`reports.configure` on the host organization)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from cocon.core.forms import Form
from cocon.core.permissions import can
from cocon.reports.models import Open311Client
from cocon.territory.selectors import current_territory_or_404


class ClientKeyForm(Form):
    name = forms.CharField(
        label=gettext_lazy("Name of the application"),
        max_length=120,
        help_text=gettext_lazy("Who will use the key, e.g. “Town app of Montlise”."),
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the name of the application."))
        return name


def may_manage_keys(user, territory) -> bool:
    """Platform administrators, and administrators of the territory's host organization."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    host = territory.host_organization
    return host is not None and can(user, "reports.configure", host)


@login_required
@require_http_methods(["GET", "POST"])
def open311_keys(request):
    """Create (the key is shown once), list and revoke the keys of Open311 client
    applications."""
    territory = current_territory_or_404()
    if not may_manage_keys(request.user, territory):
        raise Http404("not an administrator of the host organization")
    action = request.POST.get("action", "") if request.method == "POST" else ""
    form = ClientKeyForm(request.POST if action == "create" else None)
    new_key = ""
    if action == "revoke":
        count = Open311Client.objects.filter(
            territory=territory, pk=request.POST.get("client") or 0, is_active=True
        ).update(is_active=False)
        if count:
            messages.success(request, _("Key revoked: this application can no longer send."))
        else:
            messages.error(request, _("This key does not exist or is already revoked."))
        return redirect("reports:open311_keys")
    if action == "create" and form.is_valid():
        _client, new_key = Open311Client.issue(territory=territory, name=form.cleaned_data["name"])
        form = ClientKeyForm()
    clients = (
        Open311Client.objects.filter(territory=territory)
        .annotate(report_count=Count("reports"))
        .order_by("-is_active", "name", "pk")
    )
    response = render(
        request,
        "reports/admin/open311_keys.html",
        {
            "form": form,
            "clients": clients,
            "new_key": new_key,
            "territory": territory,
            "discovery_url": request.build_absolute_uri(
                reverse("open311:discovery", kwargs={"fmt": "json"})
            ),
        },
        status=400 if form.errors else 200,
    )
    response["Cache-Control"] = "no-store"  # the new key must not stay in a cache
    return response


urlpatterns: list = [
    path("espace/signalements/open311/", open311_keys, name="open311_keys"),
]
