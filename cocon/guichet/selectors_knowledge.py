"""Reads of the shared knowledge base: search (French full text, typo-tolerant), one
entry, the entries an owner must review, what counters need (usage per topic).

Search. PostgreSQL: the generated `search_vector` of migration 0002 (`cocon_french`,
question weighted above answer, `websearch` syntax), ranked by `ts_rank`. When it finds
fewer than `FEW` entries, each typed word is widened to the words of the entries spelled
like it (pg_trgm's "spelling suggestions from a word list": the vocabulary table
`guichet_knowledge_word` of migration 0002, GIN trigram index, `%` and `similarity`), and
the full-text search runs again with `(word | correction…) & (word | …)`, ranked by
`ts_rank` as well. SQLite:
FTS5 (accents ignored, each word as a prefix), ranked by bm25; when it finds few, each
word is widened to the indexed terms of similar spelling (trigrams, `cocon.lib.similar`).
Order: valid entries first, expired ones after ("à vérifier"), then text rank, usage,
recency."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Count, ExpressionWrapper, F, FloatField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from cocon.guichet.models import KnowledgeEntry, KnowledgeUse
from cocon.lib.keywords import STOPWORDS
from cocon.lib.similar import trigram_similarity

CANDIDATES = 1000  # PostgreSQL: matches ranked at most (see `_pg_search`)
FEW = 5  # fewer full-text matches than this: add the typo-tolerant ones
MAX_WORDS = 12
FUZZY_MIN = 0.45  # trigram Jaccard for a SQLite vocabulary term to replace a typed word
MAX_ALTERNATIVES = 6
_WORD = re.compile(r"\w+", re.UNICODE)

PG_QUERY = "websearch_to_tsquery('cocon_french', %s)"
PG_FUZZY_QUERY = "to_tsquery('cocon_french', %s)"
# up to MAX_ALTERNATIVES vocabulary words spelled like each typed word, closest first:
# trigram similarity >= `pg_trgm.similarity_threshold` (0.3 by default; `%` uses the GIN
# trigram index) and, as on SQLite, the same first letter (few typos there; "grise" is not
# "prise"); one query for all the words
PG_CORRECTIONS = """SELECT t.i, c.word FROM unnest(%s::text[]) WITH ORDINALITY AS t(w, i)
    CROSS JOIN LATERAL (
        SELECT v.word FROM guichet_knowledge_word v
        WHERE v.word %% t.w AND v.word <> t.w AND left(v.word, 1) = left(t.w, 1)
        ORDER BY similarity(v.word, t.w) DESC, v.word LIMIT %s
    ) AS c ORDER BY t.i"""
SQLITE_FTS = "guichet_knowledge_fts"
ORDER = ("-usage_count", "-updated_at", "-id")


def fold(text: str) -> str:
    """Lower case without accents (what the SQLite tokenizer indexes)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def query_words(text: str) -> list[str]:
    """The folded words of a query without French stop words and single letters ("d'",
    "l'"): on SQLite each word is a prefix, and "d"* would match half the index."""
    words = [fold(w) for w in _WORD.findall((text or "")[:200])]
    kept = [w for w in words if len(w) > 1 and w not in STOPWORDS]
    return (kept or [w for w in words if len(w) > 1])[:MAX_WORDS]


_HAS_VOCABULARY: dict[str, bool] = {}


def has_vocabulary() -> bool:
    """The typo-tolerance vocabulary exists (migration 0002 creates it when the server
    allows pg_trgm); asked once per process and database."""
    name = connection.settings_dict["NAME"]
    if name not in _HAS_VOCABULARY:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('guichet_knowledge_word') IS NOT NULL")
            _HAS_VOCABULARY[name] = bool(cursor.fetchone()[0])
    return _HAS_VOCABULARY[name]


def _pg_corrections(words: list[str]) -> dict[str, list[str]]:
    """{typed word: the vocabulary words spelled like it, closest first} for the words
    of 4 letters or more (shorter ones share too few trigrams to be corrected)."""
    typed = [w for w in dict.fromkeys(words) if len(w) >= 4 and not w.isdigit()]
    if not typed:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(PG_CORRECTIONS, [typed, MAX_ALTERNATIVES])
        rows = cursor.fetchall()
    out: dict[str, list[str]] = {}
    for i, word in rows:
        if _WORD.fullmatch(word):  # safe inside to_tsquery's syntax
            out.setdefault(typed[i - 1], []).append(word)
    return out


