"""Stratified random draw with a published seed (issue "Démarches", ambassador calls).

Pure Python (no Django). Agents apply to a call; the animateur sets the number of seats
and diversity targets (e.g. categories A 30 % / B 30 % / C 40 %). Cocon proposes a
selection that meets the targets as closely as the greedy procedure below allows, from a
seed published in advance, so that anyone can re-run the draw, by hand or in another
language, and get the same result. The procedure, which is what the call's page publishes:

1. **Values.** Only the attributes named in the targets count. A candidate's value for an
   attribute is the text given with leading and trailing spaces removed; a missing or
   blank value is the empty value ``""`` ("non renseigné"), an ordinary value that may
   itself have a target. Target value names are stripped the same way.

2. **Quotas** (largest remainder, or Hamilton, method), per attribute. The shares are
   taken as the exact decimal numbers written (30 % as 0.3 is 3/10; only their ratios
   matter, so 30/30/40 and 0.3/0.3/0.4 are the same) and all arithmetic is exact. Each
   value gets ``seats * share / total of shares`` seats, rounded down; the seats still
   free go, one each, to the values with the largest fractional parts, ties broken by
   value name in ascending Unicode code point order (so "A" before "B", and the empty
   value first). Example: 10 seats, A, B, C one third each: 3.33 each, 3 + 3 + 3, the
   free seat goes to A: A 4, B 3, C 3. A value of the pool absent from the targets has
   quota 0: it is drawn only when nobody helps a quota any more.

3. **Lottery number.** Each candidate's number is the SHA-256 of the UTF-8 text
   ``"<seed>:<key>"`` (seed and key as published, joined by a colon, no spaces added),
   written as 64 lowercase hexadecimal digits. Smaller numbers come first; comparing the
   hexadecimal texts alphabetically is the same as comparing the numbers.

4. **Greedy selection.** Start with nobody selected. At each step, a remaining candidate's
   *score* is the number of attributes for which its value is still under quota (fewer
   selected people with that value than the quota): picking it reduces the total
   shortfall ``sum over attributes and values of max(0, quota - selected)`` by exactly
   its score. Pick the candidate with the highest score; among equal scores, the one
   with the smallest lottery number (then the smallest key, which never happens in
   practice). Repeat until every seat is filled: those are the selected people, in draw
   order. Then continue the same steps, with the same quotas and counting the people
   already placed on the waiting list as selected, until nobody remains: that order is
   the waiting list, the next people to call when someone withdraws. (Quotas still unmet
   are thus helped first, then it is lottery order. Drawing again with one more seat
   recomputes the quotas for that number, so it may order people differently.)

The greedy procedure is simple to check by hand but does not search every combination:
with strongly correlated attributes it may miss a selection meeting every quota exactly.
When the pool holds enough people of each combination of values it meets every quota.
With fewer candidates than seats everyone is selected. ``gaps`` (achieved minus quota,
per attribute and value) reports what could not be met.

Performance: a score only ever decreases, so a heap with lazy re-evaluation makes a full
draw ``O(n * attributes * log n)``: 5,000 candidates run in a few tens of milliseconds.
"""

from __future__ import annotations

import hashlib
import heapq
import math
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from numbers import Real
from types import MappingProxyType

__all__ = [
    "Candidate",
    "DrawResult",
    "draw",
    "largest_remainder",
    "lottery_number",
    "new_seed",
    "quotas_for",
]

Targets = Mapping[str, Mapping[str, float]]
Counts = dict[str, dict[str, int]]


@dataclass(frozen=True)
class Candidate:
    """One applicant: a unique key (published with the lottery number) and attributes.

    A missing, ``None`` or blank attribute value means "non renseigné" and is drawn as
    the value ``""``. The attributes are copied, so later changes to the mapping given
    do not change the candidate.
    """

    key: str
    attributes: Mapping[str, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "attributes", MappingProxyType(dict(self.attributes)))

    def value(self, attribute: str) -> str:
        """The value drawn for ``attribute``: stripped text, ``""`` when not given."""
        raw = self.attributes.get(attribute)
        if raw is None:
            return ""
        if not isinstance(raw, str):
            raise ValueError(
                f"candidate {self.key!r}: value of {attribute!r} must be a string, "
                f"not {type(raw).__name__}"
            )
        return raw.strip()


