"""Similar ideas: find existing ideas close to a title being typed (issue 5, point 2).

Pure Python plus numpy, no Django. The web layer builds one :class:`SimilarityIndex` per
process from the database, keeps it up to date with :meth:`SimilarityIndex.add` and
:meth:`SimilarityIndex.remove`, and calls :meth:`SimilarityIndex.search` while the author
types, so that people support an existing idea instead of writing a duplicate.

Scoring. Texts go through :func:`cocon.lib.keywords.tokens` (lower case, no accents, no
elisions, no stopwords, light plural stemming), so "Les mégots" and "megot" already agree.
An idea is the *set* of its tokens (titles are short: presence matters, not counts), each
weighted by its smoothed IDF ``log((N + 1) / (df + 1)) + 1``. The score is the cosine of
the query and idea vectors, where a query token also matches an indexed token whose
character trigrams are close enough (Jaccard >= :data:`FUZZY_MIN` over the trigrams of
``"  token "``), counted with that similarity as a factor: typos and variants
("trotinette" / "trottinette", "rue" / "rues") still match, a little less than the exact
word. For one query token and one idea only the best such match counts. Tokens holding a
digit (bus lines, street numbers, years) only match exactly: "2023" is not "2024".

Speed. Two inverted indexes: token -> ideas, and trigram -> tokens of the vocabulary. A
query looks at the tokens sharing a trigram with its own tokens, then only at the ideas
holding one of the matched tokens. Document norms depend on every IDF, so they are
recomputed (vectorised, a few milliseconds for 100,000 ideas) by the first search after
an add or a remove. Measured with ``bench/ideas_similar.py`` (100,000 synthetic titles,
6,100 distinct tokens, 2 shared cores): build 0.9-1.6 s, about 20 MiB held (some 210
bytes per idea, plus a few hundred bytes per distinct token), search p50 1.1-1.6 ms and
p95 1.4-7.6 ms depending on the machine's load, 5-10 ms for the first search after a
change.

Threads: every public method takes an internal lock, so one index may be shared by the
threads of a server process.
"""

from __future__ import annotations

import math
import threading
from array import array
from collections.abc import Hashable, Iterable
from typing import Generic, TypeVar

import numpy as np

from cocon.lib.keywords import tokens

__all__ = ["FUZZY_MIN", "SimilarityIndex", "trigram_similarity", "trigrams"]

K = TypeVar("K", bound=Hashable)

FUZZY_MIN = 0.5
"""Lowest trigram Jaccard similarity for two different tokens to match ("rue"/"rues": 0.5)."""

MAX_EXPANSIONS = 8
"""At most this many indexed tokens matched by one query token (the closest ones)."""

_DECIMALS = 6  # scores are rounded so that equal ideas tie exactly, then order by key
_CACHE_SIZE = 4096  # query token -> matching vocabulary tokens


def trigrams(token: str) -> frozenset[str]:
    """The character trigrams of a token padded like PostgreSQL's pg_trgm ("  tok ")."""
    padded = f"  {token} "
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


def trigram_similarity(a: str, b: str) -> float:
    """Jaccard similarity of the trigram sets of two tokens (1.0 for equal tokens)."""
    ta, tb = trigrams(a), trigrams(b)
    return len(ta & tb) / len(ta | tb)


def _view(values: array) -> np.ndarray:
    """A numpy view of an ``array('i')``; it must not outlive the call that made it
    (an array exporting its buffer cannot grow)."""
    if not values:
        return np.empty(0, dtype=np.intc)
    return np.frombuffer(values, dtype=np.intc)


