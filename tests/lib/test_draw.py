import hashlib
import itertools
import random
from decimal import Decimal
from fractions import Fraction

import pytest

from cocon.lib.draw import (
    Candidate,
    draw,
    largest_remainder,
    lottery_number,
    new_seed,
    quotas_for,
)

THIRDS = {"A": 1 / 3, "B": 1 / 3, "C": 1 / 3}


def pool(n, seed=0, services=("RH", "Voirie", "Culture")):
    """n candidates with random category, gender (sometimes blank) and service."""
    rng = random.Random(seed)
    return [
        Candidate(
            f"agent-{i:05d}",
            {
                "category": rng.choice("ABC"),
                "gender": rng.choice(["F", "H", "", "  "]),
                "service": rng.choice(services),
            },
        )
        for i in range(n)
    ]


def full_grid(per_cell=5):
    """Every (category, gender) combination, per_cell times: exact quotas are reachable."""
    return [
        Candidate(f"{cat}{gender}{i}", {"category": cat, "gender": gender})
        for cat, gender in itertools.product("ABC", "FH")
        for i in range(per_cell)
    ]


# --- lottery and seed -----------------------------------------------------------------


def test_lottery_number_is_sha256_of_seed_colon_key():
    seed, key = "2026-11-24 Transfo", "agent-042"
    expected = hashlib.sha256(b"2026-11-24 Transfo:agent-042").hexdigest()
    assert lottery_number(seed, key) == expected
    assert len(expected) == 64


def test_result_publishes_every_lottery_number():
    candidates = pool(30)
    result = draw(candidates, seats=5, targets={"category": THIRDS}, seed="Transfo é")
    assert set(result.lottery) == {c.key for c in candidates}
    for c in candidates:
        recomputed = hashlib.sha256(f"Transfo é:{c.key}".encode()).hexdigest()
        assert result.lottery[c.key] == recomputed
    assert result.seed == "Transfo é"


def test_no_targets_is_pure_lottery_order():
    candidates = pool(20)
    result = draw(candidates, seats=4, targets={}, seed="s")
    order = sorted(result.lottery, key=result.lottery.__getitem__)
    assert result.selected + result.waiting_list == order
    assert result.quotas == result.achieved == result.gaps == {}


def test_new_seed_is_random_hex():
    seeds = {new_seed() for _ in range(5)}
    assert len(seeds) == 5
    for seed in seeds:
        assert len(seed) == 16
        int(seed, 16)


# --- reproducibility ------------------------------------------------------------------


def test_same_seed_same_result():
    targets = {"category": {"A": 30, "B": 30, "C": 40}, "gender": {"F": 1, "H": 1}}
    first = draw(pool(200), seats=20, targets=targets, seed="2026-11-24 Transfo")
    second = draw(pool(200), seats=20, targets=targets, seed="2026-11-24 Transfo")
    assert first == second


def test_different_seeds_give_different_selections():
    candidates = pool(200)
    targets = {"category": THIRDS}
    selections = {
        tuple(draw(candidates, seats=10, targets=targets, seed=str(s)).selected) for s in range(5)
    }
    assert len(selections) > 1


def test_result_does_not_depend_on_input_order():
    candidates = pool(300, seed=3)
    targets = {"category": {"A": 0.3, "B": 0.3, "C": 0.4}, "gender": {"F": 0.5, "H": 0.5}}
    reference = draw(candidates, seats=25, targets=targets, seed="x")
    shuffled = candidates[:]
    for s in range(3):
        random.Random(s).shuffle(shuffled)
        assert draw(shuffled, seats=25, targets=targets, seed="x") == reference
    assert draw(reversed(candidates), seats=25, targets=targets, seed="x") == reference


# --- quotas ---------------------------------------------------------------------------


def test_largest_remainder_thirds_tie_broken_by_value_name():
    assert largest_remainder(THIRDS, 10) == {"A": 4, "B": 3, "C": 3}
    assert largest_remainder({"C": 1, "B": 1, "A": 1}, 10) == {"A": 4, "B": 3, "C": 3}
    assert largest_remainder(THIRDS, 11) == {"A": 4, "B": 4, "C": 3}