@dataclass(frozen=True)
class DrawResult:
    """Everything the call's page publishes about one draw."""

    selected: list[str]
    """Keys of the selected candidates, in draw order."""
    waiting_list: list[str]
    """Keys of the others, in the order the procedure continues: the next to call."""
    quotas: Counts
    """Attribute -> value -> number of seats aimed at."""
    achieved: Counts
    """Attribute -> value -> number selected (values with a quota or a selected person)."""
    gaps: Counts
    """Attribute -> value -> achieved minus quota (negative: seats missing)."""
    seed: str
    lottery: dict[str, str]
    """Candidate key -> lottery number (64 hexadecimal digits), for every candidate."""


def new_seed() -> str:
    """A fresh random seed (16 hexadecimal digits), to publish before the draw."""
    return secrets.token_hex(8)


def lottery_number(seed: str, key: str) -> str:
    """The published lottery number: SHA-256 of ``"<seed>:<key>"`` in lowercase hex."""
    return hashlib.sha256(f"{seed}:{key}".encode()).hexdigest()


def _exact(share: object, where: str) -> Fraction:
    """A share as an exact rational: a float counts as the decimal it prints as (0.3 is
    3/10, not the nearest binary fraction), so the quotas are those computed by hand."""
    if isinstance(share, bool) or not isinstance(share, Real | Decimal):
        raise ValueError(f"{where}: share must be a number, not {type(share).__name__}")
    if isinstance(share, float | Decimal):
        if not math.isfinite(share):
            raise ValueError(f"{where}: share must be finite, got {share!r}")
        value = Fraction(repr(share)) if isinstance(share, float) else Fraction(share)
    else:
        value = Fraction(share)  # int, Fraction and other rationals are exact already
    if value < 0:
        raise ValueError(f"{where}: share must not be negative, got {share!r}")
    return value


def _clean_shares(attribute: str, shares: object) -> dict[str, Fraction]:
    if not isinstance(shares, Mapping):
        raise ValueError(
            f"targets[{attribute!r}] must map values to shares, not {type(shares).__name__}"
        )
    if not shares:
        raise ValueError(f"targets[{attribute!r}] has no values")
    clean: dict[str, Fraction] = {}
    for name, share in shares.items():
        if not isinstance(name, str):
            raise ValueError(f"targets[{attribute!r}]: value names must be strings, not {name!r}")
        value = name.strip()
        if value in clean:
            raise ValueError(f"targets[{attribute!r}]: value {value!r} is given twice")
        clean[value] = _exact(share, f"targets[{attribute!r}][{name!r}]")
    if sum(clean.values()) == 0:
        raise ValueError(f"targets[{attribute!r}]: shares add up to zero")
    return clean


def largest_remainder(shares: Mapping[str, float], seats: int) -> dict[str, int]:
    """Share ``seats`` between values in proportion to ``shares`` (Hamilton method).

    Shares are normalised (only ratios matter). Seats left after rounding every exact
    share down go to the largest fractional parts, ties broken by value name (ascending
    code points). The result, keyed by value name in ascending order, adds up to
    ``seats``; a value of share 0 gets 0.
    """
    _check_seats(seats)
    clean = _clean_shares("<shares>", shares)
    total = sum(clean.values())
    exact = {value: seats * share / total for value, share in clean.items()}
    quotas = {value: math.floor(x) for value, x in exact.items()}
    free = seats - sum(quotas.values())
    by_remainder = sorted(exact, key=lambda value: (-(exact[value] - quotas[value]), value))
    for value in by_remainder[:free]:
        quotas[value] += 1
    return dict(sorted(quotas.items()))