def _pg_fuzzy_query(words: list[str]) -> str | None:
    """The `to_tsquery` text of the typo-tolerant search: each typed word or its
    corrections, all the words required; None when no word has a correction. Words are
    `\\w+` (`query_words`, the vocabulary filtered the same way): no tsquery operator."""
    corrections = _pg_corrections(words)
    if not corrections:
        return None
    groups = [" | ".join([w, *corrections.get(w, [])]) for w in words]
    return " & ".join(f"({g})" for g in groups)


def _pg_any_word_query(words: list[str]) -> str:
    """The `to_tsquery` text of "some of the words": each typed word or its corrections,
    any of them (entries with more of the words rank higher)."""
    corrections = _pg_corrections(words) if has_vocabulary() else {}
    return " | ".join(f"({' | '.join([w, *corrections.get(w, [])])})" for w in words)


def _sqlite_alternatives(words: list[str]) -> dict[str, list[str]]:
    """{word: the indexed terms spelled like it (same first letter, close length, trigram
    Jaccard >= FUZZY_MIN), closest first}, for the words of 4+ letters: one query."""
    typed = [w for w in dict.fromkeys(words) if len(w) >= 4 and not w.isdigit()]
    if not typed:
        return {}
    # one SELECT per word, in UNION ALL: fts5vocab serves a term range, not an OR of ranges
    # (with OR, SQLite returned only the first range's terms)
    one = "SELECT term FROM guichet_knowledge_vocab WHERE term >= %s AND term < %s "
    one += "AND length(term) BETWEEN %s AND %s"
    union = " UNION ALL ".join([one] * len(typed))
    params: list = []
    for w in typed:
        params += [w[0], chr(ord(w[0]) + 1), len(w) - 2, len(w) + 3]
    with connection.cursor() as cursor:
        # constant SQL (one placeholder group per word); every value is a parameter
        cursor.execute(union, params)
        terms = sorted({term for (term,) in cursor.fetchall()})
    out: dict[str, list[str]] = {}
    for w in typed:
        scored = []
        for term in terms:
            if term != w and term[:1] == w[0] and len(w) - 2 <= len(term) <= len(w) + 3:
                score = trigram_similarity(w, term)
                if score >= FUZZY_MIN:
                    scored.append((-score, term))
        scored.sort()
        if scored:
            out[w] = [term for _s, term in scored[:MAX_ALTERNATIVES]]
    return out


def _sqlite_match(
    words: list[str], *, alternatives: dict[str, list[str]] | None = None, any_word: bool = False
) -> str:
    """The FTS5 query: each word as a prefix, or one of its `alternatives` (spelled
    alike), all the words required or (`any_word`) any of them."""
    parts = []
    for w in words:
        exact = '"' + w.replace('"', "") + '"*'
        alternatives_of = (alternatives or {}).get(w, [])
        if alternatives_of:
            parts.append("(" + " OR ".join([exact, *(f'"{a}"' for a in alternatives_of)]) + ")")
        else:
            parts.append(exact)
    return (" OR " if any_word else " AND ").join(parts)


