import random
import time

import pytest

from cocon.lib.keywords import (
    STOPWORDS,
    best_matches,
    keyword_set,
    normalize,
    score,
    tokens,
    top_keywords,
)

POUBELLES = "Les poubelles ne sont pas ramassées rue Jean-Jaurès"
ECLAIRAGE = "L'éclairage public est en panne"
MERCI = "Merci à l'agent d'accueil"

# --- normalize -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        (POUBELLES, "les poubelles ne sont pas ramassees rue jean jaures"),
        (ECLAIRAGE, "eclairage public est en panne"),
        (MERCI, "merci a agent accueil"),
        ("L’éclairage  PUBLIC\test\nen panne !!!", "eclairage public est en panne"),
        ("Qu’il fasse beau, jusqu'à lundi", "il fasse beau a lundi"),
        (
            "C'est l’école d’été, n'est-ce pas ? J'y vais, m'a-t-il dit",
            "est ecole ete est ce pas y vais a t il dit",
        ),
        ("Lorsqu'on passe puisqu'il faut", "on passe il faut"),
        ("Aujourd'hui, presqu’île", "aujourdhui presquile"),
        ("Œuvre, cœur, ex æquo", "oeuvre coeur ex aequo"),
        ("Ça déborde : ÉCOLE Émile-Zola, garçon", "ca deborde ecole emile zola garcon"),
        ("« Guillemets » et 'apostrophes' seules", "guillemets et apostrophes seules"),
        ("Bus n°12, 38000 Grenoble — 3ᵉ étage", "bus n 12 38000 grenoble 3e etage"),
        ("snake_case&co", "snake case co"),
        ("", ""),
        ("   ...   ", ""),
    ],
)
def test_normalize(text, expected):
    assert normalize(text) == expected


def test_normalize_keeps_an_elision_letter_inside_a_word():
    # only a word-initial elision is dropped: "grand'rue" joins, "l'" alone stays a letter
    assert normalize("grand'rue") == "grandrue"
    assert normalize("l' école") == "l ecole"


# --- tokens --------------------------------------------------------------------------


def test_tokens_of_the_reference_sentences():
    assert tokens(POUBELLES) == ["poubelle", "ramassee", "rue", "jean", "jaure"]
    assert tokens(ECLAIRAGE) == ["eclairage", "public", "panne"]
    assert tokens(MERCI) == ["merci", "agent", "accueil"]


def test_plural_stemming_is_light():
    assert tokens("poubelles") == tokens("poubelle") == ["poubelle"]
    assert tokens("Les trous") == tokens("le trou") == ["trou"]
    assert tokens("tuyaux") == ["tuyau"]
    # words of 4 letters or fewer are left alone
    assert tokens("bus prix voix gaz") == ["bus", "prix", "voix", "gaz"]


def test_short_words_and_stopwords_are_dropped():
    assert tokens("Il y a un nid de poule au coin") == ["nid", "poule", "coin"]
    assert tokens("Bonjour Madame, est-ce que vous pouvez faire très vite svp ?") == ["vite"]
    assert tokens("Ce serait plus simple avec un bus") == ["simple", "bus"]
    assert tokens("le la les de du un une") == []


def test_thanks_and_strong_negations_are_kept():
    assert "merci" in tokens("Merci beaucoup")
    assert "remercie" in tokens("Je vous remercie")
    assert tokens("Jamais ramassées, rien n'est fait") == ["jamai", "ramassee", "rien"]


def test_numbers_of_three_digits_or_more_are_kept():
    assert tokens("Ligne 12, arrêt 38000 Grenoble") == ["ligne", "arret", "38000", "grenoble"]


def test_every_stopword_is_already_normalised():
    for word in STOPWORDS:
        assert normalize(word) == word
    assert "merci" not in STOPWORDS
    assert {"bonjour", "etre", "avoir", "faire", "tres", "plus"} <= STOPWORDS


def test_keyword_set():
    assert keyword_set("Poubelles, poubelles et encore des poubelles !") == frozenset({"poubelle"})
    assert keyword_set(POUBELLES) == frozenset({"poubelle", "ramassee", "rue", "jean", "jaure"})
    assert keyword_set("") == frozenset()


# --- score ---------------------------------------------------------------------------


def test_single_word_keywords_count_one_each():
    text = tokens(POUBELLES)
    assert score(text, ["poubelle"]) == 1.0
    assert score(text, ["Poubelles", "ramassage", "rue"]) == 2.0
    assert score(text, ["éclairage"]) == 0.0


def test_phrases_weigh_their_length_and_must_be_consecutive():
    assert score(tokens("J'ai perdu ma carte grise"), ["carte grise"]) == 2.0
    assert score(tokens("Mes cartes grises"), ["Carte grise"]) == 2.0
    # both words, but not next to each other: no match
    assert score(tokens("Une carte bleue grise"), ["carte grise"]) == 0.0
    assert score(tokens("Grise carte"), ["carte grise"]) == 0.0
    # stopwords are removed on both sides before matching
    assert score(tokens("demande de permis de construire"), ["permis de construire"]) == 2.0
    assert score(tokens("permis pour construire"), ["permis de construire"]) == 2.0
    assert score(tokens("La carte est grise"), ["carte grise"]) == 2.0  # known consequence


def test_a_keyword_counts_once_however_often_it_occurs():
    text = tokens("carte grise, carte grise et encore une carte grise")
    assert score(text, ["carte grise", "cartes grises", "carte"]) == 3.0


def test_empty_and_stopword_keywords_are_ignored():
    text = tokens(POUBELLES)
    assert score(text, []) == 0.0
    assert score(text, ["les", "", "  "]) == 0.0
    assert score([], ["poubelle"]) == 0.0