def quotas_for(targets: Targets, seats: int) -> Counts:
    """Integer quotas per attribute and value (see :func:`largest_remainder`)."""
    _check_seats(seats)
    if not isinstance(targets, Mapping):
        raise ValueError(
            f"targets must map attributes to {{value: share}}, not {type(targets).__name__}"
        )
    quotas: Counts = {}
    for attribute, shares in targets.items():
        if not isinstance(attribute, str) or not attribute:
            raise ValueError(f"target attribute names must be non-empty strings: {attribute!r}")
        clean = _clean_shares(attribute, shares)
        quotas[attribute] = largest_remainder(clean, seats)
    return quotas


def _check_seats(seats: object) -> None:
    if isinstance(seats, bool) or not isinstance(seats, int):
        raise ValueError(f"seats must be an integer, not {type(seats).__name__}")
    if seats < 1:
        raise ValueError(f"seats must be at least 1, got {seats}")


def draw(candidates: Iterable[Candidate], *, seats: int, targets: Targets, seed: str) -> DrawResult:
    """Run the published stratified draw (see the module docstring for the procedure).

    The result depends only on the seed, the candidates' keys and values, the seats and
    the targets: not on the order of ``candidates``. Raises :class:`ValueError` for
    invalid input (seats < 1, negative or non-numeric share, targets of the wrong shape,
    empty or duplicate candidate key, empty seed).
    """
    quotas = quotas_for(targets, seats)
    if not isinstance(seed, str) or not seed:
        raise ValueError(f"seed must be a non-empty string, got {seed!r}")
    attributes = list(quotas)

    pool: list[Candidate] = list(candidates)
    lottery: dict[str, str] = {}
    profiles: dict[str, tuple[str, ...]] = {}
    for candidate in pool:
        if not isinstance(candidate, Candidate):
            raise ValueError(f"candidates must be Candidate objects, not {candidate!r}")
        key = candidate.key
        if not isinstance(key, str) or not key.strip():
            raise ValueError(f"candidate keys must be non-empty strings, got {key!r}")
        if key in lottery:
            raise ValueError(f"candidate key {key!r} is given twice")
        lottery[key] = lottery_number(seed, key)
        profiles[key] = tuple(candidate.value(attribute) for attribute in attributes)

    # Deficit per attribute and value; a value without a quota is never under quota.
    missing = [dict(quotas[attribute]) for attribute in attributes]

    def score(key: str) -> int:
        return sum(
            1 for deficit, value in zip(missing, profiles[key], strict=True) if deficit.get(value)
        )

    # Heap of (-score, lottery, key). Scores only ever decrease, so a stored score is an
    # upper bound: when the top entry's score is still right it is the true best.
    heap = [(-score(key), lottery[key], key) for key in lottery]
    heapq.heapify(heap)
    order: list[str] = []
    while heap:
        stored, number, key = heap[0]
        current = score(key)
        if -stored != current:
            heapq.heapreplace(heap, (-current, number, key))
            continue
        heapq.heappop(heap)
        order.append(key)
        for deficit, value in zip(missing, profiles[key], strict=True):
            if deficit.get(value):
                deficit[value] -= 1

    selected, waiting_list = order[:seats], order[seats:]
    achieved: Counts = {}
    gaps: Counts = {}
    for index, attribute in enumerate(attributes):
        counts = dict.fromkeys(quotas[attribute], 0)
        for key in selected:
            value = profiles[key][index]
            counts[value] = counts.get(value, 0) + 1
        achieved[attribute] = dict(sorted(counts.items()))
        gaps[attribute] = {
            value: count - quotas[attribute].get(value, 0)
            for value, count in achieved[attribute].items()
        }
    return DrawResult(
        selected=selected,
        waiting_list=waiting_list,
        quotas=quotas,
        achieved=achieved,
        gaps=gaps,
        seed=seed,
        lottery=lottery,
    )