class SqliteRanked:
    """The entries of a filtered queryset matching an FTS5 query, in the order of
    `search`: a sliceable, countable sequence for a (Capped)Paginator. FTS5 drives the
    query (`CROSS JOIN` keeps SQLite's planner from scanning the entries by territory
    and evaluating the MATCH once per row): 2 queries per page (ids in order, then the
    entries with their topic and organization)."""

    def __init__(self, qs: QuerySet, match: str, today: dt.date, start=0, stop=None):
        self.qs, self.match, self.today = qs, match, today
        self.start, self.stop = start, stop
        self._rows: list | None = None

    def _sql(self, select: str, *, ordered: bool) -> tuple[str, list]:
        compiler = self.qs.query.get_compiler(using=self.qs.db)
        where, params = compiler.compile(self.qs.query.where)
        # constant SQL and the queryset's own compiled WHERE; every value is a parameter
        sql = (
            f"SELECT {select} FROM {SQLITE_FTS} CROSS JOIN guichet_knowledgeentry "  # noqa: S608
            f"ON guichet_knowledgeentry.id = {SQLITE_FTS}.rowid "
            f"WHERE {SQLITE_FTS} MATCH %s AND ({where})"
        )
        params = [self.match, *params]
        if ordered:
            sql += (
                " ORDER BY guichet_knowledgeentry.valid_until < %s, "
                f"bm25({SQLITE_FTS}, 2.0, 1.0), guichet_knowledgeentry.usage_count DESC, "
                "guichet_knowledgeentry.updated_at DESC, guichet_knowledgeentry.id DESC"
            )
            params.append(self.today)
        if self.stop is not None or self.start:
            sql += " LIMIT %s OFFSET %s"
            params += [-1 if self.stop is None else self.stop - self.start, self.start]
        return sql, params

    def count(self) -> int:
        if self._rows is not None:
            return len(self._rows)
        sql, params = self._sql("1", ordered=False)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql})", params)  # noqa: S608
            return cursor.fetchone()[0]

    def _fetch(self) -> list:
        if self._rows is None:
            sql, params = self._sql(
                f"guichet_knowledgeentry.id, -bm25({SQLITE_FTS}, 2.0, 1.0)", ordered=True
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                ranked = cursor.fetchall()
            by_pk = {e.pk: e for e in self.qs.filter(pk__in=[pk for pk, _r in ranked])}
            self._rows = []
            for pk, rank in ranked:
                if pk in by_pk:
                    by_pk[pk].text_rank = rank
                    self._rows.append(by_pk[pk])
        return self._rows

    def __iter__(self):
        return iter(self._fetch())

    def __len__(self) -> int:
        return len(self._fetch())

    def __getitem__(self, key):
        if isinstance(key, slice):
            start = self.start + (key.start or 0)
            stop = self.stop
            if key.stop is not None:
                stop = self.start + key.stop if stop is None else min(stop, self.start + key.stop)
            return SqliteRanked(self.qs, self.match, self.today, start, stop)
        return self._fetch()[key]


def _pg_search(qs: QuerySet, text: str, *, fuzzy: bool, any_word: bool = False) -> QuerySet | None:
    """Only the first CANDIDATES matches are ranked: a query matching a third of the
    base ("situation") would otherwise rank tens of thousands of rows on every page;
    past that many matches the order is approximate and people refine the search. The
    candidates are a subquery of their own (the raw SQL names the table: inside an ORM
    subquery it would point at the outer query's row). Typo-tolerant: the same search
    with the words widened to their corrections (`_pg_fuzzy_query`); None when no word
    has one."""
    query, query_text = PG_QUERY, text
    if any_word:
        query, query_text = PG_FUZZY_QUERY, _pg_any_word_query(query_words(text))
    elif fuzzy:
        query, query_text = PG_FUZZY_QUERY, _pg_fuzzy_query(query_words(text))
        if query_text is None:
            return None
    where, params = qs.query.get_compiler(using=qs.db).compile(qs.query.where)
    sql = (
        f"SELECT guichet_knowledgeentry.id FROM guichet_knowledgeentry WHERE ({where}) "  # noqa: S608
        f"AND guichet_knowledgeentry.search_vector @@ {query} LIMIT {CANDIDATES}"
    )
    candidates = RawSQL(sql, [*params, query_text])  # noqa: S611 - constant SQL, compiled WHERE
    rank = RawSQL(  # noqa: S611 - constant SQL
        f"ts_rank(guichet_knowledgeentry.search_vector, {query})",
        [query_text],
        output_field=FloatField(),
    )
    return qs.filter(pk__in=candidates).annotate(text_rank=rank)


def text_search(qs: QuerySet, text: str, today: dt.date, *, any_word: bool = False):
    """The entries of `qs` matching `text`, annotated with `text_rank` (higher is
    better), in the order of `search`: every word required, typo-tolerant when the exact
    search finds fewer than FEW entries; with `any_word`, the entries with at least one
    of the words (or their corrections), those with the most first — what the search
    page offers when no entry has every word, and what suggestions use while a question
    is typed. PostgreSQL: a queryset; SQLite: a `SqliteRanked`."""
    text = (text or "").strip()[:200]
    words = query_words(text)
    if not words:
        return qs.none()
    if connection.vendor == "postgresql":
        if any_word:
            found = _pg_search(qs, text, fuzzy=True, any_word=True)
        else:
            found = _pg_search(qs, text, fuzzy=False)
            if has_vocabulary() and len(found.values("pk")[:FEW]) < FEW:
                widened = _pg_search(qs, text, fuzzy=True)
                if widened is not None:  # (not `or`: that would fetch the whole queryset)
                    found = widened
        return found.order_by("expired", "-text_rank", *ORDER)
    if any_word:
        match = _sqlite_match(words, alternatives=_sqlite_alternatives(words), any_word=True)
        return SqliteRanked(qs, match, today)
    found = SqliteRanked(qs, _sqlite_match(words), today)
    if found[:FEW].count() < FEW:
        found = SqliteRanked(
            qs, _sqlite_match(words, alternatives=_sqlite_alternatives(words)), today
        )
    return found


@dataclass
class SearchFilters:
    q: str = ""
    topic_id: int | None = None
    organization_id: int | None = None
    include_expired: bool = True
    any_word: bool = False  # entries with at least one of the words (see `text_search`)


def expired_flag(today: dt.date) -> ExpressionWrapper:
    return ExpressionWrapper(Q(valid_until__lt=today), output_field=BooleanField())


def search(territory, filters: SearchFilters, *, today: dt.date | None = None):
    """The live entries of `territory` matching `filters`: valid ones first, then those
    past their validity date (`expired` is True), each group by text rank, usage and
    recency, with topic and organization joined. Lazy, sliceable and countable: give it
    to a (Capped)Paginator."""
    today = today or timezone.localdate()
    f = filters
    qs = KnowledgeEntry.objects.filter(territory=territory, is_archived=False)
    if f.topic_id:
        qs = qs.filter(topic_id=f.topic_id)
    if f.organization_id:
        qs = qs.filter(organization_id=f.organization_id)
    if not f.include_expired:
        qs = qs.filter(valid_until__gte=today)
    qs = qs.annotate(expired=expired_flag(today)).select_related("topic", "organization")
    if f.q.strip():
        return text_search(qs, f.q, today, any_word=f.any_word)
    return qs.order_by("expired", *ORDER)


def excerpt(text: str, words: list[str], *, length: int = 280) -> SafeString:
    """A piece of `text` around the first word found, `words` (folded, prefixes) marked
    with <mark>; everything else escaped."""
    text = " ".join((text or "").split())
    folded = fold(text)
    start = 0
    if words:
        hits = [m.start() for w in words if (m := re.search(r"\b" + re.escape(w), folded))]
        if hits and min(hits) > length // 2:
            start = text.rfind(" ", 0, min(hits) - length // 4) + 1
    piece = text[start : start + length]
    folded_piece = folded[start : start + length]
    out, pos = [], 0
    if words:
        pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\w*")
        for m in pattern.finditer(folded_piece):
            out.append(escape(piece[pos : m.start()]))
            out.append("<mark>" + escape(piece[m.start() : m.end()]) + "</mark>")
            pos = m.end()
    out.append(escape(piece[pos:]))
    prefix = "… " if start else ""
    suffix = " …" if start + length < len(text) else ""
    return mark_safe(prefix + "".join(out) + suffix)  # noqa: S308 - every piece escaped


def entry_for_page(pk: int, territory) -> KnowledgeEntry | None:
    return (
        KnowledgeEntry.objects.filter(pk=pk, territory=territory)
        .select_related("topic", "organization", "owner", "source_question")
        .first()
    )


def entries_to_review(user, *, today: dt.date | None = None) -> QuerySet:
    """`user`'s live entries past their validity date, the oldest first."""
    today = today or timezone.localdate()
    return (
        KnowledgeEntry.objects.filter(owner=user, is_archived=False, valid_until__lt=today)
        .select_related("topic", "organization")
        .order_by("valid_until", "id")
    )


def usage_by_topic(territory, *, since: dt.datetime) -> list[dict]:
    """[{topic, uses, entries}] over the uses since `since`, the most used first."""
    return list(
        KnowledgeUse.objects.filter(entry__territory=territory, used_at__gte=since)
        .values(topic=F("entry__topic__name"))
        .annotate(uses=Count("id"), entries=Count("entry", distinct=True))
        .order_by("-uses", "topic")
    )


def most_used(territory, *, since: dt.datetime, limit: int = 20) -> list[dict]:
    """The entries used most since `since`: [{id, question, topic, uses}]."""
    return list(
        KnowledgeUse.objects.filter(entry__territory=territory, used_at__gte=since)
        .values("entry_id")
        .annotate(
            uses=Count("id"),
            question=F("entry__question"),
            topic=F("entry__topic__name"),
        )
        .order_by("-uses", "entry_id")[:limit]
    )
