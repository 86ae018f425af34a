"""Pages of the charter of commitments, under /demarches/<slug>/charte/.

Public (`processes.view`): the current version with its signatories, past versions and
their diffs. Signing needs an account (`processes.sign_charter`); writing versions needs
`processes.manage`. A process without a published charter has no charter page (404),
except for its managers, who are led to the edit page.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cocon.core.forms import bound_data, save_with
from cocon.core.permissions import can, require
from cocon.lib import textdiff
from cocon.processes import selectors_charter as selectors
from cocon.processes import services_charter as services
from cocon.processes.forms_charter import (
    CharterCreateForm,
    CharterSettingsForm,
    RevisionForm,
    SignForm,
    WithdrawForm,
)
from cocon.processes.models.charter import CharterVersion, Signature
from cocon.territory.models import Organization


def _process(request, slug):
    process = selectors.process_by_slug(slug)
    if process is None or not can(request.user, "processes.view", process):
        raise Http404("process not found")
    process.may_manage = can(request.user, "processes.manage", process)
    return process


def _signing_organizations(request, process) -> list[Organization]:
    """Organizations the person may sign for: those they administer, and for the
    managers of the process, the organizations taking part in it."""
    user = request.user
    if not user.is_authenticated:
        return []
    grants = user.grants
    ids = {r.organization_id for r in grants.roles if r.kind == "admin"}
    if process.may_manage:
        ids |= process.organization_ids
    if grants.is_platform_admin:
        return list(Organization.objects.filter(territory_id=process.territory_id).order_by("name"))
    return list(Organization.objects.filter(pk__in=ids).order_by("name")) if ids else []


def _charter_page(request, process, *, sign_form=None, withdraw_form=None, status=200):
    charter = selectors.charter_of(process)
    if charter is None:
        if process.may_manage:
            return redirect("processes:charter_edit", slug=process.slug)
        raise Http404("no charter")
    versions = selectors.versions(charter)
    published = [v for v in versions if v.published_at]
    if not published:
        if process.may_manage:
            return redirect("processes:charter_edit", slug=process.slug)
        raise Http404("no published charter")
    current = published[0]
    previous = published[1] if len(published) > 1 else None
    rows = selectors.signatures(current)
    user = request.user
    may_sign = can(user, "processes.sign_charter", charter)
    if may_sign and sign_form is None:
        sign_form = SignForm(
            organizations=_signing_organizations(request, process),
            initial={"name": user.full_name},
        )
    mine = []
    if user.is_authenticated:
        admin_of = {r.organization_id for r in user.grants.roles if r.kind == "admin"}
        mine = [
            r
            for r in rows
            if r.withdrawn_at is None
            and (r.user_id == user.pk or (r.organization_id and r.organization_id in admin_of))
        ]
    for row in mine:
        row.version = current  # no query for the withdraw form's URL
    return render(
        request,
        "processes/charter/charter.html",
        {
            "process": process,
            "charter": charter,
            "version": current,
            "versions": versions,
            "previous": previous,
            "signatures": rows,
            "counts": selectors.counts_by_kind(rows),
            "active_total": sum(1 for r in rows if r.withdrawn_at is None),
            "to_renew": selectors.to_renew(previous, current),
            "mine": mine,
            "may_sign": may_sign,
            "sign_form": sign_form,
            "withdraw_form": withdraw_form or WithdrawForm(),
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD"])
def charter(request, slug):
    return _charter_page(request, _process(request, slug))


@require_POST
def charter_sign(request, slug):
    process = _process(request, slug)
    charter = selectors.charter_of(process)
    if charter is None:
        raise Http404("no charter")
    require(request.user, "processes.sign_charter", charter)
    version = services.latest_published(charter)
    if version is None:
        raise Http404("no published charter")
    form = SignForm(request.POST, organizations=_signing_organizations(request, process))
    if save_with(
        form,
        lambda d: services.charter_sign(
            version,
            user=request.user,
            signer_kind=d["signer_kind"],
            name=d["name"],
            organization=d.get("organization"),
        ),
    ):
        messages.success(request, _("Thank you: your signature is recorded."))
        return redirect("processes:charter", slug=process.slug)
    return _charter_page(request, process, sign_form=form, status=400)


@require_POST
def charter_withdraw(request, slug, pk):
    process = _process(request, slug)
    signature = get_object_or_404(
        Signature.objects.select_related("version__charter", "organization"),
        pk=pk,
        version__charter__process=process,
    )
    if not services.may_withdraw(signature, request.user):
        raise Http404("signature not found")  # somebody else's signature: as if absent
    form = WithdrawForm(request.POST)
    if save_with(
        form,
        lambda d: services.charter_withdraw(signature, user=request.user, reason=d["reason"]),
    ):
        messages.success(request, _("Your signature is withdrawn."))
        return redirect("processes:charter", slug=process.slug)
    return _charter_page(request, process, withdraw_form=form, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
def charter_edit(request, slug):
    """Create the charter; then change its settings, write the next version's draft and
    publish it."""
    process = _process(request, slug)
    require(request.user, "processes.manage", process)
    charter = selectors.charter_of(process)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    status = 200
    if charter is None:
        form = CharterCreateForm(
            bound_data(request), initial={"title": _("Charter of commitments")}
        )
        if request.method == "POST":
            if save_with(
                form,
                lambda d: services.charter_create(
                    process,
                    actor=request.user,
                    title=d["title"],
                    text=d["text"],
                    revision_every_months=d["revision_every_months"],
                ),
            ):
                messages.success(request, _("Charter created: review its draft, then publish it."))
                return redirect("processes:charter_edit", slug=process.slug)
            status = 400
        return render(
            request,
            "processes/charter/edit.html",
            {"process": process, "create_form": form},
            status=status,
        )
    versions = selectors.versions(charter)
    draft = next((v for v in versions if v.published_at is None), None)
    current = next((v for v in versions if v.published_at), None)
    settings_form = CharterSettingsForm(
        request.POST if action == "settings" else None,
        initial={"title": charter.title, "revision_every_months": charter.revision_every_months},
    )
    base = draft or current
    revision_form = RevisionForm(
        request.POST if action == "revise" else None,
        initial={"text": base.text if base else "", "note": draft.note if draft else ""},
    )
    if action == "settings":
        if save_with(
            settings_form,
            lambda d: services.charter_settings(
                charter,
                actor=request.user,
                title=d["title"],
                revision_every_months=d["revision_every_months"],
            ),
        ):
            messages.success(request, _("Settings saved."))
            return redirect("processes:charter_edit", slug=process.slug)
        status = 400
    elif action == "revise":
        if save_with(
            revision_form,
            lambda d: services.charter_revise(
                charter, actor=request.user, text=d["text"], note=d["note"]
            ),
        ):
            messages.success(
                request,
                _("Draft of version %(number)s saved.") % {"number": revision_form.result.number},
            )
            return redirect("processes:charter_edit", slug=process.slug)
        status = 400
    elif request.method == "POST":
        status = 400
        messages.error(request, _("Unknown action."))
    return render(
        request,
        "processes/charter/edit.html",
        {
            "process": process,
            "charter": charter,
            "versions": versions,
            "draft": draft,
            "current": current,
            "settings_form": settings_form,
            "revision_form": revision_form,
        },
        status=status,
    )


@require_POST
def charter_publish(request, slug, number):
    process = _process(request, slug)
    require(request.user, "processes.manage", process)
    version = get_object_or_404(
        CharterVersion.objects.select_related("charter"),
        charter__process=process,
        number=number,
    )
    try:
        with transaction.atomic():
            services.charter_publish_version(version, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("processes:charter_edit", slug=process.slug)
    messages.success(request, _("Version %(number)s published.") % {"number": version.number})
    return redirect("processes:charter", slug=process.slug)


def _published_version(process, number) -> CharterVersion:
    version = (
        CharterVersion.objects.select_related("charter")
        .filter(charter__process=process, number=number)
        .first()
    )
    if version is None or (version.published_at is None and not process.may_manage):
        raise Http404("version not found")
    return version


@require_http_methods(["GET", "HEAD"])
def charter_version(request, slug, number):
    process = _process(request, slug)
    version = _published_version(process, number)
    rows = selectors.signatures(version)
    return render(
        request,
        "processes/charter/version.html",
        {
            "process": process,
            "charter": version.charter,
            "version": version,
            "paragraphs": textdiff.paragraphs(version.text),
            "signatures": rows,
            "counts": selectors.counts_by_kind(rows),
        },
    )


@require_http_methods(["GET", "HEAD"])
def charter_diff(request, slug, a, b):
    process = _process(request, slug)
    old, new = _published_version(process, a), _published_version(process, b)
    result = textdiff.diff(old.text, new.text)
    return render(
        request,
        "processes/charter/diff.html",
        {
            "process": process,
            "charter": new.charter,
            "old": old,
            "new": new,
            "diff": result,
        },
    )


urlpatterns = [
    path("<slug:slug>/charte/", charter, name="charter"),
    path("<slug:slug>/charte/signer/", charter_sign, name="charter_sign"),
    path(
        "<slug:slug>/charte/signatures/<int:pk>/retirer/",
        charter_withdraw,
        name="charter_withdraw",
    ),
    path("<slug:slug>/charte/modifier/", charter_edit, name="charter_edit"),
    path(
        "<slug:slug>/charte/versions/<int:number>/publier/",
        charter_publish,
        name="charter_publish",
    ),
    path("<slug:slug>/charte/versions/<int:number>/", charter_version, name="charter_version"),
    path("<slug:slug>/charte/diff/<int:a>/<int:b>/", charter_diff, name="charter_diff"),
]