def test_score_accepts_raw_text():
    assert score("J'ai perdu ma carte grise", ["carte grise", "perdu"]) == 3.0


def test_score_is_a_float():
    assert isinstance(score(tokens(POUBELLES), ["poubelle"]), float)


# --- best_matches --------------------------------------------------------------------

SERVICES = {
    "proprete": ["poubelle", "ramassage", "encombrants", "déchets", "tri sélectif"],
    "voirie": ["rue", "trottoir", "nid de poule", "chaussée"],
    "eclairage": ["éclairage public", "lampadaire", "panne"],
    "etat_civil": ["carte grise", "carte d'identité", "passeport", "acte de naissance"],
    "accueil": ["accueil", "agent", "guichet"],
}


def test_best_matches_suggest_a_service():
    assert best_matches(POUBELLES, SERVICES) == [("proprete", 1.0), ("voirie", 1.0)]
    assert best_matches(ECLAIRAGE, SERVICES) == [("eclairage", 3.0)]
    assert best_matches(MERCI, SERVICES) == [("accueil", 2.0)]
    assert best_matches("Comment refaire ma carte grise ?", SERVICES) == [("etat_civil", 2.0)]
    assert best_matches("Un nid-de-poule rue Jean-Jaurès", SERVICES) == [("voirie", 3.0)]


def test_best_matches_order_ties_by_insertion_and_respect_the_limit():
    text = "poubelle rue lampadaire guichet passeport"
    assert [key for key, _ in best_matches(text, SERVICES, limit=10)] == [
        "proprete",
        "voirie",
        "eclairage",
        "etat_civil",
        "accueil",
    ]
    reversed_services = dict(reversed(SERVICES.items()))
    assert [key for key, _ in best_matches(text, reversed_services, limit=2)] == [
        "accueil",
        "etat_civil",
    ]
    assert best_matches(text, SERVICES, limit=0) == []


def test_best_matches_higher_score_first():
    text = "Lampadaire en panne devant la poubelle"
    assert best_matches(text, SERVICES) == [("eclairage", 2.0), ("proprete", 1.0)]


def test_best_matches_without_any_match():
    assert best_matches("Quelle est la date du conseil municipal ?", SERVICES) == []
    assert best_matches("", SERVICES) == []
    assert best_matches(POUBELLES, {}) == []


def test_best_matches_accepts_any_hashable_key_and_iterable():
    candidates = {1: ("poubelle",), (2, "b"): iter(["rue"]), None: {"panne"}}
    assert best_matches(POUBELLES, candidates) == [(1, 1.0), ((2, "b"), 1.0)]


def test_best_matches_refuses_a_negative_limit():
    with pytest.raises(ValueError):
        best_matches(POUBELLES, SERVICES, limit=-1)


# --- top_keywords --------------------------------------------------------------------


def test_top_keywords_counts_documents_not_occurrences():
    texts = [
        POUBELLES,
        "Poubelles poubelles poubelles !",
        "Encore les poubelles rue Victor-Hugo",
        ECLAIRAGE,
        "Panne d'éclairage rue Victor-Hugo",
        MERCI,
    ]
    assert top_keywords(texts) == [
        ("poubelle", 3),
        ("rue", 3),
        ("eclairage", 2),
        ("hugo", 2),
        ("panne", 2),
        ("victor", 2),
    ]
    assert top_keywords(texts, limit=2) == [("poubelle", 3), ("rue", 3)]
    assert top_keywords(texts, min_count=3) == [("poubelle", 3), ("rue", 3)]
    # with min_count=1 the 10 first include, alphabetically, words seen once
    assert top_keywords(texts, min_count=1)[6:] == [
        ("accueil", 1),
        ("agent", 1),
        ("jaure", 1),
        ("jean", 1),
    ]


def test_top_keywords_ties_are_alphabetical():
    texts = ["zebre abeille", "abeille zebre", "moustique", "moustique"]
    assert top_keywords(texts) == [("abeille", 2), ("moustique", 2), ("zebre", 2)]


def test_top_keywords_edge_cases():
    assert top_keywords([]) == []
    assert top_keywords(["", None, "le la les"]) == []
    assert top_keywords(["bruit"], min_count=1) == [("bruit", 1)]
    assert top_keywords(["bruit", "bruit"], limit=0) == []
    assert top_keywords(text for text in ["bruit", "bruits"]) == [("bruit", 2)]  # generator
    with pytest.raises(ValueError):
        top_keywords(["bruit"], limit=-1)


def test_top_keywords_agrees_with_tokens():
    texts = [POUBELLES, ECLAIRAGE, MERCI, "L'agent d'accueil, aujourd'hui", "Jusqu'à l'école"]
    expected = {}
    for text in texts:
        for token in set(tokens(text)):
            expected[token] = expected.get(token, 0) + 1
    assert dict(top_keywords(texts, limit=100, min_count=1)) == expected


VOCABULARY = (
    "poubelle poubelles ramassage bruit voisin éclairage panne lampadaire trottoir "
    "nid-de-poule stationnement bus retard école cantine piscine horaires mairie déchets "
    "encombrants parc jardin arbre le la les de du un une est sont pas très plus rue "
    "merci bonjour l'agent d'accueil"
)


def test_top_keywords_handles_100_000_short_texts_quickly():
    words = VOCABULARY.split()
    rnd = random.Random(20250505)
    texts = [
        " ".join(rnd.choice(words) for _ in range(rnd.randint(5, 15))) + f" n°{i}"
        for i in range(100_000)
    ]
    started = time.perf_counter()
    result = top_keywords(texts, limit=5)
    elapsed = time.perf_counter() - started
    assert result[0][0] == "poubelle"
    assert len(result) == 5
    assert elapsed < 2.0, f"top_keywords took {elapsed:.2f} s for 100 000 texts"
