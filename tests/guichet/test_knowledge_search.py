"""Knowledge-base search, typo tolerance: on PostgreSQL through the vocabulary of the
entries' words (`guichet_knowledge_word`, kept up to date by triggers), on SQLite through
FTS5's own vocabulary. Backend-specific tests skip on the other backend."""

from __future__ import annotations

import pytest
from django.db import connection

from cocon.guichet import selectors_knowledge as selectors
from cocon.guichet.models import KnowledgeEntry
from tests.guichet.test_knowledge_services import found, make_entry

pytestmark = pytest.mark.django_db


def needs_postgresql():
    if connection.vendor != "postgresql" or not selectors.has_vocabulary():
        pytest.skip("PostgreSQL vocabulary of the knowledge entries (pg_trgm)")


def vocabulary() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT word FROM guichet_knowledge_word")
        return {w for (w,) in cursor.fetchall()}


def test_typo_in_one_of_two_words(guichet):
    a = make_entry(guichet, question="Changement d'adresse sur la carte grise")
    make_entry(guichet, question="Allocation logement pour un étudiant")
    for q in ("changment adresse", "changement adrese", "changment adrese", "carte grisse"):
        assert found(guichet, q) == [a], q


def test_any_word_gives_the_entries_with_some_of_the_words_most_first(guichet):
    a = make_entry(guichet, question="Changement d'adresse sur la carte grise")
    b = make_entry(guichet, question="Changement de situation et carte grise du véhicule")
    make_entry(guichet, question="Allocation logement pour un étudiant")
    territory = guichet.world.territory
    q = "handicap changment adresse"
    assert list(selectors.search(territory, selectors.SearchFilters(q=q))[:20]) == []
    rows = selectors.search(territory, selectors.SearchFilters(q=q, any_word=True))
    assert list(rows[:20]) == [a, b]  # two of the three words (one with a typo) before one
    none = selectors.search(territory, selectors.SearchFilters(q="handicap moto", any_word=True))
    assert list(none[:20]) == []


def test_typo_in_the_answer_and_without_accents(guichet):
    a = make_entry(guichet, question="Aide au logement", answer="Pour un travailleur saisonnier.")
    assert found(guichet, "saisoonnier") == [a]
    assert found(guichet, "logment saisonier") == [a]
    b = make_entry(guichet, question="Famille monoparentale hébergée chez un tiers")
    assert found(guichet, "monoparentale hebergee") == [b]
    assert found(guichet, "monoparentalle hébergé") == [b]


def test_exact_matches_rank_before_corrections(guichet):
    exact = make_entry(guichet, question="Logement pour un étudiant", answer="Logement.")
    make_entry(guichet, question="Une autre question", answer="Rien à voir, un étudiant.")
    assert found(guichet, "logement etudiant")[0] == exact


def test_queries_with_tsquery_syntax_do_not_fail(guichet):
    make_entry(guichet, question="Allocation logement pour un étudiant")
    for q in ("alocation & | ! :* ( logemnt", "'alocation' <-> \"logemnt\"", "l'alocation_x"):
        rows = found(guichet, q)
        assert all(isinstance(r, KnowledgeEntry) for r in rows)


def test_postgresql_vocabulary_kept_up_to_date(guichet):
    needs_postgresql()
    entry = make_entry(guichet, question="Pension de réversion", answer="Voir la CARSAT, 2024.")
    words = vocabulary()
    assert {"pension", "reversion", "voir", "carsat"} <= words
    assert not {w for w in words if any(c.isdigit() for c in w)}
    # the question edited: its new words come in; the usage count alone triggers nothing
    KnowledgeEntry.objects.filter(pk=entry.pk).update(question="Minimum vieillesse")
    assert {"minimum", "vieillesse"} <= vocabulary()
    assert found(guichet, "vieilesse") == [entry]
    # several entries in one statement (bulk loads): one trigger call over them all
    KnowledgeEntry.objects.bulk_create(
        [
            KnowledgeEntry(
                territory=guichet.world.territory,
                organization=guichet.world.org_b,
                topic=guichet.rsa,
                question=f"Question {word}",
                answer="Réponse",
                sources="-",
                valid_until=entry.valid_until,
            )
            for word in ("cantine", "passeport")
        ]
    )
    assert {"cantine", "passeport", "reponse"} <= vocabulary()
    assert len(found(guichet, "passeport")) == 1


def test_postgresql_corrections(guichet):
    needs_postgresql()
    make_entry(guichet, question="Allocation logement pour un étudiant")
    corrections = selectors._pg_corrections(["alocation", "logemnt", "rsa", "2024"])
    assert corrections["alocation"][0] == "allocation"
    assert corrections["logemnt"][0] == "logement"
    assert "rsa" not in corrections and "2024" not in corrections
    query = selectors._pg_fuzzy_query(["alocation", "logemnt"])
    assert query.startswith("(alocation | allocation") and " & (logemnt | logement" in query
    assert selectors._pg_fuzzy_query(["zzzzzz"]) is None