class SimilarityIndex(Generic[K]):
    """Ideas indexed by key for "similar ideas" suggestions.

    ``SimilarityIndex(items)`` indexes ``(key, text)`` pairs; the text is the title, with
    the summary appended when there is one. Keys must be hashable and sortable among
    themselves (ties are ordered by key), typically the ideas' primary keys.
    """

    def __init__(self, items: Iterable[tuple[K, str]] = ()) -> None:
        self._lock = threading.RLock()
        # Vocabulary: token id (tid) -> token, document frequency, trigram count, ideas.
        self._tids: dict[str, int] = {}
        self._token_text: list[str] = []
        self._df = array("i")
        self._tri_len = array("i")  # 0 for tokens that only match exactly
        self._postings: list[array] = []  # tid -> document ids (did) holding it
        self._trigram_tids: dict[str, array] = {}  # trigram -> tids
        # Documents: did -> key, and their tokens as a slice of the entry arrays.
        self._keys: list[K] = []
        self._alive = bytearray()
        self._dids: dict[K, int] = {}
        self._doc_start = array("q")
        self._doc_len = array("i")
        self._entry_doc = array("i")
        self._entry_tok = array("i")
        # Derived, recomputed lazily.
        self._idf: np.ndarray | None = None
        self._norms: np.ndarray | None = None
        self._expansions: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for key, text in items:
            self.add(key, text)

    def __len__(self) -> int:
        return len(self._dids)

    def __contains__(self, key: object) -> bool:
        return key in self._dids

    # --- changes ------------------------------------------------------------------

    def add(self, key: K, text: str) -> None:
        """Index ``text`` under ``key``, replacing what ``key`` had (an edited title)."""
        distinct = list(dict.fromkeys(tokens(text or "")))
        with self._lock:
            if key in self._dids:
                self._remove(key)
            did = len(self._keys)
            self._keys.append(key)
            self._alive.append(1)
            self._dids[key] = did
            self._doc_start.append(len(self._entry_doc))
            self._doc_len.append(len(distinct))
            for token in distinct:
                tid = self._tids.get(token)
                if tid is None:
                    tid = self._new_token(token)
                self._entry_doc.append(did)
                self._entry_tok.append(tid)
                self._postings[tid].append(did)
                self._df[tid] += 1
            self._idf = self._norms = None

    def remove(self, key: K) -> None:
        """Forget ``key`` (a deleted, hidden or merged idea); KeyError if it is unknown."""
        with self._lock:
            self._remove(key)
            dead = len(self._keys) - len(self._dids)
            if dead > 1000 and dead > len(self._dids):
                self._compact()

    def _remove(self, key: K) -> None:
        did = self._dids.pop(key)
        self._alive[did] = 0
        start = self._doc_start[did]
        for tid in self._entry_tok[start : start + self._doc_len[did]]:
            self._postings[tid].remove(did)
            self._df[tid] -= 1
        self._idf = self._norms = None

    def _new_token(self, token: str) -> int:
        tid = len(self._token_text)
        self._tids[token] = tid
        self._token_text.append(token)
        self._df.append(0)
        self._postings.append(array("i"))
        if any(char.isdigit() for char in token):
            self._tri_len.append(0)
        else:
            grams = trigrams(token)
            self._tri_len.append(len(grams))
            for gram in grams:
                self._trigram_tids.setdefault(gram, array("i")).append(tid)
        self._expansions.clear()  # a cached query token may match the new token
        return tid

    def _compact(self) -> None:
        """Renumber the live documents so that removed ones stop taking memory."""
        keys, starts, lengths = self._keys, self._doc_start, self._doc_len
        entry_tok, alive = self._entry_tok, self._alive
        self._keys, self._alive, self._dids = [], bytearray(), {}
        self._doc_start, self._doc_len = array("q"), array("i")
        self._entry_doc, self._entry_tok = array("i"), array("i")
        self._postings = [array("i") for _ in self._token_text]
        for old, key in enumerate(keys):
            if not alive[old]:
                continue
            did = len(self._keys)
            self._keys.append(key)
            self._alive.append(1)
            self._dids[key] = did
            self._doc_start.append(len(self._entry_doc))
            self._doc_len.append(lengths[old])
            for tid in entry_tok[starts[old] : starts[old] + lengths[old]]:
                self._entry_doc.append(did)
                self._entry_tok.append(tid)
                self._postings[tid].append(did)
        self._idf = self._norms = None

    # --- search -------------------------------------------------------------------

    def search(
        self,
        text: str,
        *,
        limit: int = 5,
        min_score: float = 0.2,
        exclude: Iterable[K] = (),
    ) -> list[tuple[K, float]]:
        """The ideas most similar to ``text`` as ``(key, score)`` pairs, best first.

        Scores are cosines in [0, 1] rounded to 6 decimals; only ideas scoring at least
        ``min_score`` are returned, at most ``limit`` of them, equal scores by key.
        ``exclude`` lists keys never returned (the idea being edited). A text made only of
        stopwords has no token and finds nothing.
        """
        if limit < 0:
            raise ValueError(f"limit must be >= 0, got {limit}")
        query = list(dict.fromkeys(tokens(text or "")))
        if not query or limit == 0:
            return []
        with self._lock:
            if not self._dids:
                return []
            found = self._score(query)
            if found is None:
                return []
            cands, scores = found
            keep = scores >= min_score
            excluded = [self._dids[key] for key in set(exclude) if key in self._dids]
            if excluded:
                keep &= ~np.isin(cands, excluded)
            cands, scores = cands[keep], scores[keep]
            if len(scores) > limit:  # keep the best, with every idea tied with the last
                threshold = -np.partition(-scores, limit - 1)[limit - 1]
                best = scores >= threshold
                cands, scores = cands[best], scores[best]
            keys = self._keys
            ranked = sorted(
                zip((keys[did] for did in cands.tolist()), scores.tolist(), strict=True),
                key=lambda pair: (-pair[1], pair[0]),
            )
        return ranked[:limit]

    def _weights(self) -> tuple[np.ndarray, np.ndarray]:
        """IDF per token and norm per document, recomputed after a change."""
        if self._idf is None or self._norms is None:
            n = len(self._dids)
            df = _view(self._df).astype(np.float64)
            self._idf = np.log((n + 1) / (df + 1)) + 1.0
            squares = self._idf[_view(self._entry_tok)] ** 2
            norms = np.bincount(_view(self._entry_doc), weights=squares, minlength=len(self._keys))
            self._norms = np.sqrt(norms)
        return self._idf, self._norms

    def _expand(self, token: str) -> tuple[np.ndarray, np.ndarray]:
        """Vocabulary tokens matching a query token, as (tids, similarities), closest
        first (ties by token); cached until the vocabulary grows."""
        cached = self._expansions.get(token)
        if cached is not None:
            return cached
        tid = self._tids.get(token)
        if any(char.isdigit() for char in token):
            tids = [tid] if tid is not None else []
            result = (np.array(tids, dtype=np.intc), np.ones(len(tids)))
        else:
            grams = trigrams(token)
            lists = [_view(self._trigram_tids[g]) for g in grams if g in self._trigram_tids]
            if lists:
                found, shared = np.unique(np.concatenate(lists), return_counts=True)
                del lists
                sims = shared / (len(grams) + _view(self._tri_len)[found] - shared)
                close = sims >= FUZZY_MIN
                found, sims = found[close], sims[close]
                text = self._token_text
                order = sorted(range(len(found)), key=lambda i: (-sims[i], text[found[i]]))
                result = (found[order].astype(np.intc), sims[order])
            else:
                result = (np.empty(0, dtype=np.intc), np.empty(0))
        if len(self._expansions) >= _CACHE_SIZE:
            self._expansions.clear()
        self._expansions[token] = result
        return result

    def _score(self, query: list[str]) -> tuple[np.ndarray, np.ndarray] | None:
        """Candidate document ids and their rounded scores, or None when nothing matches.

        For each query token and idea, the best of the token's matches counts; the sums
        are accumulated sparsely (sorting the candidates) when they are few, in a dense
        array over all ideas (a few cheap vectorised passes) when they are many.
        """
        idf, norms = self._weights()
        df = _view(self._df)
        unseen = math.log(len(self._dids) + 1) + 1.0  # the IDF of a token no idea has
        weights = []
        matches: list[list[tuple[np.ndarray, float]]] = []  # per token: (ideas, value)
        total = 0
        for token in query:
            tids, sims = self._expand(token)
            live = df[tids] > 0
            tids, sims = tids[live][:MAX_EXPANSIONS], sims[live][:MAX_EXPANSIONS]
            if not len(tids):
                weights.append(unseen)
                continue
            # An exact match is first (similarity 1); a typo weighs like what it matches.
            weight = float(idf[tids[0]])
            weights.append(weight)
            found = [
                (_view(self._postings[tid]).copy(), weight * sim * float(idf[tid]))
                for tid, sim in zip(tids.tolist(), sims.tolist(), strict=True)
            ]
            matches.append(found)
            total += sum(len(ids) for ids, _ in found)
        del df
        if not matches:
            return None
        size = len(self._keys)
        if total * 8 < size:
            cands, sums = self._sum_sparse(matches)
        else:
            sums = np.zeros(size)
            for found in matches:
                if len(found) == 1:
                    ids, value = found[0]
                    sums[ids] += value  # ids are distinct within one posting list
                    continue
                best = np.zeros(size)
                for ids, value in found:
                    best[ids] = np.maximum(best[ids], value)
                sums += best
            cands = np.flatnonzero(sums)
            sums = sums[cands]
        query_norm = math.sqrt(sum(w * w for w in weights))
        scores = np.minimum(sums / (query_norm * norms[cands]), 1.0)
        return cands, np.round(scores, _DECIMALS)

    @staticmethod
    def _sum_sparse(
        matches: list[list[tuple[np.ndarray, float]]],
    ) -> tuple[np.ndarray, np.ndarray]:
        parts_ids, parts_vals = [], []
        for found in matches:
            ids = np.concatenate([ids for ids, _ in found])
            vals = np.concatenate([np.full(len(ids), value) for ids, value in found])
            if len(found) > 1:  # keep the best match of each idea
                order = np.lexsort((-vals, ids))
                ids, vals = ids[order], vals[order]
                first = np.ones(len(ids), dtype=bool)
                first[1:] = ids[1:] != ids[:-1]
                ids, vals = ids[first], vals[first]
            parts_ids.append(ids)
            parts_vals.append(vals)
        cands, inverse = np.unique(np.concatenate(parts_ids), return_inverse=True)
        sums = np.bincount(inverse, weights=np.concatenate(parts_vals), minlength=len(cands))
        return cands, sums