def test_largest_remainder_known_examples():
    # 7 seats at 30/30/40: 2.1, 2.1, 2.8 -> the free seat goes to C
    assert largest_remainder({"A": 0.3, "B": 0.3, "C": 0.4}, 7) == {"A": 2, "B": 2, "C": 3}
    # shares are normalised: percentages, fractions and decimals agree
    assert largest_remainder({"A": 30, "B": 30, "C": 40}, 7) == {"A": 2, "B": 2, "C": 3}
    assert largest_remainder({"A": Fraction(3, 10), "B": Decimal("0.3"), "C": 0.4}, 7) == {
        "A": 2,
        "B": 2,
        "C": 3,
    }
    # 0.1 and 0.2 are taken as written: 10 * 0.1 / 0.3 is exactly 10/3
    assert largest_remainder({"x": 0.1, "y": 0.2}, 10) == {"x": 3, "y": 7}
    # a zero share never gets a seat; blank value sorts first on ties
    assert largest_remainder({"": 1, "F": 1, "H": 1, "X": 0}, 2) == {"": 1, "F": 1, "H": 0, "X": 0}


def test_quotas_add_up_to_seats():
    rng = random.Random(1)
    for _ in range(200):
        seats = rng.randint(1, 60)
        shares = {f"v{i}": rng.random() for i in range(rng.randint(1, 7))}
        quotas = largest_remainder(shares, seats)
        assert sum(quotas.values()) == seats
        total = sum(shares.values())
        for value, quota in quotas.items():
            assert abs(quota - seats * shares[value] / total) < 1


def test_quotas_for_every_attribute():
    targets = {"category": {"A": 30, "B": 30, "C": 40}, "gender": {" F ": 1, "H": 1}}
    assert quotas_for(targets, 10) == {
        "category": {"A": 3, "B": 3, "C": 4},
        "gender": {"F": 5, "H": 5},
    }


# --- selection ------------------------------------------------------------------------


@pytest.mark.parametrize("seed", ["a", "b", "c", "2026-11-24 Transfo", "42"])
def test_targets_met_exactly_on_two_attributes(seed):
    targets = {"category": {"A": 30, "B": 30, "C": 40}, "gender": {"F": 50, "H": 50}}
    result = draw(full_grid(), seats=10, targets=targets, seed=seed)
    assert result.quotas == {"category": {"A": 3, "B": 3, "C": 4}, "gender": {"F": 5, "H": 5}}
    assert result.achieved == result.quotas
    assert all(gap == 0 for gaps in result.gaps.values() for gap in gaps.values())
    assert len(result.selected) == 10
    assert len(result.waiting_list) == len(full_grid()) - 10


def test_targets_met_in_a_large_random_pool():
    targets = {
        "category": {"A": 30, "B": 30, "C": 40},
        "gender": {"F": 1, "H": 1},
        "service": {"RH": 1, "Voirie": 2, "Culture": 1},
    }
    result = draw(pool(2000, seed=7), seats=40, targets=targets, seed="t")
    assert result.achieved == result.quotas


def test_unreachable_quota_selects_everyone_available_and_reports_gap():
    candidates = [Candidate(f"a{i}", {"category": "A"}) for i in range(10)]
    candidates += [Candidate(f"b{i}", {"category": "B"}) for i in range(10)]
    candidates += [Candidate("c1", {"category": "C"}), Candidate("c2", {"category": "C"})]
    targets = {"category": {"A": 30, "B": 30, "C": 40}}
    result = draw(candidates, seats=10, targets=targets, seed="s")
    assert result.quotas == {"category": {"A": 3, "B": 3, "C": 4}}
    assert {"c1", "c2"} <= set(result.selected)
    assert result.achieved["category"]["C"] == 2
    assert result.gaps["category"]["C"] == -2
    assert sum(result.achieved["category"].values()) == 10
    assert sum(result.gaps["category"].values()) == 0  # the 2 missing C seats went elsewhere


def test_values_without_target_and_blank_values():
    candidates = [
        Candidate("f1", {"gender": "F"}),
        Candidate("x1", {"gender": "X"}),
        Candidate("n1", {}),
        Candidate("n2", {"gender": "   "}),
        Candidate("n3", {"gender": None}),
    ]
    result = draw(candidates, seats=3, targets={"gender": {"F": 1, "": 1}}, seed="s")
    # F and "" (non renseigné) are served first; X has no target: drawn last
    assert result.quotas == {"gender": {"": 2, "F": 1}}
    assert result.achieved == {"gender": {"": 2, "F": 1}}
    assert "x1" not in result.selected
    assert result.waiting_list[-1] == "x1"


