"""Reads of Idées: lists with filters, sorting and French full-text search, one idea's
page, queues (démineurs, deciders, moderators), similar ideas and campaign statistics.

List pages read one indexed table: supports, comments and followers are counters on the
idea, so sorting by supports over 100,000 ideas is an index scan, whatever the number of
supports. Query counts are fixed (asserted in the tests).
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Count, Prefetch, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from cocon.core import history
from cocon.core.attachments import attachments_of
from cocon.ideas.models import (
    DECIDED_STATES,
    AuthorCategory,
    Campaign,
    Comment,
    Follow,
    Idea,
    IdeaVersion,
    Review,
    State,
    Support,
)
from cocon.ideas.rules import scope_of

SORTS = {
    "supports": ("-support_count", "-id"),
    "recent": ("-created_at", "-id"),
    "comments": ("-comment_count", "-id"),
}
# PostgreSQL: the stored generated column of migration 0002 (GIN-indexed)
PG_MATCH = "ideas_idea.search_vector @@ websearch_to_tsquery('cocon_french', %s)"
_WORD = re.compile(r"\w+", re.UNICODE)


def visible_ideas(user):
    from cocon.core.permissions import grants_of

    return Idea.objects.filter(scope_of(grants_of(user)).q())


def fts_filter(qs, text: str):
    """Ideas matching `text` in French: PostgreSQL `cocon_french` configuration (the
    `french` stemmer and stop words, accents folded; `websearch` syntax); SQLite FTS5
    (accents ignored, each word as a prefix: "megot" finds "mégots")."""
    text = (text or "").strip()[:200]
    if not text:
        return qs
    if connection.vendor == "postgresql":
        return qs.filter(
            RawSQL(  # noqa: S611 - constant SQL, the text is a parameter
                PG_MATCH,
                [text],
                output_field=BooleanField(),
            )
        )
    words = _WORD.findall(text)[:12]
    if not words:
        return qs.none()
    match = " ".join('"' + w.replace('"', "") + '"*' for w in words)
    return qs.filter(
        pk__in=RawSQL("SELECT rowid FROM ideas_idea_fts WHERE ideas_idea_fts MATCH %s", [match])
    )


@dataclass
class IdeaFilters:
    campaign: Campaign | None = None
    theme_id: int | None = None
    service_id: int | None = None
    state: str = ""
    author_category: str = ""
    q: str = ""
    sort: str = "supports"
    quick_wins: bool = False
    mine: bool = False


def idea_list(user, filters: IdeaFilters):
    """The ideas `user` may see, filtered and sorted; a lazy queryset (paginate it)."""
    qs = visible_ideas(user)
    f = filters
    if f.campaign is not None:
        qs = qs.filter(campaign=f.campaign)
    if f.theme_id:
        qs = qs.filter(theme_id=f.theme_id)
    if f.service_id:
        qs = qs.filter(services__id=f.service_id)
    if f.state in State.values:
        qs = qs.filter(state=f.state)
    if f.author_category in AuthorCategory.values:
        qs = qs.filter(author_category=f.author_category)
    if f.quick_wins:
        qs = qs.filter(is_quick_win=True)
    if f.mine and user.is_authenticated:
        qs = qs.filter(Q(author=user) | Q(submitted_by=user) | Q(coauthors=user)).distinct()
    qs = fts_filter(qs, f.q)
    return qs.select_related("campaign", "theme").order_by(*SORTS.get(f.sort, SORTS["supports"]))


def idea_for_page(pk: int):
    """One idea with what its page and its permission rules read (fixed query count)."""
    return (
        Idea.objects.select_related(
            "campaign__organization",
            "theme",
            "author",
            "submitted_by",
            "merged_into",
            "organization",
            "author_service",
        )
        .prefetch_related(
            "services__organization",
            "coauthors",
            Prefetch("reviews", queryset=Review.objects.select_related("expert")),
        )
        .get(pk=pk)
    )


THREADS_PER_PAGE = 20


def _split_attachments(rows) -> dict:
    rows = list(rows)
    return {
        "photos": [a for a in rows if a.mime_type != "application/pdf"],
        "documents": [a for a in rows if a.mime_type == "application/pdf"],
    }


def comment_threads(idea: Idea, *, page: int = 1, focus: int | None = None) -> dict:
    """One page of comment threads (a top-level comment with all its replies), oldest
    first: two queries whatever the number of comments — the (id, parent) pairs, then
    the rows of the page. `focus`: a comment id whose page is wanted (from a link to
    "#commentaire-<id>")."""
    pairs = list(
        Comment.objects.filter(idea=idea)
        .order_by("created_at", "id")
        .values_list("pk", "parent_id")
    )
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in pairs:
        children.setdefault(parent_id, []).append(pk)
    roots = children.get(None, [])
    pages = max(1, -(-len(roots) // THREADS_PER_PAGE))
    if focus is not None:
        parent_of = dict(pairs)
        root = focus
        while parent_of.get(root) is not None:
            root = parent_of[root]
        if root in roots:
            page = roots.index(root) // THREADS_PER_PAGE + 1
    page = min(max(1, page), pages)
    shown: list[int] = []

    def walk(pk: int) -> None:
        shown.append(pk)
        for child in children.get(pk, []):
            walk(child)

    for root in roots[(page - 1) * THREADS_PER_PAGE : page * THREADS_PER_PAGE]:
        walk(root)
    rows = Comment.objects.filter(pk__in=shown).select_related("author").in_bulk() if shown else {}
    return {
        "comments": [rows[pk] for pk in shown if pk in rows],
        "comment_page": page,
        "comment_pages": pages,
        "comment_threads": len(roots),
    }


def idea_page(idea: Idea, user, *, comment_page: int = 1, focus: int | None = None) -> dict:
    """What the idea page shows, read in a fixed number of queries (the comments one
    page of threads at a time)."""
    from cocon.core.permissions import can

    threads = comment_threads(idea, page=comment_page, focus=focus)
    moderator = can(user, "ideas.moderate", idea)
    authenticated = user.is_authenticated
    supported = authenticated and Support.objects.filter(idea=idea, user=user).exists()
    following = authenticated and Follow.objects.filter(idea=idea, user=user).exists()
    is_author = authenticated and scope_of(user.grants).is_author(idea)
    # opinions: published ones to all; given ones to the author too; all to moderators;
    # each démineur sees their own
    viewer_id = user.pk if authenticated else None
    reviews = [
        r
        for r in idea.reviews.all()
        if moderator or r.published_at or r.expert_id == viewer_id or (is_author and r.is_given)
    ]
    versions = list(IdeaVersion.objects.filter(idea=idea).order_by("number"))
    return {
        **threads,
        "supported": supported,
        "following": following,
        "is_author": is_author,
        "moderator": moderator,
        "reviews": reviews,
        "versions": versions,
        "events": list(history.history_of(idea)),
        **_split_attachments(attachments_of(idea)),
        "merged_ideas": list(idea.merged_ideas.only("pk", "title")),
    }


def version_diff(old: IdeaVersion, new: IdeaVersion) -> list[dict]:
    """Word-level differences per field, for the "what changed" view."""
    import difflib

    out = []
    for name in ("title", "problem", "proposal", "benefit"):
        a, b = getattr(old, name).split(), getattr(new, name).split()
        if a == b:
            continue
        parts = []
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
            if op == "equal":
                parts.append(("same", " ".join(a[i1:i2])))
            if op in ("delete", "replace"):
                parts.append(("removed", " ".join(a[i1:i2])))
            if op in ("insert", "replace"):
                parts.append(("added", " ".join(b[j1:j2])))
        out.append({"field": name, "parts": parts})
    return out


# --- queues -------------------------------------------------------------------------------
def expert_queue_split(user) -> tuple[list[Review], list[Review]]:
    rows = list(
        Review.objects.filter(expert=user).select_related("idea__campaign").order_by("due_on", "id")
    )
    return [r for r in rows if not r.is_given], [r for r in rows if r.is_given]


def decision_queue(user, limit: int = 300) -> list[Idea]:
    """Ideas awaiting decision that this person may decide (their level and perimeter)."""
    from cocon.core.permissions import can

    org_ids = {
        r.organization_id for r in user.grants.roles if r.kind in ("manager", "direction", "elu")
    }
    if not org_ids:
        return []
    candidates = (
        Idea.objects.filter(
            campaign__organization_id__in=org_ids,
            state__in=[State.SUBMITTED, State.UNDER_REVIEW, State.AWAITING_DECISION],
            hidden_at__isnull=True,
        )
        .select_related("campaign__organization", "author_service")
        .prefetch_related("services", "coauthors", "reviews")
        .order_by("-state", "created_at")[: limit * 3]
    )
    out = [i for i in candidates if can(user, "ideas.decide", i)]
    out.sort(key=lambda i: (i.state != State.AWAITING_DECISION, i.created_at))
    return out[:limit]


def awaiting_review(campaign_org_ids) -> list[Idea]:
    return list(
        Idea.objects.filter(
            campaign__organization_id__in=list(campaign_org_ids),
            state__in=[State.SUBMITTED, State.UNDER_REVIEW],
        )
        .select_related("campaign")
        .annotate(n_reviews=Count("reviews"))
        .order_by("created_at")[:500]
    )


def moderation_queue(organization_ids):
    """Open reports grouped by object, plus ideas waiting for pre-moderation."""
    from cocon.core.moderation import open_flags

    flags = list(open_flags(organization_ids))
    by_type: dict[str, set[int]] = {}
    for flag in flags:
        by_type.setdefault(flag.content_type.model, set()).add(flag.object_id)
    ideas = Idea.objects.in_bulk(list(by_type.get("idea", ())))
    comments = Comment.objects.select_related("idea").in_bulk(list(by_type.get("comment", ())))
    items: dict[tuple[str, int], dict] = {}
    for flag in flags:
        model = flag.content_type.model
        obj = ideas.get(flag.object_id) if model == "idea" else comments.get(flag.object_id)
        if obj is None:
            continue
        entry = items.setdefault((model, flag.object_id), {"model": model, "obj": obj, "flags": []})
        entry["flags"].append(flag)
    pending = list(
        Idea.objects.filter(
            campaign__organization_id__in=list(organization_ids),
            awaiting_moderation=True,
            hidden_at__isnull=True,
        ).select_related("campaign")
    )
    return list(items.values()), pending


# --- similar ideas ------------------------------------------------------------------------
class _TerritoryIndex:
    def __init__(self, territory_id: int):
        from cocon.lib.similar import SimilarityIndex

        self.territory_id = territory_id
        started = timezone.now()
        rows = Idea.objects.filter(campaign__territory_id=territory_id).values_list("pk", "title")
        self.index = SimilarityIndex(rows.iterator(chunk_size=5000))
        self.synced_at = started
        self.recent: dict[int, dt.datetime] = {}
        self.checked = time.monotonic()

    def refresh(self) -> None:
        """Take in the ideas created or edited since the last look (one indexed query).
        The window starts OVERLAP earlier: a transaction that committed late (its
        `updated_at` is older than its commit) is still seen; re-adding is idempotent."""
        now = timezone.now()
        for pk, title, updated_at in Idea.objects.filter(
            campaign__territory_id=self.territory_id,
            updated_at__gte=self.synced_at - OVERLAP,
        ).values_list("pk", "title", "updated_at"):
            if self.recent.get(pk) != updated_at:  # not re-added: norms stay valid
                self.index.add(pk, title)
                self.recent[pk] = updated_at
        horizon = now - 2 * OVERLAP
        self.recent = {pk: at for pk, at in self.recent.items() if at >= horizon}
        self.synced_at = now
        self.checked = time.monotonic()


_indexes: dict[int, _TerritoryIndex] = {}
_indexes_lock = threading.Lock()
_dirty = threading.Event()
REFRESH_SECONDS = 5.0
OVERLAP = dt.timedelta(minutes=2)


def similar_index_changed() -> None:
    """Called after an idea is created or edited in this process: the next search looks
    for changes at once (other processes within REFRESH_SECONDS)."""
    _dirty.set()


def reset_similar_indexes() -> None:
    with _indexes_lock:
        _indexes.clear()


def similar_ideas(
    user, territory_id: int, text: str, *, exclude: int | None = None, limit: int = 5
):
    """Ideas like `text` that `user` may see, best first, as (idea, score)."""
    if len((text or "").strip()) < 4:
        return []
    with _indexes_lock:
        entry = _indexes.get(territory_id)
        if entry is None:
            entry = _indexes[territory_id] = _TerritoryIndex(territory_id)
        elif _dirty.is_set() or time.monotonic() - entry.checked > REFRESH_SECONDS:
            _dirty.clear()
            entry.refresh()
    found = entry.index.search(text, limit=30, min_score=0.25, exclude=[exclude] if exclude else ())
    if not found:
        return []
    scores = dict(found)
    ideas = (
        visible_ideas(user)
        .filter(pk__in=list(scores))
        .exclude(state=State.MERGED)
        .exclude(hidden_at__isnull=False)
        .select_related("campaign")
        .only("pk", "title", "state", "support_count", "campaign__title", "campaign__is_permanent")
    )
    ranked = sorted(ideas, key=lambda i: (-scores[i.pk], -i.support_count, i.pk))
    return [(i, scores[i.pk]) for i in ranked[:limit]]


# --- dashboard ---------------------------------------------------------------------------
def campaign_stats(campaign: Campaign, *, min_cell: int = 5) -> dict:
    """Ideas by state, author category and organization, share decided, median time to
    decision, number implemented. Categories and organizations with fewer than
    `min_cell` ideas are shown as "< min_cell" (people could be recognised)."""
    rows = list(
        Idea.objects.filter(campaign=campaign).values_list(
            "state",
            "author_category",
            "author_organization__name",
            "created_at",
            "decided_at",
            "is_quick_win",
            "support_count",
            "comment_count",
        )
    )
    total = len(rows)
    by_state = Counter(r[0] for r in rows)
    by_category = Counter(r[1] for r in rows)
    by_org = Counter(r[2] or "" for r in rows if r[1] != AuthorCategory.USAGER)
    decided = [r for r in rows if r[0] in DECIDED_STATES]
    days = [(r[4] - r[3]).total_seconds() / 86400 for r in decided if r[4]]
    implemented = sum(1 for r in rows if r[0] in (State.IMPLEMENTED, State.EVALUATED))

    def cells(counter, labels):
        out = []
        for key, label in labels:
            n = counter.get(key, 0)
            out.append({"key": key, "label": label, "n": n if n == 0 or n >= min_cell else None})
        return out

    return {
        "total": total,
        "by_state": [
            {"key": s.value, "label": s.label, "n": by_state.get(s.value, 0)} for s in State
        ],
        "by_category": cells(by_category, AuthorCategory.choices),
        "by_organization": sorted(
            cells(by_org, [(k, k) for k in by_org]), key=lambda c: (-(c["n"] or 0), c["label"])
        ),
        "decided": len(decided),
        "share_decided": (len(decided) / total) if total else None,
        "median_days_to_decision": statistics.median(days) if days else None,
        "implemented": implemented,
        "quick_wins": sum(1 for r in rows if r[5]),
        "supports": sum(r[6] for r in rows),
        "comments": sum(r[7] for r in rows),
        "min_cell": min_cell,
    }


def campaign_list(user):
    from cocon.core.permissions import grants_of

    grants = grants_of(user)
    scope = scope_of(grants)
    qs = Campaign.objects.select_related("organization")
    if scope.everything:
        return qs
    member = Q(scope__in=["users", "both"])
    if scope.members:
        member |= Q(organization_id__in=scope.members) | Q(organizations__in=scope.members)
    return qs.filter(member).distinct()
