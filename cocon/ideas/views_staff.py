"""Staff pages of Idées: the animateurs' space (calls for ideas, ideas waiting for
démineurs, opinions to publish), the démineurs' queue and opinion form, decisions (one
idea, or several with one shared answer), follow-up, moderation and campaign dashboards.

Thin, as elsewhere: permissions through `cocon.core.permissions` with the rules of
`cocon.ideas.rules`, reads through `selectors`, writes through `services` (whose French
messages are put back next to the fields). An idea or a campaign the person may not see
is a 404; one they see but may not act on answers 403.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cocon.accounts.models import Role, RoleKind, User
from cocon.core import moderation as core_moderation
from cocon.core.forms import add_service_errors, bound_data
from cocon.core.permissions import can, grants_of, require
from cocon.ideas import rules, selectors, services
from cocon.ideas.forms_staff import (
    AdvanceForm,
    AssignForm,
    BulkDecisionForm,
    CampaignForm,
    DecideForm,
    ReviewForm,
)
from cocon.ideas.models import (
    FOLLOW_UP,
    Campaign,
    Comment,
    Idea,
    Review,
    State,
)
from cocon.territory.models import Organization, Service
from cocon.voices.models import Theme

DECIDER_ROLES = ("manager", "direction", "elu")
LOG_PAGE_SIZE = 30


# --- helpers -------------------------------------------------------------------------------
def _moderated_org_ids(user) -> set[int]:
    """Organizations whose calls for ideas this person runs (animateur, admin); every
    organization for the platform administrator."""
    scope = rules.scope_of(grants_of(user))
    if scope.everything:
        return set(Organization.objects.values_list("pk", flat=True))
    return set(scope.moderates)


def _require_moderator(user) -> set[int]:
    org_ids = _moderated_org_ids(user)
    if not org_ids:
        raise PermissionDenied("ideas.campaign_manage")
    return org_ids


def _idea_or_404(user, pk: int) -> Idea:
    try:
        idea = selectors.idea_for_page(pk)
    except Idea.DoesNotExist:
        raise Http404("idea not found") from None
    if not can(user, "ideas.view", idea):
        raise Http404("idea not found")
    return idea


def _next_or(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _service_messages(exc: ValidationError) -> list[str]:
    return list(exc.messages)


def _error_messages(request, exc: ValidationError) -> None:
    for message in _service_messages(exc):
        messages.error(request, message)


# --- the animateurs' space ----------------------------------------------------------------
@login_required
@require_GET
def manage(request):
    org_ids = _require_moderator(request.user)
    campaigns = list(
        Campaign.objects.filter(organization_id__in=list(org_ids))
        .select_related("organization")
        .order_by("-is_permanent", "-opens_on", "-id")
    )
    counts: dict[int, dict[str, int]] = {}
    for campaign_id, state, n in (
        Idea.objects.filter(campaign__in=[c.pk for c in campaigns])
        .order_by()
        .values_list("campaign_id", "state")
        .annotate(n=Count("pk"))
    ):
        counts.setdefault(campaign_id, {})[state] = n
    labels = dict(State.choices)
    for campaign in campaigns:
        mine = counts.get(campaign.pk, {})
        campaign.total = sum(mine.values())
        campaign.by_state = [(s, labels[s], mine[s]) for s in State.values if mine.get(s)]
    awaiting = selectors.awaiting_review(org_ids)
    given = dict(
        Review.objects.filter(idea__in=[i.pk for i in awaiting], submitted_at__isnull=False)
        .order_by()
        .values_list("idea_id")
        .annotate(n=Count("pk"))
        .values_list("idea_id", "n")
    )
    for idea in awaiting:
        idea.n_given = given.get(idea.pk, 0)
    ready = [
        i
        for i in awaiting
        if i.state == State.UNDER_REVIEW and i.n_reviews and i.n_given >= i.n_reviews
    ]
    to_publish = list(
        Review.objects.filter(
            idea__campaign__organization_id__in=list(org_ids),
            submitted_at__isnull=False,
            published_at__isnull=True,
        )
        .select_related("idea", "expert")
        .order_by("submitted_at", "id")[:200]
    )
    return render(
        request,
        "ideas/staff/manage.html",
        {
            "campaigns": campaigns,
            "awaiting": awaiting,
            "ready": ready,
            "to_publish": to_publish,
            "may_create": True,
        },
    )


# --- calls for ideas -------------------------------------------------------------------------
def _campaign_form(request, *, organizations, territory, campaign=None):
    territory_orgs = list(Organization.objects.filter(territory=territory).order_by("name"))
    themes = list(Theme.objects.filter(territory=territory).order_by("name"))
    service_list = list(
        Service.objects.filter(organization__territory=territory)
        .select_related("organization")
        .order_by("organization__name", "name")
    )
    initial = None
    if campaign is not None:
        initial = {
            "organization": campaign.organization_id,
            **{name: getattr(campaign, name) for name in services.CAMPAIGN_FIELDS},
            "organizations": [o.pk for o in campaign.organizations.all()],
            "themes": [t.pk for t in campaign.themes.all()],
            "services": [s.pk for s in campaign.services.all()],
        }
    form = CampaignForm(
        bound_data(request),
        initial=initial,
        organizations=organizations,
        territory_orgs=territory_orgs,
        themes=themes,
        services=service_list,
    )
    return form, {
        "orgs": {o.pk: o for o in territory_orgs},
        "themes": {t.pk: t for t in themes},
        "services": {s.pk: s for s in service_list},
    }


def _campaign_save(request, form, lookups, organization, campaign=None):
    data = form.cleaned_data
    try:
        return services.campaign_save(
            actor=request.user,
            organization=organization,
            campaign=campaign,
            title=data["title"],
            question=data["question"],
            description=data["description"],
            scope=data["scope"],
            is_permanent=data["is_permanent"],
            opens_on=data["opens_on"],
            closes_on=data["closes_on"],
            decision_calendar=data["decision_calendar"],
            decisions_by=data["decisions_by"],
            moderation=data["moderation"],
            moderation_rules=data["moderation_rules"],
            organizations=[lookups["orgs"][pk] for pk in data["organizations"]],
            themes=[lookups["themes"][pk] for pk in data["themes"]],
            services=[lookups["services"][pk] for pk in data["services"]],
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def campaign_new(request):
    org_ids = _require_moderator(request.user)
    organizations = list(
        Organization.objects.filter(pk__in=list(org_ids)).select_related("territory")
    )
    organizations.sort(key=lambda o: o.display_name)
    territory = organizations[0].territory
    form, lookups = _campaign_form(request, organizations=organizations, territory=territory)
    if request.method == "POST" and form.is_valid():
        organization = next(o for o in organizations if o.pk == form.cleaned_data["organization"])
        require(request.user, "ideas.campaign_manage", organization)
        campaign = _campaign_save(request, form, lookups, organization)
        if campaign is not None:
            messages.success(request, _("The call for ideas is saved."))
            return redirect("ideas:manage")
    return render(
        request,
        "ideas/staff/campaign_form.html",
        {"form": form, "campaign": None},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request, pk):
    campaign = get_object_or_404(
        Campaign.objects.select_related("organization__territory").prefetch_related(
            "organizations", "themes", "services"
        ),
        pk=pk,
    )
    if not can(request.user, "ideas.campaign_view", campaign):
        raise Http404("campaign not found")
    require(request.user, "ideas.campaign_manage", campaign.organization)
    organization = campaign.organization
    form, lookups = _campaign_form(
        request,
        organizations=[organization],
        territory=organization.territory,
        campaign=campaign,
    )
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["organization"] != organization.pk:
            raise PermissionDenied("ideas.campaign_manage")
        if _campaign_save(request, form, lookups, organization, campaign) is not None:
            messages.success(request, _("The call for ideas is saved."))
            return redirect("ideas:manage")
    return render(
        request,
        "ideas/staff/campaign_form.html",
        {"form": form, "campaign": campaign},
        status=400 if request.method == "POST" else 200,
    )


# --- déminage --------------------------------------------------------------------------------
def _expert_choices(territory_id: int) -> tuple[list, dict[int, User]]:
    """People holding an "expert" role in any organization of the territory, with their
    topics and organizations (one query)."""
    roles = (
        Role.objects.filter(kind=RoleKind.EXPERT, organization__territory_id=territory_id)
        .select_related("user", "organization")
        .order_by("user__full_name", "user_id", "id")
    )
    people: dict[int, User] = {}
    described: dict[int, list[str]] = {}
    for role in roles:
        if not role.user.is_active:
            continue
        people[role.user_id] = role.user
        part = role.organization.display_name
        if role.topics:
            part = f"{part} : {role.topics}"
        described.setdefault(role.user_id, []).append(part)
    choices = [(pk, f"{people[pk].full_name} ({' ; '.join(described[pk])})") for pk in people]
    return choices, people


@login_required
@require_http_methods(["GET", "POST"])
def assign(request, pk):
    idea = _idea_or_404(request.user, pk)
    require(request.user, "ideas.animate", idea)
    choices, people = _expert_choices(idea.campaign.territory_id)
    assigned = {r.expert_id for r in idea.reviews.all()}
    choices = [(k, v) for k, v in choices if k not in assigned]
    form = AssignForm(
        bound_data(request),
        experts=choices,
        initial={"due_on": timezone.localdate() + dt.timedelta(days=14)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.reviews_assign(
                idea,
                actor=request.user,
                experts=[people[k] for k in form.cleaned_data["experts"]],
                due_on=form.cleaned_data["due_on"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The démineurs are named and notified."))
            return redirect(_next_or(request, idea.get_absolute_url()))
    return render(
        request,
        "ideas/staff/assign.html",
        {"idea": idea, "form": form, "reviews": list(idea.reviews.all())},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def expert_queue(request):
    to_give, given = selectors.expert_queue_split(request.user)
    today = timezone.localdate()
    for review in to_give:
        review.days_left = (review.due_on - today).days
        review.days_late = -review.days_left if review.days_left < 0 else 0
    return render(request, "ideas/staff/expert_queue.html", {"to_give": to_give, "given": given})


def _review_or_404(request, pk) -> Review:
    review = get_object_or_404(
        Review.objects.select_related(
            "idea__campaign__organization", "idea__author_service", "expert"
        ),
        pk=pk,
    )
    if review.expert_id != request.user.pk and not can(request.user, "ideas.animate", review.idea):
        raise Http404("review not found")
    return review


@login_required
@require_http_methods(["GET", "POST"])
def review(request, pk):
    row = _review_or_404(request, pk)
    may_review = can(request.user, "ideas.review", row) and not row.published_at
    if request.method == "POST" and not may_review:
        if row.published_at and row.expert_id == request.user.pk:
            messages.error(request, _("This opinion is published and can no longer be changed."))
            return redirect("ideas:review", pk=row.pk)
        raise PermissionDenied("ideas.review")
    initial = None
    if row.is_given:
        initial = {
            name: getattr(row, name)
            for name in ("feasibility", "cost_band", "constraints", "impact", "recommendation")
        } | {"text": row.text}
    form = ReviewForm(bound_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_submit(row, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Your opinion is recorded. The animateurs will publish it.")
            )
            return redirect("ideas:expert_queue")
    return render(
        request,
        "ideas/staff/review.html",
        {"review": row, "idea": row.idea, "form": form, "may_review": may_review},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def review_publish(request, pk):
    row = get_object_or_404(Review.objects.select_related("idea__campaign"), pk=pk)
    if not can(request.user, "ideas.view", row.idea):
        raise Http404("review not found")
    require(request.user, "ideas.animate", row.idea)
    try:
        services.review_publish(row, actor=request.user)
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        messages.success(request, _("The opinion is published."))
    return redirect(_next_or(request, reverse("ideas:manage")))


# --- moving an idea along --------------------------------------------------------------------
@login_required
@require_POST
def to_decision(request, pk):
    idea = _idea_or_404(request.user, pk)
    require(request.user, "ideas.animate", idea)
    try:
        services.idea_to_decision(idea, actor=request.user, text=request.POST.get("text", ""))
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        messages.success(request, _("The idea now awaits a decision."))
    return redirect(_next_or(request, idea.get_absolute_url()))


def _may_flag_quick_win(user, idea) -> bool:
    return can(user, "ideas.animate", idea) or bool(rules.decision_rank(grants_of(user), idea))


@login_required
@require_POST
def quick_win(request, pk):
    idea = _idea_or_404(request.user, pk)
    if not _may_flag_quick_win(request.user, idea):
        raise PermissionDenied("ideas.animate")
    services.idea_set_quick_win(idea, actor=request.user, value=not idea.is_quick_win)
    messages.success(
        request,
        _("Flagged as a quick win.") if idea.is_quick_win else _("No longer a quick win."),
    )
    return redirect(_next_or(request, idea.get_absolute_url()))


@login_required
@require_POST
def approve(request, pk):
    idea = _idea_or_404(request.user, pk)
    require(request.user, "ideas.moderate", idea)
    try:
        services.idea_approve(idea, actor=request.user)
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        messages.success(request, _("The idea is published."))
    return redirect(_next_or(request, reverse("ideas:moderation")))


# --- decisions ------------------------------------------------------------------------------
def _merge_targets(idea: Idea) -> list[Idea]:
    return list(
        Idea.objects.filter(campaign__organization_id=idea.campaign.organization_id)
        .exclude(pk=idea.pk)
        .exclude(state=State.MERGED)
        .filter(hidden_at__isnull=True)
        .only("pk", "title")
        .order_by("-support_count", "-id")[:300]
    )


@login_required
@require_http_methods(["GET", "POST"])
def decide(request, pk):
    idea = _idea_or_404(request.user, pk)
    require(request.user, "ideas.decide", idea)
    targets = _merge_targets(idea)
    form = DecideForm(
        bound_data(request),
        targets=targets,
        initial={
            "signature": services.signature_of(request.user, idea),
            "quick_win": idea.is_quick_win,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        target = None
        target_pk = data.get("merge_into_number") or data.get("merge_into")
        if data["state"] == State.MERGED and target_pk:
            target = Idea.objects.select_related("campaign").filter(pk=target_pk).first()
            if target is None or not can(request.user, "ideas.view", target):
                form.add_error("merge_into_number", _("There is no idea with this number."))
        if not form.errors:
            try:
                services.idea_decide(
                    idea,
                    actor=request.user,
                    state=data["state"],
                    text=data["text"],
                    merge_into=target,
                    signature=data["signature"],
                    quick_win=data["quick_win"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("The decision is published; the author and followers are told.")
                )
                return redirect(idea.get_absolute_url())
    opinions = [r for r in idea.reviews.all() if r.is_given]
    return render(
        request,
        "ideas/staff/decide.html",
        {"idea": idea, "form": form, "opinions": opinions},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def advance(request, pk):
    idea = _idea_or_404(request.user, pk)
    require(request.user, "ideas.follow_up", idea)
    allowed = FOLLOW_UP.get(idea.state, [])
    form = AdvanceForm(bound_data(request), allowed=allowed)
    if request.method == "POST" and form.is_valid():
        try:
            services.idea_advance(
                idea,
                actor=request.user,
                state=form.cleaned_data["state"],
                text=form.cleaned_data["text"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The progress is published."))
            return redirect(idea.get_absolute_url())
    return render(
        request,
        "ideas/staff/advance.html",
        {"idea": idea, "form": form, "allowed": allowed},
        status=400 if request.method == "POST" else 200,
    )


def _is_decider(user) -> bool:
    grants = grants_of(user)
    return grants.is_platform_admin or any(r.kind in DECIDER_ROLES for r in grants.roles)


@login_required
@require_http_methods(["GET", "POST"])
def decisions(request):
    if not _is_decider(request.user):
        raise PermissionDenied("ideas.decide")
    queue = selectors.decision_queue(request.user)
    by_pk = {i.pk: i for i in queue}
    form = BulkDecisionForm(bound_data(request))
    selected: list[int] = []
    texts: dict[int, str] = {}
    problems: list[str] = []
    if request.method == "POST":
        for raw in request.POST.getlist("ideas"):
            try:
                selected.append(int(raw))
            except ValueError:
                continue
        for pk in by_pk:
            texts[pk] = request.POST.get(f"text_{pk}", "")
        refused = [pk for pk in selected if pk not in by_pk]
        if refused:
            problems.append(
                _("You may not decide these ideas: %(ids)s. Nothing was changed.")
                % {"ids": ", ".join(f"n° {pk}" for pk in refused)}
            )
        elif not selected:
            problems.append(_("Select at least one idea."))
        if form.is_valid() and not problems:
            chosen = [by_pk[pk] for pk in selected]
            try:
                services.ideas_decide_bulk(
                    chosen,
                    actor=request.user,
                    state=form.cleaned_data["state"],
                    shared_text=form.cleaned_data["shared_text"],
                    texts={pk: texts.get(pk, "") for pk in selected},
                    signature=form.cleaned_data["signature"],
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for name, errors in exc.message_dict.items():
                        if name in form.fields:
                            for message in errors:
                                form.add_error(name, message)
                        else:
                            problems.extend(errors)
                else:
                    problems.extend(exc.messages)
            else:
                messages.success(
                    request,
                    _("%(n)s ideas decided; their authors and followers are told.")
                    % {"n": len(chosen)},
                )
                return redirect("ideas:decisions")
    for idea in queue:
        idea.n_given = sum(1 for r in idea.reviews.all() if r.is_given)
        idea.own_text = texts.get(idea.pk, "")
    return render(
        request,
        "ideas/staff/decisions.html",
        {"queue": queue, "form": form, "selected": set(selected), "problems": problems},
        status=400 if request.method == "POST" else 200,
    )


# --- moderation -----------------------------------------------------------------------------
def _moderation_context(request, org_ids, *, error_key=None, error_messages=()):
    items, pending = selectors.moderation_queue(org_ids)
    paginator = Paginator(core_moderation.log_of(org_ids), LOG_PAGE_SIZE)
    log_page = paginator.get_page(request.GET.get("page"))
    for item in items:
        item["key"] = f"{item['model']}-{item['obj'].pk}"
        item["errors"] = list(error_messages) if error_key == item["key"] else []
    for idea in pending:
        idea.key = f"idea-{idea.pk}"
        idea.errors = list(error_messages) if error_key == idea.key else []
    return {
        "items": items,
        "pending": pending,
        "log_page": log_page,
        "error_key": error_key,
        "error_messages": list(error_messages),
    }


@login_required
@require_GET
def moderation_queue(request):
    org_ids = _require_moderator(request.user)
    return render(request, "ideas/staff/moderation.html", _moderation_context(request, org_ids))


MODELS = {"idea": Idea, "comment": Comment}


@login_required
@require_POST
def moderate(request, model, pk):
    klass = MODELS.get(model)
    if klass is None:
        raise Http404("unknown model")
    if klass is Idea:
        obj = get_object_or_404(Idea.objects.select_related("campaign"), pk=pk)
        idea = obj
    else:
        obj = get_object_or_404(Comment.objects.select_related("idea__campaign", "author"), pk=pk)
        idea = obj.idea
    if not can(request.user, "ideas.moderate", idea):
        if not can(request.user, "ideas.view", idea):
            raise Http404("not found")
        raise PermissionDenied("ideas.moderate")
    action = request.POST.get("action", "")
    try:
        services.moderate(
            obj, actor=request.user, action=action, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        org_ids = _moderated_org_ids(request.user)
        context = _moderation_context(
            request,
            org_ids,
            error_key=f"{model}-{obj.pk}",
            error_messages=_service_messages(exc),
        )
        return render(request, "ideas/staff/moderation.html", context, status=400)
    done = {
        "hide": _("Hidden; the author sees the reason."),
        "restore": _("Restored."),
        "dismiss": _("Reports dismissed; the content stays visible."),
    }
    messages.success(request, done[action])
    return redirect(_next_or(request, reverse("ideas:moderation")))


# --- dashboards -------------------------------------------------------------------------------
def _campaign_for_dashboard(request, pk) -> Campaign:
    campaign = get_object_or_404(Campaign.objects.select_related("organization"), pk=pk)
    if not can(request.user, "ideas.campaign_view", campaign):
        raise Http404("campaign not found")
    require(request.user, "ideas.dashboard", campaign)
    return campaign


@login_required
@require_GET
def dashboard(request, pk):
    campaign = _campaign_for_dashboard(request, pk)
    stats = selectors.campaign_stats(campaign)
    top = max([row["n"] or 0 for row in stats["by_state"]] + [1])
    for row in stats["by_state"]:
        row["percent"] = round(100 * row["n"] / top) if row["n"] else 0
    if stats["share_decided"] is not None:
        stats["share_decided_percent"] = round(100 * stats["share_decided"])
    return render(request, "ideas/staff/dashboard.html", {"campaign": campaign, "stats": stats})


def csv_response(rows, filename: str) -> HttpResponse:
    """A CSV download for spreadsheets used in France: UTF-8 with a BOM, `;` separator."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";")
    writer.writerows(rows)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def dashboard_csv(request, pk):
    campaign = _campaign_for_dashboard(request, pk)
    stats = selectors.campaign_stats(campaign)
    hidden = f"< {stats['min_cell']}"

    def cell(n):
        return hidden if n is None else n

    rows = [[_("Section"), _("Item"), _("Value")]]
    rows.append([_("Call for ideas"), campaign.title, stats["total"]])
    for row in stats["by_state"]:
        rows.append([_("Ideas by state"), str(row["label"]), row["n"]])
    for row in stats["by_category"]:
        rows.append([_("Ideas by author category"), str(row["label"]), cell(row["n"])])
    for row in stats["by_organization"]:
        rows.append([_("Agents' ideas by organization"), row["label"] or "—", cell(row["n"])])
    share = stats["share_decided"]
    median = stats["median_days_to_decision"]
    rows += [
        [_("Summary"), _("Ideas decided"), stats["decided"]],
        [
            _("Summary"),
            _("Share decided (%)"),
            "" if share is None else f"{100 * share:.1f}".replace(".", ","),
        ],
        [
            _("Summary"),
            _("Median time to decision (days)"),
            "" if median is None else f"{median:.1f}".replace(".", ","),
        ],
        [_("Summary"), _("Ideas implemented"), stats["implemented"]],
        [_("Summary"), _("Quick wins"), stats["quick_wins"]],
        [_("Summary"), _("Supports"), stats["supports"]],
        [_("Summary"), _("Comments"), stats["comments"]],
    ]
    return csv_response(rows, f"idees-appel-{campaign.pk}.csv")