def test_fewer_candidates_than_seats_selects_everyone():
    candidates = [Candidate("a", {"category": "A"}), Candidate("b", {"category": "B"})]
    result = draw(candidates, seats=5, targets={"category": THIRDS}, seed="s")
    assert sorted(result.selected) == ["a", "b"]
    assert result.waiting_list == []
    assert result.quotas == {"category": {"A": 2, "B": 2, "C": 1}}
    assert result.gaps == {"category": {"A": -1, "B": -1, "C": -1}}


def test_no_candidates():
    result = draw([], seats=3, targets={"category": THIRDS}, seed="s")
    assert result.selected == result.waiting_list == []
    assert result.achieved == {"category": {"A": 0, "B": 0, "C": 0}}
    assert result.lottery == {}


def test_ties_broken_by_lottery_number():
    # one attribute, everyone helps it equally: draw order is lottery order per value
    candidates = [Candidate(f"k{i}", {"category": "A"}) for i in range(8)]
    result = draw(candidates, seats=3, targets={"category": {"A": 1}}, seed="s")
    by_number = sorted(result.lottery, key=result.lottery.__getitem__)
    assert result.selected == by_number[:3]


def test_greedy_prefers_candidates_helping_more_attributes():
    candidates = [
        Candidate("AF", {"category": "A", "gender": "F"}),
        Candidate("AH", {"category": "A", "gender": "H"}),
        Candidate("BH", {"category": "B", "gender": "H"}),
    ]
    targets = {"category": {"A": 1, "B": 1}, "gender": {"F": 1, "H": 1}}
    firsts = set()
    for seed in map(str, range(30)):
        result = draw(candidates, seats=2, targets=targets, seed=seed)
        firsts.add(result.selected[0])
        if result.selected[0] == "AF":
            assert result.selected == ["AF", "BH"]  # BH helps both, AH only H
        if result.selected[0] == "BH":
            assert result.selected == ["BH", "AF"]  # AF helps both, AH only A
        if result.selected[0] == "AH":  # AF (F) and BH (B) help one each: lottery
            assert result.selected[1] == min(["AF", "BH"], key=result.lottery.__getitem__)
    assert firsts == {"AF", "AH", "BH"}


# --- waiting list ---------------------------------------------------------------------


def test_waiting_list_continues_the_procedure():
    # the seat added for 3 seats goes to C, absent from the pool: same quotas for A and B,
    # so drawing one more seat gives the selection plus the head of the waiting list
    targets = {"category": THIRDS}
    assert quotas_for(targets, 2)["category"]["C"] == 0
    assert quotas_for(targets, 3)["category"]["C"] == 1
    candidates = [c for c in pool(40) if c.attributes["category"] != "C"]
    for seed in map(str, range(10)):
        small = draw(candidates, seats=2, targets=targets, seed=seed)
        bigger = draw(candidates, seats=3, targets=targets, seed=seed)
        assert bigger.selected == [*small.selected, small.waiting_list[0]]
        assert bigger.selected + bigger.waiting_list == small.selected + small.waiting_list


def test_waiting_list_serves_unmet_quotas_first_then_lottery():
    candidates = [Candidate(f"a{i}", {"category": "A"}) for i in range(6)]
    candidates += [Candidate(f"c{i}", {"category": "C"}) for i in range(3)]
    result = draw(candidates, seats=4, targets={"category": {"A": 1, "C": 3}}, seed="q")
    assert result.achieved == {"category": {"A": 1, "C": 3}}
    # quotas met: the rest is in lottery order
    assert result.waiting_list == sorted(result.waiting_list, key=result.lottery.__getitem__)


def test_waiting_list_starts_with_someone_helping_an_unmet_quota():
    # 2 seats, A/B and F/H one each. Whoever is drawn first, the second pick helps one
    # attribute only (no BH), so one quota stays unmet; the waiting list then starts
    # with the candidate who helps it, whatever the lottery numbers.
    candidates = [
        Candidate("AF", {"category": "A", "gender": "F"}),
        Candidate("AH", {"category": "A", "gender": "H"}),
        Candidate("BF", {"category": "B", "gender": "F"}),
        Candidate("AF2", {"category": "A", "gender": "F"}),
    ]
    targets = {"category": {"A": 1, "B": 1}, "gender": {"F": 1, "H": 1}}
    checked = 0
    for seed in map(str, range(40)):
        result = draw(candidates, seats=2, targets=targets, seed=seed)
        unmet = {
            (attribute, value)
            for attribute, gaps in result.gaps.items()
            for value, gap in gaps.items()
            if gap < 0
        }
        if not unmet:
            continue
        checked += 1
        head = next(c for c in candidates if c.key == result.waiting_list[0])
        assert any(head.value(attribute) == value for attribute, value in unmet)
    assert checked > 0


