"""Knowledge base pages: search, entry, « cette fiche m'a servi », writing an entry from
an answered question (prefilled, bad input shown next to the field, nothing written),
direct creation, edit, archive, my entries to review, what counters need."""

from __future__ import annotations

import datetime as dt
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from cocon.guichet.models import KnowledgeEntry, KnowledgeUse
from tests.conftest import fr
from tests.guichet.test_knowledge_services import NEXT_YEAR, answered_question, make_entry

pytestmark = pytest.mark.django_db

SEARCH = reverse("guichet:knowledge_search")


def entry_url(name, entry):
    return reverse(f"guichet:{name}", args=[entry.pk])


def test_search_page_every_agent_not_public(guichet, client_for, django_assert_max_num_queries):
    for i in range(30):
        make_entry(guichet, question=f"Allocation logement cas {i}", answer="Voir la CAF.")
    client = client_for("agent_b")
    client.get(SEARCH, {"q": "warm"})  # per-process caches (territory, pg_trgm present)
    with django_assert_max_num_queries(15):
        response = client.get(SEARCH, {"q": "allocation"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert html.count("data-entry=") == 20
    assert "<mark>Allocation</mark>" in html
    assert 'rel="next"' in html
    with django_assert_max_num_queries(15):
        assert client.get(SEARCH, {"q": "allocation", "page": 2}).status_code == 200
    client.logout()
    client.force_login(guichet["usager"])
    assert client.get(SEARCH).status_code == 403


def test_search_page_expired_flagged(guichet, client_for):
    entry = make_entry(guichet, question="Aide au permis de conduire")
    KnowledgeEntry.objects.filter(pk=entry.pk).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    html = client_for("agent").get(SEARCH, {"q": "permis"}).content.decode()
    assert "data-expired" in html
    assert fr("to be checked") in html
    html = client_for("agent").get(SEARCH, {"q": "permis", "valid_only": "on"}).content.decode()
    assert "data-entry=" not in html


def test_from_question_prefilled_then_found_by_another_counter(guichet, client, client_for):
    question = answered_question(guichet)
    url = reverse("guichet:knowledge_from_question", args=[question.pk])
    client.force_login(guichet["agent"])  # the asker is not a referent: refused
    assert client.get(url).status_code == 403
    client.force_login(guichet["agent_b"])  # cannot even see the question
    assert client.get(url).status_code == 404
    ref = client_for("ref_b")
    html = ref.get(url).content.decode()
    assert "allocation logement" in html and "sous conditions de ressources" in html
    response = ref.post(
        url,
        {
            "question": question.text,
            "answer": question.answer,
            "sources": "https://www.caf.fr/",
            "valid_until": NEXT_YEAR.isoformat(),
        },
    )
    entry = KnowledgeEntry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == entry_url("knowledge_entry", entry)
    assert entry.source_question == question
    # another counter (other organization) finds it, with a typo
    client.force_login(guichet["agent"])
    html = client.get(SEARCH, {"q": "alocation logemnt"}).content.decode()
    assert entry_url("knowledge_entry", entry) in html
    # a second time: to the existing entry
    client.force_login(guichet["ref_b"])
    assert client.get(url)["Location"] == entry_url("knowledge_entry", entry)


def test_entry_without_sources_or_validity_shows_errors(guichet, client_for):
    question = answered_question(guichet)
    url = reverse("guichet:knowledge_from_question", args=[question.pk])
    response = client_for("ref_b").post(
        url, {"question": question.text, "answer": "Oui.", "sources": "  ", "valid_until": ""}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert (
        fr("Give at least one source: a text, a circular or a web page the answer rests on.")
        in html
    )
    assert fr("Give the date until which the answer is valid.") in html
    assert 'id="id_sources_error"' in html and 'id="id_valid_until_error"' in html
    past = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = client_for("ref_b").post(
        url, {"question": question.text, "answer": "Oui.", "sources": "CAF", "valid_until": past}
    )
    assert fr("The validity date cannot be in the past.") in response.content.decode()
    assert not KnowledgeEntry.objects.exists()


def test_create_direct_rights(guichet, client_for):
    url = reverse("guichet:knowledge_create")
    assert client_for("agent").get(url).status_code == 403
    client = client_for("ref_b")
    html = client.get(url).content.decode()
    assert html.count("<h1") == 1 and 'for="id_sources"' in html
    response = client.post(
        url,
        {
            "organization": guichet.world.org_a.pk,  # not theirs: refused by the form
            "topic": guichet.rsa.pk,
            "question": "Q",
            "answer": "A",
            "sources": "S",
            "valid_until": NEXT_YEAR.isoformat(),
        },
    )
    assert response.status_code == 400 and not KnowledgeEntry.objects.exists()
    response = client.post(
        url,
        {
            "organization": guichet.world.org_b.pk,
            "topic": guichet.rsa.pk,
            "question": "Q",
            "answer": "A",
            "sources": "S",
            "valid_until": NEXT_YEAR.isoformat(),
        },
    )
    assert response.status_code == 302
    assert KnowledgeEntry.objects.get().owner == guichet["ref_b"]


def test_edit_and_archive_rights(guichet, client_for, client):
    entry = make_entry(guichet)
    edit = entry_url("knowledge_edit", entry)
    for role in ("agent", "admin", "agent_b"):  # other organization, or not a referent
        client.force_login(guichet[role])
        assert client.get(edit).status_code == 403
        assert client.post(entry_url("knowledge_archive", entry)).status_code == 403
    for role in ("sub_b", "admin_b"):
        client.force_login(guichet[role])
        assert client.get(edit).status_code == 200
    response = client.post(
        edit,
        {
            "topic": guichet.carte_grise.pk,
            "question": entry.question,
            "answer": "Mise à jour",
            "sources": "S",
            "valid_until": NEXT_YEAR.isoformat(),
        },
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.answer == "Mise à jour" and entry.topic == guichet.carte_grise
    assert client.post(entry_url("knowledge_archive", entry)).status_code == 302
    entry.refresh_from_db()
    assert entry.is_archived
    client.force_login(guichet["agent"])
    assert client.get(entry_url("knowledge_entry", entry)).status_code == 404


def test_entry_page_and_use_button(guichet, client_for):
    entry = make_entry(guichet)
    client = client_for("agent")
    html = client.get(entry_url("knowledge_entry", entry)).content.decode()
    assert html.count("<h1") == 1 and "https://www.caf.fr/" in html
    assert entry_url("knowledge_edit", entry) not in html
    use = entry_url("knowledge_use", entry)
    assert client.get(use).status_code == 405
    assert client.post(use).status_code == 302
    client.post(use)
    entry.refresh_from_db()
    assert entry.usage_count == 1
    assert KnowledgeUse.objects.get().organization == guichet.world.org_a


def test_review_page_only_mine(guichet, client_for, django_assert_max_num_queries):
    mine = make_entry(guichet, question="Ma fiche périmée")
    other = make_entry(guichet, question="Fiche d'un autre", author=guichet["sub_b"])
    KnowledgeEntry.objects.filter(pk__in=[mine.pk, other.pk]).update(
        valid_until=timezone.localdate() - dt.timedelta(days=2)
    )
    client = client_for("ref_b")
    with django_assert_max_num_queries(10):
        html = client.get(reverse("guichet:knowledge_review")).content.decode()
    assert "Ma fiche périmée" in html and "Fiche d&#x27;un autre" not in html
    html = client_for("agent").get(reverse("guichet:knowledge_review")).content.decode()
    assert "Ma fiche périmée" not in html


def test_needs_page(guichet, client_for, django_assert_max_num_queries):
    from cocon.guichet.services_knowledge import entry_use

    entry = make_entry(guichet, question="Fiche utile")
    entry_use(entry=entry, user=guichet["agent"])
    entry_use(entry=entry, user=guichet["agent_b"])
    client = client_for("manager")
    with django_assert_max_num_queries(10):
        response = client.get(reverse("guichet:knowledge_needs"))
    html = response.content.decode()
    assert response.status_code == 200 and 'data-topic="RSA"' in html
    assert "Fiche utile" in html


def test_odd_queries_never_fail(guichet, client_for):
    make_entry(guichet, question="Aide de la CAF")
    client = client_for("agent")
    for q in ["?", "de la", '"', "a* OR (", "x" * 300, "d'", "NEAR(a b)"]:
        assert client.get(SEARCH, {"q": q, "topic": "zz", "page": "-3"}).status_code == 200


def test_search_page_offers_the_entries_with_some_of_the_words(guichet, client_for):
    entry = make_entry(guichet, question="Aide au logement d'un étudiant")
    client = client_for("agent")
    html = client.get(SEARCH, {"q": "allocation logement"}).content.decode()
    assert f'data-entry="{entry.pk}"' not in html and "data-offer-any-word" in html
    assert "q=allocation+logement&amp;mots=un" in html
    html = client.get(SEARCH, {"q": "allocation logement", "mots": "un"}).content.decode()
    assert f'data-entry="{entry.pk}"' in html and "data-any-word" in html
    notice = fr(
        "Entries that contain at least one of these words, those with the most words first."
    )
    assert unescape(notice) in unescape(html)
    html = client.get(SEARCH, {"q": "aide logement"}).content.decode()
    assert f'data-entry="{entry.pk}"' in html and "data-offer-any-word" not in html


SUGGEST = reverse("guichet:knowledge_suggest")


def test_suggestions_while_a_question_is_typed(guichet, client_for, django_assert_max_num_queries):
    entry = make_entry(guichet, question="Le RSA se cumule-t-il avec un emploi saisonnier ?")
    make_entry(guichet, question="Carte grise d'un véhicule de collection")
    client = client_for("agent")
    with django_assert_max_num_queries(14):
        html = client.get(
            SUGGEST,
            {"text": "Usagère au RSA qui reprend un emploi saisonier"},
            headers={"HX-Request": "true"},
        ).content.decode()
    assert f'data-entry="{entry.pk}"' in html and "Carte grise" not in html
    assert "data-suggestions-none" in client.get(SUGGEST, {"text": "xylophone"}).content.decode()
    assert client.get(SUGGEST, {"text": "ab"}).content.decode().strip() == ""
    assert client_for("usager").get(SUGGEST, {"text": "RSA"}).status_code == 403


def test_suggestions_are_rate_limited(guichet, client_for, settings):
    from cocon.guichet import views_knowledge

    client = client_for("agent")
    for _ in range(views_knowledge.SUGGEST_PER_MINUTE):
        assert client.get(SUGGEST, {"text": "RSA emploi"}).status_code == 200
    assert client.get(SUGGEST, {"text": "RSA emploi"}).status_code == 429


def test_ask_page_asks_for_suggestions_while_typing(guichet, client_for):
    html = client_for("agent").get(reverse("guichet:question_ask")).content.decode()
    assert f'hx-get="{SUGGEST}"' in html and 'id="knowledge-suggestions"' in html