urlpatterns = [
    path("espace/idees/", manage, name="manage"),
    path("espace/idees/appels/nouveau/", campaign_new, name="campaign_new"),
    path("espace/idees/appels/<int:pk>/modifier/", campaign_edit, name="campaign_edit"),
    path("espace/idees/appels/<int:pk>/tableau-de-bord/", dashboard, name="dashboard"),
    path("espace/idees/appels/<int:pk>/export.csv", dashboard_csv, name="dashboard_csv"),
    path("espace/idees/deminage/", expert_queue, name="expert_queue"),
    path("espace/idees/avis/<int:pk>/", review, name="review"),
    path("espace/idees/avis/<int:pk>/publier/", review_publish, name="review_publish"),
    path("espace/idees/decisions/", decisions, name="decisions"),
    path("espace/idees/moderation/", moderation_queue, name="moderation"),
    path("espace/idees/moderation/<str:model>/<int:pk>/", moderate, name="moderate"),
    path("idees/<int:pk>/demineurs/", assign, name="assign"),
    path("idees/<int:pk>/vers-decision/", to_decision, name="to_decision"),
    path("idees/<int:pk>/decider/", decide, name="decide"),
    path("idees/<int:pk>/avancement/", advance, name="advance"),
    path("idees/<int:pk>/gain-rapide/", quick_win, name="quick_win"),
    path("idees/<int:pk>/publier/", approve, name="approve"),
]
