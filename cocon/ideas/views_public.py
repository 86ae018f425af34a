"""Public and author pages of Idées: calls for ideas, lists with filters and search, the
submission form (with similar ideas while typing), the idea page (opinions of the
démineurs, decision, history, supports, follows, threaded comments, reports), edits and
versions, "my ideas".

Thin views: permissions through `core.permissions`, reads through `ideas.selectors`,
writes through `ideas.services`. An idea or a call the person may not see answers 404.
The POST endpoints answer an htmx request with the updated fragment, any other with a
redirect and a message: every form works without JavaScript.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cocon.core import moderation, ratelimit
from cocon.core.attachments import attachments_of
from cocon.core.forms import add_service_errors, bound_data, bound_files
from cocon.core.models import StatusEvent
from cocon.core.notifications import mark_read_for
from cocon.core.paging import CappedPaginator
from cocon.core.permissions import can
from cocon.ideas import selectors, services
from cocon.ideas.forms_public import CommentForm, FilterForm, IdeaEditForm, IdeaSubmitForm
from cocon.ideas.forms_public import FlagForm as FlagFormClass
from cocon.ideas.models import (
    LEVEL_HELP,
    Campaign,
    Comment,
    DecisionLevel,
    Follow,
    Idea,
    IdeaVersion,
    State,
)
from cocon.territory.models import Service
from cocon.voices.models import Theme

PER_PAGE = 20
MIN_CELL = 5  # smallest group of ideas listed when filtering by author category
IDEAS_PER_HOUR = 10  # per account (an agent typing users' ideas at a counter included)
COMMENTS_PER_HOUR = 30  # per account
FLAGS_PER_HOUR = 20  # per account
SIMILAR_PER_MINUTE = 120  # per address
TITLE_LIMIT = 300


def _htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _campaign_or_404(request, pk) -> Campaign:
    campaign = (
        Campaign.objects.select_related("organization")
        .prefetch_related("organizations", "themes", "services__organization")
        .filter(pk=pk)
        .first()
    )
    if campaign is None or not can(request.user, "ideas.campaign_view", campaign):
        raise Http404("call for ideas not found")
    return campaign


def _idea_or_404(request, pk) -> Idea:
    try:
        idea = selectors.idea_for_page(pk)
    except Idea.DoesNotExist:
        raise Http404("idea not found") from None
    if not can(request.user, "ideas.view", idea):
        raise Http404("idea not found")
    return idea


def _author_label(idea: Idea) -> str:
    """How the author is presented: never a name, only "Agent, <organization>" or "User"."""
    if idea.author_category == "usager":
        return _("User (usager)")
    return _("Agent, %(org)s") % {"org": idea.organization.display_name}


# --- lists ---------------------------------------------------------------------------------
def _filter_choices(campaign: Campaign | None, territory_ids):
    if campaign is not None:
        themes = list(campaign.themes.all()) or list(
            Theme.objects.filter(territory_id=campaign.territory_id).order_by("name")
        )
        services_list = list(campaign.services.all()) or list(
            Service.objects.filter(organization_id=campaign.organization_id).order_by("name")
        )
        return themes, services_list
    themes = list(Theme.objects.filter(territory_id__in=territory_ids).order_by("name"))
    services_list = list(
        Service.objects.filter(
            organization__territory_id__in=territory_ids, is_public=True
        ).order_by("name")
    )
    return themes, services_list


def _list_context(request, *, campaign=None, campaigns=None) -> dict:
    """Filters, search, sort and one page of ideas (fixed number of queries)."""
    if campaign is not None:
        themes, services_list = _filter_choices(campaign, [campaign.territory_id])
    else:
        themes, services_list = _filter_choices(None, {c.territory_id for c in campaigns})
    form = FilterForm(
        request.GET or None, campaigns=campaigns, themes=themes, services=services_list
    )
    chosen = campaign
    if campaigns is not None and form.value("campaign"):
        chosen = next((c for c in campaigns if c.pk == form.value("campaign")), None)
    filters = selectors.IdeaFilters(
        campaign=chosen,
        theme_id=form.value("theme"),
        service_id=form.value("service"),
        state=form.value("state", ""),
        author_category=form.value("author_category", ""),
        q=form.value("q", ""),
        sort=form.value("sort", "supports"),
    )
    page = CappedPaginator(selectors.idea_list(request.user, filters), PER_PAGE).get_page(
        request.GET.get("page")
    )
    # the author category is shown only in aggregate: a filter on it that leaves fewer
    # than MIN_CELL ideas would point at their authors, so such a list is not shown
    suppressed = bool(filters.author_category) and 0 < page.paginator.count < MIN_CELL
    if suppressed:
        page = Paginator([], PER_PAGE).get_page(1)
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "filter_form": form,
        "page": page,
        "category_suppressed": suppressed,
        "min_cell": MIN_CELL,
        "query": query.urlencode(),
        "filtered": any(
            (
                filters.theme_id,
                filters.service_id,
                filters.state,
                filters.author_category,
                filters.q,
            )
        ),
    }


@require_GET
def home(request):
    """Open calls, the permanent box(es), closed calls with their decision calendar, and
    the most supported ideas."""
    campaigns = list(selectors.campaign_list(request.user))
    permanent = [c for c in campaigns if c.is_permanent]
    open_calls = [c for c in campaigns if not c.is_permanent and c.is_open()]
    upcoming = [c for c in campaigns if not c.is_permanent and not c.has_started()]
    closed = [c for c in campaigns if not c.is_permanent and c.has_started() and not c.is_open()]
    top = list(
        selectors.idea_list(request.user, selectors.IdeaFilters(sort="supports")).exclude(
            state=State.MERGED
        )[:6]
    )
    return render(
        request,
        "ideas/public/home.html",
        {
            "permanent": permanent,
            "open_calls": open_calls,
            "upcoming": upcoming,
            "closed": closed,
            "top": top,
        },
    )


@require_GET
def campaign_page(request, pk):
    campaign = _campaign_or_404(request, pk)
    context = _list_context(request, campaign=campaign)
    context.update(
        campaign=campaign,
        may_submit=can(request.user, "ideas.submit", campaign),
        may_submit_on_behalf=can(request.user, "ideas.submit_on_behalf", campaign),
        list_url=reverse("ideas:campaign", args=[campaign.pk]),
    )
    return render(request, "ideas/public/campaign.html", context)


@require_GET
def idea_list_page(request):
    campaigns = list(selectors.campaign_list(request.user))
    context = _list_context(request, campaigns=campaigns)
    context["list_url"] = reverse("ideas:list")
    return render(request, "ideas/public/list.html", context)


@login_required
@require_GET
def mine(request):
    """My ideas (author, co-author, typed on behalf of someone) with their last event, and
    the ideas I follow."""
    user = request.user
    ideas = list(selectors.idea_list(user, selectors.IdeaFilters(mine=True, sort="recent"))[:200])
    last: dict[int, StatusEvent] = {}
    if ideas:
        from django.contrib.contenttypes.models import ContentType

        for event in StatusEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(Idea),
            object_id__in=[i.pk for i in ideas],
        ).order_by("created_at", "id"):
            last[event.object_id] = event
    mine_ids = {i.pk for i in ideas}
    followed = [
        i
        for i in selectors.visible_ideas(user)
        .filter(follows__user=user)
        .select_related("campaign")
        .order_by("-updated_at", "-id")[:200]
        if i.pk not in mine_ids
    ]
    return render(
        request,
        "ideas/public/mine.html",
        {"rows": [(i, last.get(i.pk)) for i in ideas], "followed": followed},
    )


# --- submit and edit -----------------------------------------------------------------------
def _choices_for(campaign: Campaign):
    services_qs = Service.objects.select_related("organization").order_by("name")
    allowed = [s.pk for s in campaign.services.all()]
    if allowed:
        services_qs = services_qs.filter(pk__in=allowed)
    else:
        services_qs = services_qs.filter(organization__territory_id=campaign.territory_id)
    themes = [t.pk for t in campaign.themes.all()]
    themes_qs = Theme.objects.order_by("name")
    themes_qs = (
        themes_qs.filter(pk__in=themes)
        if themes
        else themes_qs.filter(territory_id=campaign.territory_id)
    )
    return services_qs, themes_qs


def _similar(request, campaign: Campaign, title: str, exclude=None):
    return selectors.similar_ideas(
        request.user, campaign.territory_id, title or "", exclude=exclude
    )


@login_required
@require_http_methods(["GET", "POST"])
def submit(request, pk):
    campaign = _campaign_or_404(request, pk)
    may_submit = can(request.user, "ideas.submit", campaign)
    may_on_behalf = can(request.user, "ideas.submit_on_behalf", campaign)
    if not campaign.is_open():
        return render(
            request, "ideas/public/submit.html", {"campaign": campaign, "closed": True}, status=403
        )
    if not (may_submit or may_on_behalf):
        raise PermissionDenied("ideas.submit")
    services_qs, themes_qs = _choices_for(campaign)
    form = IdeaSubmitForm(
        bound_data(request),
        bound_files(request),
        services_qs=services_qs,
        themes_qs=themes_qs,
        agent=request.user.grants.is_agent,
        on_behalf=may_on_behalf,
        initial={"on_behalf": request.GET.get("pour-un-usager") == "1" and may_on_behalf},
    )
    # similar ideas while typing the title (htmx); without JavaScript they are shown
    # after a first submission
    form.fields["title"].widget.attrs.update(
        {
            "hx-get": reverse("ideas:similar", args=[campaign.pk]),
            "hx-trigger": "keyup changed delay:300ms",
            "hx-target": "#similar-ideas",
            "hx-swap": "innerHTML",
            "hx-sync": "this:replace",
            "aria-controls": "similar-ideas",
        }
    )
    limited = request.method == "POST" and not ratelimit.allow(
        request,
        "ideas-submit",
        limit=IDEAS_PER_HOUR,
        window=3600,
        ident=f"user:{request.user.pk}",
    )
    if limited:
        form.is_valid()  # keep what was typed, with the other errors
        form.add_error(
            None,
            _("You have proposed many ideas in the last hour: please try again later."),
        )
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        on_behalf = bool(data.get("on_behalf"))
        if not on_behalf and not may_submit:
            form.add_error(
                "on_behalf",
                _("You may only submit on behalf of a user in this call for ideas."),
            )
        else:
            try:
                idea = services.idea_submit(
                    author=request.user,
                    campaign=campaign,
                    title=data["title"],
                    problem=data["problem"],
                    proposal=data["proposal"],
                    benefit=data["benefit"],
                    decision_level=data["decision_level"],
                    services=list(data.get("services") or []),
                    theme=data.get("theme"),
                    public=bool(data.get("public")) if "public" in form.fields else None,
                    on_behalf=on_behalf,
                    photos=data.get("photos") or [],
                    documents=data.get("documents") or [],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if idea.awaiting_moderation:
                    messages.success(
                        request,
                        _("Thank you: your idea is recorded. A moderator will publish it soon."),
                    )
                else:
                    messages.success(
                        request, _("Thank you: your idea is published. Follow its progress here.")
                    )
                return redirect(idea.get_absolute_url())
    similar = _similar(request, campaign, form.data.get("title", "")) if form.is_bound else []
    return render(
        request,
        "ideas/public/submit.html",
        {"campaign": campaign, "form": form, "similar": similar, "asked": form.is_bound},
        status=429 if limited else 400 if request.method == "POST" else 200,
    )


@require_GET
def similar(request, pk):
    """Fragment: up to 5 ideas like the title being typed (htmx, or plain GET)."""
    campaign = _campaign_or_404(request, pk)
    if not ratelimit.allow(request, "ideas-similar", limit=SIMILAR_PER_MINUTE, window=60):
        return render(request, "ideas/_pub_similar.html", {"limited": True}, status=429)
    title = request.GET.get("title", "")[:TITLE_LIMIT]
    exclude = request.GET.get("exclude")
    found = _similar(
        request, campaign, title, exclude=int(exclude) if exclude and exclude.isdigit() else None
    )
    template = "ideas/_pub_similar.html" if _htmx(request) else "ideas/public/similar.html"
    return render(
        request,
        template,
        {"similar": found, "asked": len(title.strip()) >= 4, "campaign": campaign},
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    idea = _idea_or_404(request, pk)
    if not can(request.user, "ideas.edit", idea):
        raise PermissionDenied("ideas.edit")
    versioned = not (idea.state == State.SUBMITTED and idea.review_started_at is None)
    services_qs, themes_qs = _choices_for(idea.campaign)
    form = IdeaEditForm(
        bound_data(request),
        services_qs=services_qs,
        themes_qs=themes_qs,
        versioned=versioned,
        initial={
            "title": idea.title,
            "problem": idea.problem,
            "proposal": idea.proposal,
            "benefit": idea.benefit,
            "decision_level": idea.decision_level,
            "services": [s.pk for s in idea.services.all()],
            "theme": idea.theme_id,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        version = idea.version
        try:
            services.idea_edit(
                idea,
                actor=request.user,
                title=data["title"],
                problem=data["problem"],
                proposal=data["proposal"],
                benefit=data["benefit"],
                decision_level=data["decision_level"],
                services=list(data.get("services") or []),
                theme=data.get("theme"),
                note=data.get("note") or "",
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if idea.version > version:
                messages.success(
                    request,
                    _("Your changes are saved as version %(n)s.") % {"n": idea.version},
                )
            else:
                messages.success(request, _("Your changes are saved."))
            return redirect(idea.get_absolute_url())
    return render(
        request,
        "ideas/public/edit.html",
        {"idea": idea, "form": form, "versioned": versioned},
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def versions(request, pk):
    idea = _idea_or_404(request, pk)
    rows = list(IdeaVersion.objects.filter(idea=idea).order_by("number"))
    by_number = {v.number: v for v in rows}

    def number(name, default):
        value = request.GET.get(name, "")
        return int(value) if value.isdigit() and int(value) in by_number else default

    diff, old, new = [], None, None
    if len(rows) > 1:
        new = by_number[number("to", rows[-1].number)]
        before = [v.number for v in rows if v.number < new.number]
        old = by_number[number("from", before[-1] if before else rows[0].number)]
        diff = selectors.version_diff(old, new)
    labels = {
        "title": _("Title"),
        "problem": _("The problem observed"),
        "proposal": _("The proposal"),
        "benefit": _("The expected benefit for users"),
    }
    for block in diff:
        block["label"] = labels[block["field"]]
    return render(
        request,
        "ideas/public/versions.html",
        {"idea": idea, "versions": rows, "diff": diff, "old": old, "new": new},
    )


# --- the idea page -------------------------------------------------------------------------
def _history(events) -> list[dict]:
    """The public history: what happened, when, signed by function (never an agent's
    name), with the public text."""
    labels = {
        "submitted": _("Idea submitted"),
        "review_assigned": _("Démineurs named"),
        "review_given": _("A démineur gave their opinion"),
        "review_published": _("An opinion of a démineur was published"),
        "to_decision": _("Sent to the decision"),
        "new_version": _("New version of the text"),
        "made_public": _("Opened to the public"),
        "approved": _("Published by the moderators"),
        "merged_in": _("Another idea was merged into this one"),
    }
    rows = []
    for event in events:
        if event.action in ("decided", "progress") and event.to_status in State.values:
            label = State(event.to_status).label
        else:
            label = labels.get(event.action)
        if label is None:
            continue
        signed = (
            event.actor_label if event.action in ("decided", "progress", "review_given") else ""
        )
        if event.action == "new_version" and event.data.get("version"):
            label = _("New version of the text (version %(n)s)") % {"n": event.data["version"]}
        rows.append(
            {"at": event.created_at, "label": label, "signed": signed, "text": event.public_text}
        )
    return rows


def _int_param(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and len(value) < 12 else None


def _detail_context(request, idea: Idea, *, focus: int | None = None, **extra) -> dict:
    user = request.user
    reply_to = _int_param(request, "repondre")
    data = selectors.idea_page(
        idea,
        user,
        comment_page=_int_param(request, "commentaires") or 1,
        focus=focus or _int_param(request, "commentaire") or reply_to,
    )
    replying = next((c for c in data["comments"] if c.pk == reply_to and not c.hidden_at), None)
    viewer_id = user.pk if user.is_authenticated else None
    flags = {
        "can_animate": can(user, "ideas.animate", idea),
        "can_decide": can(user, "ideas.decide", idea),
        "can_follow_up": can(user, "ideas.follow_up", idea),
        "can_moderate": data["moderator"],
    }
    context = {
        "idea": idea,
        **data,
        **flags,
        "staff_actions": any(flags.values()),
        "author_label": _author_label(idea),
        "level_help": LEVEL_HELP.get(idea.decision_level, ""),
        "level_label": DecisionLevel(idea.decision_level).label,
        "viewer_id": viewer_id,
        "may_participate": can(user, "ideas.participate", idea),
        "may_follow": can(user, "ideas.follow", idea),
        "may_edit": can(user, "ideas.edit", idea),
        "may_make_public": data["is_author"] and idea.visibility == "organization",
        "comment_form": CommentForm(
            prefix="comment", initial={"parent": replying.pk} if replying else None
        ),
        "replying": replying,
        "history": _history(data["events"]),
    }
    context.update(extra)
    return context


@require_GET
def detail(request, pk):
    idea = _idea_or_404(request, pk)
    if request.user.is_authenticated:
        mark_read_for(request.user, idea)
    return render(request, "ideas/public/detail.html", _detail_context(request, idea))


@require_GET
def photo(request, pk, attachment_pk):
    idea = _idea_or_404(request, pk)
    attachment = get_object_or_404(attachments_of(idea), pk=attachment_pk)
    document = attachment.mime_type == "application/pdf"
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.mime_type,
        # a PDF is downloaded, never displayed in our origin (it may carry scripts)
        as_attachment=document,
        filename=(attachment.alt or "document.pdf") if document else "",
    )
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _participation(request, idea: Idea, *, error: str = "", status_text: str = ""):
    """The support / follow block (htmx answer)."""
    user = request.user
    context = {
        "idea": idea,
        "supported": idea.supports.filter(user=user).exists(),
        "following": Follow.objects.filter(idea=idea, user=user).exists(),
        "may_participate": can(user, "ideas.participate", idea),
        "may_follow": can(user, "ideas.follow", idea),
        "participation_error": error,
        "participation_status": status_text,
    }
    return render(request, "ideas/_pub_participation.html", context, status=400 if error else 200)


def _after_action(request, idea, *, ok: str = "", error: str = ""):
    if _htmx(request):
        idea.refresh_from_db(fields=["support_count", "follower_count", "comment_count"])
        return _participation(request, idea, error=error, status_text=ok)
    if error:
        messages.error(request, error)
    elif ok:
        messages.success(request, ok)
    return redirect(idea.get_absolute_url() + "#participer")


@login_required
@require_POST
def support(request, pk):
    idea = _idea_or_404(request, pk)
    try:
        if request.POST.get("action") == "remove":
            services.idea_unsupport(idea, user=request.user)
            ok = _("Your support is withdrawn.")
        else:
            services.idea_support(idea, user=request.user)
            ok = _("Thank you for your support.")
    except ValidationError as exc:
        return _after_action(request, idea, error=" ".join(exc.messages))
    except PermissionDenied:
        return _after_action(request, idea, error=_("You cannot support this idea."))
    return _after_action(request, idea, ok=ok)


@login_required
@require_POST
def follow(request, pk):
    idea = _idea_or_404(request, pk)
    try:
        if request.POST.get("action") == "remove":
            services.idea_unfollow(idea, user=request.user)
            ok = _("You no longer follow this idea.")
        else:
            services.idea_follow(idea, user=request.user)
            ok = _("You follow this idea: you will be told of each step.")
    except PermissionDenied:
        return _after_action(request, idea, error=_("You cannot follow this idea."))
    return _after_action(request, idea, ok=ok)


@login_required
@require_POST
def comment(request, pk):
    idea = _idea_or_404(request, pk)
    form = CommentForm(request.POST, prefix="comment")
    limited = not ratelimit.allow(
        request,
        "ideas-comment",
        limit=COMMENTS_PER_HOUR,
        window=3600,
        ident=f"user:{request.user.pk}",
    )
    parent = None
    if limited:
        form.is_valid()
        form.add_error(
            None, _("You have written many comments in the last hour: please try again later.")
        )
    elif form.is_valid():
        parent_id = form.cleaned_data.get("parent")
        if parent_id:
            parent = Comment.objects.filter(pk=parent_id, idea=idea).first()
            if parent is None:
                form.add_error(None, _("You cannot answer this comment."))
        if not form.errors:
            try:
                created = services.comment_add(
                    idea, author=request.user, text=form.cleaned_data["text"], parent=parent
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied:
                form.add_error(None, _("You cannot comment on this idea."))
            else:
                if _htmx(request):
                    idea = _idea_or_404(request, pk)
                    return render(
                        request,
                        "ideas/_pub_comments.html",
                        _detail_context(
                            request,
                            idea,
                            focus=created.pk,
                            comment_status=_("Your comment is published."),
                        ),
                    )
                messages.success(request, _("Your comment is published."))
                return redirect(created.moderation_url())
    idea = _idea_or_404(request, pk)
    context = _detail_context(
        request, idea, focus=parent.pk if parent else None, comment_form=form, replying=parent
    )
    template = "ideas/_pub_comments.html" if _htmx(request) else "ideas/public/detail.html"
    return render(request, template, context, status=429 if limited else 400)


def _flag(request, idea: Idea, target, *, action_url: str, what: str):
    form = FlagFormClass(bound_data(request))
    status = 200
    if request.method == "POST":
        status = 400
        if not ratelimit.allow(
            request,
            "ideas-flag",
            limit=FLAGS_PER_HOUR,
            window=3600,
            ident=f"user:{request.user.pk}",
        ):
            form.is_valid()
            form.add_error(
                None, _("You have sent many reports in the last hour: please try later.")
            )
            status = 429
        elif form.is_valid():
            try:
                moderation.flag(
                    target,
                    reporter=request.user,
                    reason=form.cleaned_data["reason"],
                    text=form.cleaned_data.get("text") or "",
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Thank you: the moderators will look at your report."))
                anchor = f"#commentaire-{target.pk}" if isinstance(target, Comment) else ""
                return redirect(idea.get_absolute_url() + anchor)
    return render(
        request,
        "ideas/public/flag.html",
        {"idea": idea, "form": form, "action_url": action_url, "what": what, "target": target},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def flag(request, pk):
    idea = _idea_or_404(request, pk)
    return _flag(
        request,
        idea,
        idea,
        action_url=reverse("ideas:flag", args=[idea.pk]),
        what=_("this idea"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def comment_flag(request, pk):
    row = get_object_or_404(Comment.objects.only("pk", "idea_id", "hidden_at", "text"), pk=pk)
    idea = _idea_or_404(request, row.idea_id)
    if row.hidden_at:
        raise Http404("comment hidden")
    row.idea = idea
    return _flag(
        request,
        idea,
        row,
        action_url=reverse("ideas:comment_flag", args=[row.pk]),
        what=_("this comment"),
    )


@login_required
@require_POST
def make_public(request, pk):
    idea = _idea_or_404(request, pk)
    try:
        services.idea_make_public(idea, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your idea is now public."))
    return redirect(idea.get_absolute_url())


urlpatterns = [
    path("idees/", home, name="home"),
    path("idees/toutes/", idea_list_page, name="list"),
    path("idees/mes-idees/", mine, name="mine"),
    path("idees/appels/<int:pk>/", campaign_page, name="campaign"),
    path("idees/appels/<int:pk>/proposer/", submit, name="submit"),
    path("idees/appels/<int:pk>/similaires/", similar, name="similar"),
    path("idees/<int:pk>/", detail, name="detail"),
    path("idees/<int:pk>/modifier/", edit, name="edit"),
    path("idees/<int:pk>/versions/", versions, name="versions"),
    path("idees/<int:pk>/soutenir/", support, name="support"),
    path("idees/<int:pk>/suivre/", follow, name="follow"),
    path("idees/<int:pk>/commenter/", comment, name="comment"),
    path("idees/<int:pk>/signaler/", flag, name="flag"),
    path("idees/commentaires/<int:pk>/signaler/", comment_flag, name="comment_flag"),
    path("idees/<int:pk>/rendre-publique/", make_public, name="make_public"),
    path("idees/<int:pk>/photos/<int:attachment_pk>/", photo, name="photo"),
]