def reference_order(candidates, quotas, seed):
    """The module docstring's procedure, written naively step by step."""
    number = {c.key: hashlib.sha256(f"{seed}:{c.key}".encode()).hexdigest() for c in candidates}
    selected = {attribute: {} for attribute in quotas}
    remaining = list(candidates)
    order = []
    while remaining:

        def rank(c):
            score = 0
            for attribute, quota in quotas.items():
                value = (c.attributes.get(attribute) or "").strip()
                if selected[attribute].get(value, 0) < quota.get(value, 0):
                    score += 1
            return (-score, number[c.key], c.key)

        best = min(remaining, key=rank)
        remaining.remove(best)
        order.append(best.key)
        for attribute in quotas:
            value = (best.attributes.get(attribute) or "").strip()
            selected[attribute][value] = selected[attribute].get(value, 0) + 1
    return order


@pytest.mark.parametrize("seed", range(8))
def test_matches_naive_reference_of_the_published_procedure(seed):
    rng = random.Random(seed)
    candidates = pool(rng.randint(5, 60), seed=seed)
    targets = {
        "category": {"A": rng.randint(0, 5), "B": rng.randint(1, 5), "C": rng.randint(0, 5)},
        "gender": {"F": 1, "H": rng.randint(1, 3), "": rng.choice([0, 1])},
        "service": {"RH": 1, "Voirie": 1},
    }
    seats = rng.randint(1, 20)
    result = draw(candidates, seats=seats, targets=targets, seed=f"seed {seed}")
    expected = reference_order(candidates, quotas_for(targets, seats), f"seed {seed}")
    assert result.selected == expected[:seats]
    assert result.waiting_list == expected[seats:]


# --- validation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"seats": 0}, "seats"),
        ({"seats": -3}, "seats"),
        ({"seats": 2.5}, "seats"),
        ({"seats": True}, "seats"),
        ({"targets": {"category": {"A": -0.1, "B": 1}}}, "negative"),
        ({"targets": {"category": {"A": float("nan")}}}, "finite"),
        ({"targets": {"category": {"A": "30%"}}}, "number"),
        ({"targets": {"category": {"A": 0, "B": 0}}}, "zero"),
        ({"targets": {"category": {}}}, "no values"),
        ({"targets": {"category": [0.3, 0.7]}}, "map"),
        ({"targets": [("category", {"A": 1})]}, "map"),
        ({"targets": {"": {"A": 1}}}, "attribute"),
        ({"targets": {"category": {"A": 1, " A": 1}}}, "twice"),
        ({"seed": ""}, "seed"),
        ({"seed": 42}, "seed"),
    ],
)
def test_invalid_parameters(kwargs, message):
    params = {"seats": 3, "targets": {"category": THIRDS}, "seed": "s", **kwargs}
    with pytest.raises(ValueError, match=message):
        draw(pool(10), **params)


@pytest.mark.parametrize(
    "candidates,message",
    [
        ([Candidate("", {})], "non-empty"),
        ([Candidate("  ", {})], "non-empty"),
        ([Candidate("a", {}), Candidate("a", {"category": "B"})], "twice"),
        ([Candidate("a", {"category": 3})], "string"),
        ([("a", {"category": "A"})], "Candidate"),
    ],
)
def test_invalid_candidates(candidates, message):
    with pytest.raises(ValueError, match=message):
        draw(candidates, seats=3, targets={"category": THIRDS}, seed="s")


def test_candidate_attributes_are_copied():
    attributes = {"category": "A"}
    candidate = Candidate("a", attributes)
    attributes["category"] = "B"
    assert candidate.value("category") == "A"
    assert candidate.value("gender") == ""
    assert hash(candidate) == hash(Candidate("a", {"category": "B"}))


# --- size -----------------------------------------------------------------------------


def test_large_draw_finishes():
    services = tuple(f"service-{i}" for i in range(12))
    candidates = pool(5000, seed=11, services=services)
    targets = {
        "category": {"A": 30, "B": 30, "C": 40},
        "gender": {"F": 50, "H": 50},
        "service": dict.fromkeys(services, 1),
    }
    result = draw(candidates, seats=100, targets=targets, seed="big")
    assert len(result.selected) == 100
    assert len(result.waiting_list) == 4900
    assert result.achieved == result.quotas
