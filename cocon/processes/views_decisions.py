"""Pages of the decisions domain, under /demarches/<slug>/: decisions on the proposals
(deciders: `processes.decide`), the feedback synthesis (public once published, edited and
published by those who manage the process), the action programme (managed by the team,
updated by the services, public).

A process the person may not see is a 404; a page of it they may not use is a 403."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cocon.core.forms import bound_data, save_with
from cocon.core.paging import CappedPaginator
from cocon.core.permissions import can, require
from cocon.processes import selectors_decisions as selectors
from cocon.processes import services_decisions as services
from cocon.processes.forms_decisions import (
    ActionForm,
    ActionUpdateForm,
    BulkDecisionForm,
    DecisionFilterForm,
    DecisionForm,
    MilestoneForm,
    PublishForm,
    SynthesisForm,
)
from cocon.processes.models.decisions import Milestone
from cocon.territory.selectors import current_territory

PAGE_SIZE = 50


def _process(request, slug: str):
    process = selectors.process_by_slug(slug)
    territory = current_territory()
    if process is None or (territory is not None and process.territory_id != territory.pk):
        raise Http404
    if not can(request.user, "processes.view", process):
        raise Http404
    process.may_manage = can(request.user, "processes.manage", process)
    process.may_decide = can(request.user, "processes.decide", process)
    return process


def _status(request, *forms) -> int:
    return 400 if request.method == "POST" and any(f.errors for f in forms) else 200


# --- decisions ----------------------------------------------------------------------------
def _decisions_page(request, process, bulk_form=None, status=200):
    form = DecisionFilterForm(request.GET or None)
    which = form.cleaned_data.get("which", "") if form.is_bound and form.is_valid() else ""
    rows = selectors.decision_rows(process, which)
    page = CappedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    if bulk_form is None:
        bulk_form = BulkDecisionForm(proposals=selectors.proposals(process))
    selected = {str(v) for v in (bulk_form["ideas"].value() or [])}
    return render(
        request,
        "processes/decisions/decisions.html",
        {
            "process": process,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "counts": selectors.counts(process),
            "bulk_form": bulk_form,
            "selected": selected,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD"])
def decisions(request, slug):
    process = _process(request, slug)
    require(request.user, "processes.decide", process)
    return _decisions_page(request, process)


@require_POST
def decisions_bulk(request, slug):
    process = _process(request, slug)
    require(request.user, "processes.decide", process)
    form = BulkDecisionForm(request.POST, proposals=selectors.proposals(process))
    if save_with(
        form,
        lambda d: services.decisions_bulk(
            process=process,
            ideas=d["ideas"],
            actor=request.user,
            outcome=d["outcome"],
            reason=d["reason"],
            changes=d["changes"],
            authority=d["authority"],
            decided_on=d["decided_on"],
        ),
    ):
        n = len(form.result)
        messages.success(
            request,
            _("Decision recorded for %(n)s proposals.") % {"n": n},
        )
        return redirect("processes:decisions", slug=process.slug)
    return _decisions_page(request, process, bulk_form=form, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
def decide(request, slug, idea_id):
    process = _process(request, slug)
    require(request.user, "processes.decide", process)
    idea = (
        selectors.proposals(process)
        .select_related("process_decision", "event_output__event")
        .filter(pk=idea_id)
        .first()
    )
    if idea is None:
        raise Http404
    current = getattr(idea, "process_decision", None)
    initial = {}
    if current is not None:
        initial = {
            k: getattr(current, k)
            for k in ("outcome", "reason", "changes", "authority", "decided_on")
        }
    form = DecisionForm(bound_data(request), initial=initial)
    if request.method == "POST" and save_with(
        form,
        lambda d: services.decision_save(
            process=process,
            idea=idea,
            actor=request.user,
            outcome=d["outcome"],
            reason=d["reason"],
            changes=d["changes"],
            authority=d["authority"],
            decided_on=d["decided_on"],
        ),
    ):
        messages.success(request, _("Decision recorded on « %(title)s ».") % {"title": idea.title})
        return redirect("processes:decisions", slug=process.slug)
    return render(
        request,
        "processes/decisions/decide.html",
        {"process": process, "idea": idea, "decision": current, "form": form},
        status=_status(request, form),
    )


# --- synthesis ----------------------------------------------------------------------------
@require_http_methods(["GET", "HEAD", "POST"])
def synthesis(request, slug):
    process = _process(request, slug)
    synthesis = selectors.synthesis_of(process)
    published = synthesis is not None and synthesis.published_at is not None
    if not published and not process.may_manage:
        raise Http404
    form = None
    if process.may_manage:
        form = SynthesisForm(
            bound_data(request),
            initial={"introduction": synthesis.introduction if synthesis else ""},
        )
        if request.method == "POST" and save_with(
            form,
            lambda d: services.synthesis_save(
                process=process, actor=request.user, introduction=d["introduction"]
            ),
        ):
            messages.success(request, _("Introduction saved."))
            return redirect("processes:synthesis", slug=process.slug)
    elif request.method == "POST":
        raise PermissionDenied("processes.manage")
    return _synthesis_page(request, process, synthesis, form, PublishForm(), _status(request, form))


def _synthesis_page(request, process, synthesis, form, publish_form, status):
    return render(
        request,
        "processes/decisions/synthesis.html",
        {
            "process": process,
            "synthesis": synthesis,
            "form": form,
            "publish_form": publish_form,
            "counts": selectors.counts(process),
            "groups": selectors.synthesis_groups(process),
        },
        status=status,
    )


@require_POST
def synthesis_publish(request, slug):
    process = _process(request, slug)
    require(request.user, "processes.manage", process)
    publish_form = PublishForm(request.POST)
    if save_with(
        publish_form,
        lambda d: services.synthesis_publish(
            process=process, actor=request.user, notify_again=d["notify_again"]
        ),
    ):
        result = publish_form.result
        if result.notified_at == result.published_at:
            messages.success(
                request,
                _("Synthesis published; %(n)s participants told.") % {"n": result.recipients_count},
            )
        else:
            messages.success(request, _("Synthesis published again; nobody was told again."))
        return redirect("processes:synthesis", slug=process.slug)
    synthesis = selectors.synthesis_of(process)
    form = SynthesisForm(initial={"introduction": synthesis.introduction if synthesis else ""})
    return _synthesis_page(request, process, synthesis, form, publish_form, 400)


# --- action programme ---------------------------------------------------------------------
def _action_form(process, data=None, **kwargs):
    from cocon.accounts.models import User
    from cocon.territory.models import Service

    org_ids = process.organization_ids
    return ActionForm(
        data,
        proposals=selectors.retained_proposals(process),
        services=Service.objects.filter(organization_id__in=org_ids)
        .select_related("organization")
        .order_by("organization__name", "name"),
        owners=User.objects.filter(
            agent_profile__organization_id__in=org_ids, is_active=True
        ).order_by("full_name"),
        **kwargs,
    )


def _action_data(d) -> dict:
    return {k: d[k] for k in services.ACTION_FIELDS}


@require_http_methods(["GET", "HEAD", "POST"])
def actions(request, slug):
    """The programme for the team (create) and the services (their actions to update)."""
    process = _process(request, slug)
    rows = list(selectors.actions(process))
    for action in rows:
        action.process = process  # the rules read the prefetched process
        action.may_update = can(request.user, "processes.update_action", action)
    grants_service = getattr(getattr(request.user, "grants", None), "agent_service_id", None)
    involved = process.may_manage or process.may_decide or any(a.may_update for a in rows)
    if not involved and not (
        grants_service and grants_service in {s.pk for s in process.services.all()}
    ):
        raise PermissionDenied("processes.update_action")
    form = None
    if process.may_manage:
        form = _action_form(process, bound_data(request))
        if request.method == "POST" and save_with(
            form,
            lambda d: services.action_create(
                process=process, actor=request.user, ideas=d["ideas"], **_action_data(d)
            ),
        ):
            messages.success(request, _("Action added to the programme."))
            return redirect("processes:actions", slug=process.slug)
    elif request.method == "POST":
        raise PermissionDenied("processes.manage")
    return render(
        request,
        "processes/decisions/actions.html",
        {"process": process, "actions": rows, "form": form},
        status=_status(request, *([form] if form else [])),
    )


def _action(process, pk):
    action = selectors.action_of(process, pk)
    if action is None:
        raise Http404
    action.process = process  # the rules read the prefetched process
    return action


@require_http_methods(["GET", "HEAD", "POST"])
def action_edit(request, slug, pk):
    process = _process(request, slug)
    require(request.user, "processes.manage", process)
    action = _action(process, pk)
    initial = {k: getattr(action, k) for k in services.ACTION_FIELDS}
    initial["ideas"] = [i.pk for i in action.ideas.all()]
    form = _action_form(process, bound_data(request), initial=initial)
    if request.method == "POST" and save_with(
        form,
        lambda d: services.action_edit(
            action, actor=request.user, ideas=d["ideas"], **_action_data(d)
        ),
    ):
        messages.success(request, _("Action saved."))
        return redirect("processes:actions", slug=process.slug)
    return render(
        request,
        "processes/decisions/action_edit.html",
        {"process": process, "action": action, "form": form},
        status=_status(request, form),
    )


@require_http_methods(["GET", "HEAD", "POST"])
def action_update(request, slug, pk):
    """Progress, status and milestones, for the service in charge."""
    process = _process(request, slug)
    action = _action(process, pk)
    require(request.user, "processes.update_action", action)
    op = request.POST.get("op", "progress") if request.method == "POST" else ""
    form = ActionUpdateForm(
        request.POST if op == "progress" else None,
        initial={
            "status": action.status,
            "progress": action.progress,
            "abandon_reason": action.abandon_reason,
        },
    )
    milestone_form = MilestoneForm(request.POST if op == "milestone" else None)
    done = False
    if op == "progress":
        done = save_with(
            form,
            lambda d: services.action_update(
                action,
                actor=request.user,
                status=d["status"],
                progress=d["progress"] if d["progress"] is not None else -1,
                abandon_reason=d["abandon_reason"],
            ),
        )
    elif op == "milestone":
        done = save_with(
            milestone_form,
            lambda d: services.milestone_add(
                action, actor=request.user, title=d["title"], due_on=d["due_on"]
            ),
        )
    elif op == "complete":
        milestone = Milestone.objects.filter(
            action=action, pk=request.POST.get("milestone") or 0
        ).first()
        if milestone is None:
            raise Http404
        with transaction.atomic():
            services.milestone_complete(milestone, actor=request.user)
        done = True
    elif request.method == "POST":
        raise Http404
    if done:
        messages.success(request, _("Action updated."))
        return redirect("processes:action_update", slug=process.slug, pk=action.pk)
    return render(
        request,
        "processes/decisions/action_update.html",
        {
            "process": process,
            "action": action,
            "form": form,
            "milestone_form": milestone_form,
        },
        status=_status(request, form, milestone_form),
    )


@require_http_methods(["GET", "HEAD"])
def action_programme(request, slug):
    process = _process(request, slug)
    rows = list(selectors.actions(process))
    return render(
        request,
        "processes/decisions/programme.html",
        {"process": process, "actions": rows, "staff": process.may_manage or process.may_decide},
    )


urlpatterns = [
    path("<slug:slug>/decisions/", decisions, name="decisions"),
    path("<slug:slug>/decisions/groupe/", decisions_bulk, name="decisions_bulk"),
    path("<slug:slug>/decisions/<int:idea_id>/", decide, name="decide"),
    path("<slug:slug>/synthese/", synthesis, name="synthesis"),
    path("<slug:slug>/synthese/publier/", synthesis_publish, name="synthesis_publish"),
    path("<slug:slug>/actions/", actions, name="actions"),
    path("<slug:slug>/actions/<int:pk>/", action_edit, name="action_edit"),
    path("<slug:slug>/actions/<int:pk>/suivi/", action_update, name="action_update"),
    path("<slug:slug>/programme/", action_programme, name="action_programme"),
]
