"""Pages of the shared knowledge base: search (every agent of the territory), an entry
(with « Cette fiche m'a servi », which counts a use), writing an entry from an answered
question or directly, editing and archiving it, the owner's entries to review, and what
counters need (uses per topic over the last 12 months). Permissions through
`core.permissions` (`cocon/guichet/rules.py`), reads through `selectors_knowledge`,
writes through `services_knowledge`."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cocon.core import history, ratelimit
from cocon.core.forms import add_service_errors, bound_data
from cocon.core.paging import CappedPaginator
from cocon.core.permissions import can, require
from cocon.guichet import selectors_knowledge as selectors
from cocon.guichet import services_knowledge as services
from cocon.guichet.forms_knowledge import EntryForm, SearchForm
from cocon.guichet.models import Question, Topic
from cocon.territory import selectors as territory_selectors
from cocon.territory.models import Organization

PAGE_SIZE = 20
CAP = 1000


def _topics(territory) -> list[Topic]:
    return list(Topic.objects.filter(territory=territory, is_active=True).order_by("name"))


def _organizations(territory) -> list[Organization]:
    return list(
        Organization.objects.filter(territory=territory, is_active=True)
        .only("pk", "name")
        .order_by("name")
    )


def _page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page", 1)))
    except ValueError:
        return 1


@login_required
def search_page(request):
    require(request.user, "guichet.search")
    territory = territory_selectors.current_territory_or_404()
    organizations = _organizations(territory)
    form = SearchForm(
        request.GET if request.GET else None,
        topics=_topics(territory),
        organizations=organizations,
    )
    values = form.values()
    filters = selectors.SearchFilters(
        q=values.get("q", ""),
        topic_id=values.get("topic"),
        organization_id=values.get("organization"),
        include_expired=not values.get("valid_only", False),
        any_word=request.GET.get("mots") == "un",
    )
    paginator = CappedPaginator(selectors.search(territory, filters), PAGE_SIZE, cap=CAP)
    page = paginator.get_page(_page_number(request))
    words = selectors.query_words(filters.q)
    results = list(page.object_list)
    for entry in results:
        entry.excerpt = selectors.excerpt(entry.answer, words)
        entry.question_marked = selectors.excerpt(entry.question, words, length=500)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "guichet/knowledge/search.html",
        {
            "form": form,
            "page": page,
            "results": results,
            "searched": bool(filters.q.strip()),
            "any_word": filters.any_word,
            # no entry has every word: offer those with at least one of them
            "offer_any_word": not filters.any_word
            and len(words) > 1
            and not results
            and page.number == 1,
            "query": query.urlencode(),
            "may_create": _creatable(request.user, territory, organizations) != [],
        },
    )


def _creatable(user, territory, organizations=None) -> list[Organization]:
    if organizations is None:
        organizations = _organizations(territory)
    return [o for o in organizations if can(user, "guichet.create_entry", o)]


def _entry_or_404(request, pk):
    territory = territory_selectors.current_territory_or_404()
    entry = selectors.entry_for_page(pk, territory)
    if entry is None:
        raise Http404
    if entry.is_archived and not can(request.user, "guichet.edit_entry", entry):
        raise Http404
    return entry


@login_required
def entry_page(request, pk):
    require(request.user, "guichet.search")
    entry = _entry_or_404(request, pk)
    return render(
        request,
        "guichet/knowledge/entry.html",
        {
            "entry": entry,
            "expired": entry.is_expired(),
            "may_edit": can(request.user, "guichet.edit_entry", entry),
            "events": list(history.history_of(entry).order_by("-created_at")[:20]),
        },
    )


@login_required
@require_POST
def use_entry(request, pk):
    require(request.user, "guichet.search")
    entry = _entry_or_404(request, pk)
    if services.entry_use(entry=entry, user=request.user):
        messages.success(request, _("Thank you: this tells the network what counters need."))
    else:
        messages.info(request, _("Already counted today for you."))
    return redirect("guichet:knowledge_entry", pk=entry.pk)


def _default_valid_until() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=365)


@login_required
@require_http_methods(["GET", "POST"])
def create_page(request):
    territory = territory_selectors.current_territory_or_404()
    organizations = _creatable(request.user, territory)
    if not organizations:
        raise PermissionDenied("guichet.create_entry")
    form = EntryForm(
        bound_data(request),
        topics=_topics(territory),
        organizations=organizations,
        initial={"valid_until": _default_valid_until()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        by_pk = {o.pk: o for o in organizations}
        topic = Topic.objects.filter(territory=territory, pk=data["topic"]).first()
        try:
            entry = services.entry_create(
                author=request.user,
                organization=by_pk[data["organization"]],
                topic=topic,
                question=data["question"],
                answer=data["answer"],
                sources=data["sources"],
                valid_until=data["valid_until"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The entry is in the knowledge base."))
            return redirect("guichet:knowledge_entry", pk=entry.pk)
    return render(
        request,
        "guichet/knowledge/form.html",
        {"form": form, "entry": None},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def from_question_page(request, question_id):
    territory = territory_selectors.current_territory_or_404()
    question = get_object_or_404(
        Question.objects.select_related("topic", "target"), pk=question_id, territory=territory
    )
    if not can(request.user, "guichet.view_question", question):
        raise Http404
    require(request.user, "guichet.to_knowledge", question)
    existing = getattr(question, "knowledge_entry", None)
    if existing is not None:
        messages.info(request, _("This question has already become a knowledge entry."))
        return redirect("guichet:knowledge_entry", pk=existing.pk)
    form = EntryForm(
        bound_data(request),
        initial={
            "question": question.text[:500],
            "answer": question.answer,
            "valid_until": _default_valid_until(),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.entry_from_question(
                question=question,
                author=request.user,
                question_text=data["question"],
                answer=data["answer"],
                sources=data["sources"],
                valid_until=data["valid_until"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The answer is now in the knowledge base."))
            return redirect("guichet:knowledge_entry", pk=entry.pk)
    return render(
        request,
        "guichet/knowledge/form.html",
        {"form": form, "entry": None, "question": question},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_page(request, pk):
    require(request.user, "guichet.search")
    entry = _entry_or_404(request, pk)
    require(request.user, "guichet.edit_entry", entry)
    territory = territory_selectors.current_territory_or_404()
    topics = _topics(territory)
    if entry.topic not in topics:
        topics.append(entry.topic)
    form = EntryForm(
        bound_data(request),
        topics=topics,
        initial={
            "topic": entry.topic_id,
            "question": entry.question,
            "answer": entry.answer,
            "sources": entry.sources,
            "valid_until": max(entry.valid_until, timezone.localdate()),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.entry_update(
                entry,
                actor=request.user,
                topic={t.pk: t for t in topics}.get(data["topic"]),
                question=data["question"],
                answer=data["answer"],
                sources=data["sources"],
                valid_until=data["valid_until"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The entry is updated."))
            return redirect("guichet:knowledge_entry", pk=entry.pk)
    return render(
        request,
        "guichet/knowledge/form.html",
        {"form": form, "entry": entry},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def archive_entry(request, pk):
    entry = _entry_or_404(request, pk)
    require(request.user, "guichet.edit_entry", entry)
    services.entry_archive(entry, actor=request.user)
    messages.success(request, _("The entry is archived: it no longer shows in the search."))
    return redirect(reverse("guichet:knowledge_search"))


@login_required
def review_page(request):
    require(request.user, "guichet.search")
    paginator = CappedPaginator(selectors.entries_to_review(request.user), 50, cap=CAP)
    page = paginator.get_page(_page_number(request))
    return render(request, "guichet/knowledge/review.html", {"page": page})


@login_required
def needs_page(request):
    require(request.user, "guichet.search")
    territory = territory_selectors.current_territory_or_404()
    since = timezone.now() - dt.timedelta(days=365)
    return render(
        request,
        "guichet/knowledge/needs.html",
        {
            "topics": selectors.usage_by_topic(territory, since=since),
            "entries": selectors.most_used(territory, since=since),
        },
    )


SUGGEST_PER_MINUTE = 60
SUGGESTIONS = 5


@login_required
@require_GET
def suggest(request):
    """Fragment (htmx, while a question to a referent is typed): the knowledge entries
    closest to the text, so the counter may find the answer without asking."""
    require(request.user, "guichet.search")
    if not ratelimit.allow(
        request,
        "guichet-suggest",
        limit=SUGGEST_PER_MINUTE,
        window=60,
        ident=f"user:{request.user.pk}",
    ):
        return render(request, "guichet/knowledge/_suggest.html", {"limited": True}, status=429)
    text = request.GET.get("text", "")[:500]
    entries = []
    asked = len(selectors.query_words(text)) > 0 and len(text.strip()) >= 4
    if asked:
        territory = territory_selectors.current_territory_or_404()
        found = selectors.search(
            territory, selectors.SearchFilters(q=text, include_expired=False, any_word=True)
        )
        entries = list(found[:SUGGESTIONS])
    return render(request, "guichet/knowledge/_suggest.html", {"entries": entries, "asked": asked})


urlpatterns = [
    path("savoirs/", search_page, name="knowledge_search"),
    path("savoirs/nouvelle-fiche/", create_page, name="knowledge_create"),
    path("savoirs/a-verifier/", review_page, name="knowledge_review"),
    path("savoirs/besoins/", needs_page, name="knowledge_needs"),
    path(
        "savoirs/depuis-question/<int:question_id>/",
        from_question_page,
        name="knowledge_from_question",
    ),
    path("savoirs/suggestions/", suggest, name="knowledge_suggest"),
    path("savoirs/<int:pk>/", entry_page, name="knowledge_entry"),
    path("savoirs/<int:pk>/modifier/", edit_page, name="knowledge_edit"),
    path("savoirs/<int:pk>/servi/", use_entry, name="knowledge_use"),
    path("savoirs/<int:pk>/archiver/", archive_entry, name="knowledge_archive"),
]
