import math
import random

import pytest

from cocon.lib.keywords import tokens
from cocon.lib.similar import (
    FUZZY_MIN,
    MAX_EXPANSIONS,
    SimilarityIndex,
    trigram_similarity,
    trigrams,
)

IDEAS = {
    1: "Distribuer des cendriers de poche pour réduire les mégots dans la rue",
    2: "Installer des poubelles de tri au parc de la Citadelle",
    3: "Réparer l'éclairage public de la rue Victor-Hugo",
    4: "Élargir les horaires du guichet de l'état civil le samedi matin",
    5: "Interdire le stationnement des trottinettes sur les trottoirs",
    6: "Des bancs à l'ombre au square des Tilleuls",
    7: "Créer une piste cyclable avenue de la République",
    8: "Ouvrir la médiathèque le dimanche après-midi",
    9: "Ramassage des encombrants une fois par mois",
    10: "Un composteur collectif dans chaque résidence",
    11: "Toilettes publiques près du marché couvert",
    12: "Ralentisseurs devant l'école Jules-Ferry",
    13: "Prendre rendez-vous en ligne pour les cartes d'identité",
    14: "Des menus végétariens à la cantine deux fois par semaine",
    15: "Planter des arbres fruitiers dans les jardins partagés",
    16: "Fontaines à eau potable dans les parcs en été",
    17: "Navette gratuite vers la zone commerciale",
    18: "Réduire le bruit des livraisons la nuit rue Nationale",
    19: "Wifi public gratuit à la gare routière",
    20: "Bornes de recharge pour voitures électriques au parking de la mairie",
    21: "Arceaux pour vélos devant la piscine",
    22: "Nettoyer les tags sur les murs de l'école",
    23: "Abri pour attendre le bus ligne 110",
    24: "Ouvrir l'accueil de la mairie entre midi et deux",
    25: "Un espace canin clôturé au parc des Berges",
    26: "Des jeux pour enfants accessibles en fauteuil",
    27: "Éclairer le passage piéton de la rue de la Gare",
    28: "Réparer les nids de poule chemin des Vignes",
    29: "Afficher les horaires de passage du bus aux arrêts",
    30: "Végétaliser la cour de l'école maternelle",
}


@pytest.fixture
def index():
    return SimilarityIndex(IDEAS.items())


def keys(results):
    return [key for key, _ in results]


# --- trigrams ------------------------------------------------------------------------


def test_trigrams_are_padded_like_pg_trgm():
    assert trigrams("bus") == {"  b", " bu", "bus", "us "}


@pytest.mark.parametrize(
    "a,b,close",
    [
        ("trotinette", "trottinette", True),
        ("poubele", "poubelle", True),
        ("eclairag", "eclairage", True),
        ("rue", "rues", True),
        ("cendrier", "poubelle", False),
        ("circulation", "consultation", False),
    ],
)
def test_trigram_similarity(a, b, close):
    assert trigram_similarity(a, a) == 1.0
    assert trigram_similarity(a, b) == trigram_similarity(b, a)
    assert (trigram_similarity(a, b) >= FUZZY_MIN) is close


# --- duplicates and unrelated ideas -------------------------------------------------


@pytest.mark.parametrize(
    "query,expected",
    [
        ("Donner des cendriers de poche contre les megots", 1),
        ("MÉGOTS : des cendriers de poche !", 1),
        ("Trop de mégots par terre", 1),
        ("plus de poubelles dans le parc de la citadelle", 2),
        ("L’éclairage rue Victor Hugo est en panne", 3),
        ("Horaires du guichet état-civil", 4),
        ("Les trottinettes garées sur le trottoir", 5),
        ("Un banc ombragé square des tilleuls", 6),
        ("Piste cyclable sur l'avenue de la République", 7),
        ("médiathèque ouverte le dimanche", 8),
        ("Le bus 110 : un abri à l'arrêt", 23),
    ],
)
def test_the_duplicate_written_differently_comes_first(index, query, expected):
    results = index.search(query)
    assert results, query
    assert results[0][0] == expected
    assert len(results) == 1 or results[0][1] > results[1][1]  # clearly first, not a tie


@pytest.mark.parametrize(
    "query,related",
    [
        ("Horaires du guichet", {4, 29}),  # 29 is about the bus timetable: shares "horaires"
        ("Des cendriers de poche", {1}),
        ("Réparer l'éclairage de la rue Victor-Hugo", {3}),
        ("Une piscine chauffée en hiver", {21}),
        ("Une ludothèque pour les familles", set()),
        ("Sapin de Noël sur la place", set()),
    ],
)
def test_unrelated_ideas_stay_below_min_score(index, query, related):
    found = set(keys(index.search(query, limit=30)))
    assert found <= related
    # they do exist with a lower score: min_score is what keeps them out
    assert set(keys(index.search(query, limit=30, min_score=0.0))) >= related


def test_a_shared_common_word_alone_is_not_enough(index):
    # "rue" is in 4 ideas: the noise-level match with idea 18 stays under 0.2
    results = dict(index.search("Réparer l'éclairage de la rue Victor-Hugo", min_score=0.0))
    assert results[3] > 0.8
    assert 0 < results[18] < 0.2
    assert 0 < results[28] < 0.2  # shares "réparer" only


@pytest.mark.parametrize("query", ["", "   ", "Le la les de du des et à", "Il faut que ce soit"])
def test_stopwords_only_queries_return_nothing(index, query):
    assert tokens(query) == []
    assert index.search(query, min_score=0.0) == []


def test_unknown_words_return_nothing(index):
    assert index.search("xylophone zeppelin", min_score=0.0) == []


# --- typos and variants -------------------------------------------------------------


@pytest.mark.parametrize(
    "query,expected",
    [
        ("trotinettes sur les trotoirs", 5),
        ("poubele de tri au parc", 2),
        ("megot cendrier", 1),
        ("horraires guichet", 4),
        ("medaitheque dimanche", 8),
        ("éclairrage public", 3),
        ("composteurs collectifs", 10),
    ],
)
def test_typos_and_variants_still_match(index, query, expected):
    assert keys(index.search(query))[:1] == [expected]


def test_a_typo_scores_less_than_the_exact_word(index):
    exact = dict(index.search("trottinettes sur les trottoirs"))[5]
    typo = dict(index.search("trotinettes sur les trotoirs"))[5]
    assert 0.2 < typo < exact


def test_a_typo_in_the_index_is_found_by_the_right_spelling():
    index = SimilarityIndex([(1, "Garer les trotinettes ailleurs"), (2, "Horaires du guichet")])
    assert keys(index.search("trottinette garée")) == [1]


def test_numbers_only_match_exactly(index):
    assert keys(index.search("bus 110", limit=1)) == [23]
    scores = dict(index.search("bus 110", min_score=0.0))
    other = dict(index.search("bus 111", min_score=0.0))
    assert other[23] < scores[23]  # "111" does not count as a typo of "110"
    # "111" counts like any word no idea has
    assert index.search("bus 111", min_score=0.0) == index.search("bus qqqq", min_score=0.0)


# --- scores, limit, exclude ----------------------------------------------------------


def test_an_identical_text_scores_one(index):
    assert index.search(IDEAS[14])[0] == (14, 1.0)


def test_scores_are_sorted_and_bounded(index):
    results = index.search("parc école rue bus mairie", limit=30, min_score=0.0)
    assert len(results) > 5
    scores = [score for _, score in results]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 < score <= 1.0 for score in scores)


def test_limit_and_min_score(index):
    everything = index.search("parc école rue bus mairie", limit=30, min_score=0.0)
    assert index.search("parc école rue bus mairie", limit=3, min_score=0.0) == everything[:3]
    threshold = everything[4][1]
    above = index.search("parc école rue bus mairie", limit=30, min_score=threshold)
    assert above == [pair for pair in everything if pair[1] >= threshold]
    assert index.search("parc école", limit=0) == []
    with pytest.raises(ValueError, match="limit"):
        index.search("parc", limit=-1)


def test_exclude(index):
    assert 1 not in keys(index.search("cendriers de poche mégots", exclude=[1], min_score=0.0))
    assert keys(index.search("bus", exclude={23}, min_score=0.0)) == [29]
    assert index.search("bus", exclude=[23, 29, 999], min_score=0.0) == []


# --- changes -------------------------------------------------------------------------


def test_removal(index):
    index.remove(1)
    assert 1 not in index
    assert len(index) == len(IDEAS) - 1
    assert index.search("cendriers de poche mégots") == []
    with pytest.raises(KeyError):
        index.remove(1)
    index.add(1, IDEAS[1])
    assert keys(index.search("cendriers de poche mégots")) == [1]


def test_add_replaces_the_text_of_a_key(index):
    index.add(31, "Cendriers de poche gratuits à la mairie")
    assert keys(index.search("cendriers de poche")) == [31, 1]
    index.add(31, "Des bancs à la gare")
    assert keys(index.search("cendriers de poche")) == [1]
    assert 31 in keys(index.search("bancs gare"))
    assert len(index) == len(IDEAS) + 1


def test_adding_changes_the_weights_like_a_fresh_build(index):
    index.add(31, "Cendriers de poche gratuits à la mairie")
    index.search("cendriers")
    index.add(32, "Encore des cendriers")
    index.remove(7)
    items = {**IDEAS, 31: "Cendriers de poche gratuits à la mairie", 32: "Encore des cendriers"}
    del items[7]
    fresh = SimilarityIndex(items.items())
    for query in ("cendriers de poche", "piste cyclable", "mairie", "mégots rue"):
        assert index.search(query, min_score=0.0) == fresh.search(query, min_score=0.0)


def test_many_removals_compact_without_changing_results():
    rng = random.Random(3)
    words = sorted({t for text in IDEAS.values() for t in text.split() if len(t) > 4})
    texts = {key: " ".join(rng.sample(words, 4)) for key in range(2500)}
    index = SimilarityIndex(texts.items())
    for key in range(0, 2000):
        index.remove(key)
    index.add(2000, "Cendriers de poche")  # replaces a live key after the compaction
    kept = {key: text for key, text in texts.items() if key >= 2000}
    kept[2000] = "Cendriers de poche"
    fresh = SimilarityIndex(kept.items())
    assert len(index) == len(fresh) == 500
    for query in ["cendriers de poche", *rng.sample(list(kept.values()), 20)]:
        assert index.search(query, limit=10, min_score=0.0) == fresh.search(
            query, limit=10, min_score=0.0
        )


def test_empty_index():
    index = SimilarityIndex()
    assert len(index) == 0
    assert index.search("cendriers de poche", min_score=0.0) == []
    index.add("a", "Cendriers de poche")
    index.remove("a")
    assert index.search("cendriers de poche", min_score=0.0) == []


def test_an_idea_without_words_is_kept_but_never_found():
    index = SimilarityIndex([(1, "Le la les"), (2, "")])
    assert len(index) == 2
    assert index.search("les", min_score=0.0) == []


# --- determinism ---------------------------------------------------------------------


def test_ties_are_ordered_by_key():
    same = "Des bancs au square des Tilleuls"
    index = SimilarityIndex([("c", same), ("a", same), ("b", "Des bancs square Tilleuls")])
    assert index.search("bancs square tilleuls", min_score=0.0) == [
        ("a", 1.0),
        ("b", 1.0),
        ("c", 1.0),
    ]
    assert index.search("bancs square tilleuls", limit=2) == [("a", 1.0), ("b", 1.0)]


def test_insertion_order_does_not_change_results():
    items = list(IDEAS.items())
    shuffled = items[:]
    random.Random(1).shuffle(shuffled)
    first, second = SimilarityIndex(items), SimilarityIndex(shuffled)
    for query in ("parc école rue bus mairie", "horraires guichet", "bancs", "trotinette"):
        expected = first.search(query, limit=30, min_score=0.0)
        assert expected
        assert second.search(query, limit=30, min_score=0.0) == expected
        assert first.search(query, limit=30, min_score=0.0) == expected


# --- against a plain reference implementation ----------------------------------------


def reference_search(texts, query, limit, min_score):
    """The documented scoring written naively: soft cosine over IDF-weighted token sets."""
    docs = {key: set(tokens(text)) for key, text in texts.items()}
    n = len(docs)
    df = {}
    for doc in docs.values():
        for token in doc:
            df[token] = df.get(token, 0) + 1
    idf = {token: math.log((n + 1) / (count + 1)) + 1 for token, count in df.items()}

    def matches(q):
        if any(c.isdigit() for c in q):
            return [(q, 1.0)] if q in df else []
        close = [(t, trigram_similarity(q, t)) for t in df if not any(c.isdigit() for c in t)]
        close = [(t, s) for t, s in close if s >= FUZZY_MIN]
        close.sort(key=lambda pair: (-pair[1], pair[0]))
        return close[:MAX_EXPANSIONS]

    weights, sums = [], dict.fromkeys(docs, 0.0)
    for q in dict.fromkeys(tokens(query)):
        found = matches(q)
        weight = idf[found[0][0]] if found else math.log(n + 1) + 1
        weights.append(weight)
        for key, doc in docs.items():
            sums[key] += max((weight * s * idf[t] for t, s in found if t in doc), default=0.0)
    qnorm = math.sqrt(sum(w * w for w in weights))
    results = []
    for key, value in sums.items():
        if value > 0:
            score = round(
                min(value / (qnorm * math.sqrt(sum(idf[t] ** 2 for t in docs[key]))), 1), 6
            )
            if score >= min_score:
                results.append((key, score))
    results.sort(key=lambda pair: (-pair[1], pair[0]))
    return results[:limit]


def test_matches_the_reference_on_random_titles():
    # Big enough for rare words to take the sparse path and common ones the dense path.
    rng = random.Random(5)
    words = sorted({w for text in IDEAS.values() for w in text.replace("'", " ").split()})
    typos = ["poubele", "trotinette", "cendrié", "eclairrage", "horraire", "110", "111"]
    texts = {k: " ".join(rng.sample(words, rng.randrange(2, 7))) for k in range(600)}
    texts.update({600 + i: f"{word} unique{i}" for i, word in enumerate(typos)})
    index = SimilarityIndex(texts.items())
    queries = [" ".join(rng.sample(words + typos, rng.randrange(1, 5))) for _ in range(40)]
    # many words: enough candidates for the dense accumulation
    queries += [" ".join([*rng.sample(words, 6), rng.choice(typos)]) for _ in range(10)]
    queries += ["unique3", "poubelle", "trottinette 111", "le la"]
    for query in queries:
        for limit, min_score in ((5, 0.2), (50, 0.0)):
            expected = reference_search(texts, query, limit, min_score)
            got = index.search(query, limit=limit, min_score=min_score)
            assert keys(got) == keys(expected), query
            assert [s for _, s in got] == pytest.approx([s for _, s in expected], abs=2e-6)
