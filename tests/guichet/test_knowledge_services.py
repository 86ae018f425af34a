"""Knowledge base: writes (validation, one entry per question, uses, daily review) and
the search selector (French full text, typo tolerance, order, filters, isolation)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cocon.core.history import history_of
from cocon.core.models import Notification
from cocon.guichet import selectors_knowledge as selectors
from cocon.guichet import services_knowledge as services
from cocon.guichet.models import KnowledgeEntry, KnowledgeUse, Question, Topic
from cocon.territory.models import Organization, Territory

pytestmark = pytest.mark.django_db

NEXT_YEAR = timezone.localdate() + dt.timedelta(days=365)


def answered_question(g, text="Un étudiant a-t-il droit à l'allocation logement ?"):
    now = timezone.now()
    return Question.objects.create(
        territory=g.world.territory,
        asker=g["agent"],
        asker_organization=g.world.org_a,
        topic=g.rsa,
        target=g.world.org_b,
        text=text,
        due_at=now + dt.timedelta(days=2),
        state=Question.State.ANSWERED,
        answered_at=now,
        answered_by=g["ref_b"],
        answer="Oui, sous conditions de ressources, auprès de la CAF.",
    )


def make_entry(g, question="Allocation logement étudiant", answer="Demande à la CAF.", **kw):
    fields = {
        "author": g["ref_b"],
        "organization": g.world.org_b,
        "topic": g.rsa,
        "question": question,
        "answer": answer,
        "sources": "https://www.caf.fr/",
        "valid_until": NEXT_YEAR,
    }
    fields.update(kw)
    return services.entry_create(**fields)


def found(g, q, **kw):
    return list(selectors.search(g.world.territory, selectors.SearchFilters(q=q, **kw)))


def test_entry_from_question_once(guichet):
    question = answered_question(guichet)
    entry = services.entry_from_question(
        question=question,
        author=guichet["ref_b"],
        question_text=question.text,
        answer=question.answer,
        sources="Code de la construction, art. L. 821-1",
        valid_until=NEXT_YEAR,
    )
    assert entry.organization == guichet.world.org_b
    assert entry.topic == guichet.rsa
    assert entry.owner == guichet["ref_b"]
    assert entry.territory == guichet.world.territory
    assert [e.action for e in history_of(entry)] == ["created"]
    with pytest.raises(ValidationError):
        services.entry_from_question(
            question=question,
            author=guichet["ref_b"],
            question_text="x",
            answer="y",
            sources="z",
            valid_until=NEXT_YEAR,
        )
    assert KnowledgeEntry.objects.count() == 1


def test_unanswered_question_refused(guichet):
    question = answered_question(guichet)
    question.answered_at = None
    question.state = Question.State.OPEN
    question.save()
    with pytest.raises(ValidationError):
        services.entry_from_question(
            question=question,
            author=guichet["ref_b"],
            question_text="q",
            answer="a",
            sources="s",
            valid_until=NEXT_YEAR,
        )
    assert not KnowledgeEntry.objects.exists()


def test_sources_and_validity_required(guichet):
    with pytest.raises(ValidationError) as exc:
        make_entry(guichet, sources="   ", valid_until=None)
    assert set(exc.value.message_dict) == {"sources", "valid_until"}
    with pytest.raises(ValidationError) as exc:
        make_entry(guichet, valid_until=timezone.localdate() - dt.timedelta(days=1))
    assert set(exc.value.message_dict) == {"valid_until"}
    assert not KnowledgeEntry.objects.exists()


def test_update_records_history_and_clears_review(guichet):
    entry = make_entry(guichet)
    KnowledgeEntry.objects.filter(pk=entry.pk).update(review_requested_at=timezone.now())
    entry.refresh_from_db()
    services.entry_update(
        entry,
        actor=guichet["sub_b"],
        question=entry.question,
        answer="Nouvelle réponse",
        sources=entry.sources,
        valid_until=NEXT_YEAR,
    )
    entry.refresh_from_db()
    assert entry.answer == "Nouvelle réponse"
    assert entry.review_requested_at is None
    event = history_of(entry).filter(action="updated").get()
    assert event.data == {"fields": ["answer"]}


def test_use_counts_once_per_day(guichet):
    entry = make_entry(guichet)
    assert services.entry_use(entry=entry, user=guichet["agent"]) is True
    assert services.entry_use(entry=entry, user=guichet["agent"]) is False
    assert services.entry_use(entry=entry, user=guichet["agent_b"]) is True
    entry.refresh_from_db()
    assert entry.usage_count == 2
    uses = KnowledgeUse.objects.filter(entry=entry)
    assert sorted(u.organization_id for u in uses) == sorted(
        [guichet.world.org_a.pk, guichet.world.org_b.pk]
    )


def test_daily_review_tells_owner_once(guichet):
    old = make_entry(guichet, question="Vieille fiche")
    make_entry(guichet, question="Fiche valide")
    KnowledgeEntry.objects.filter(pk=old.pk).update(
        valid_until=timezone.localdate() - dt.timedelta(days=3)
    )
    assert services.knowledge_review() == 1
    notes = Notification.objects.filter(recipient=guichet["ref_b"], kind="guichet.knowledge_review")
    assert notes.count() == 1
    assert services.knowledge_review() == 0  # not twice
    assert notes.count() == 1
    old.refresh_from_db()
    assert old.review_requested_at is not None
    # updated (still expired in the database afterwards): told again
    services.entry_update(
        old,
        actor=guichet["ref_b"],
        question=old.question,
        answer=old.answer,
        sources=old.sources,
        valid_until=NEXT_YEAR,
    )
    KnowledgeEntry.objects.filter(pk=old.pk).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    assert services.review_expired() == 1
    assert notes.count() == 2


def test_search_french_and_accents(guichet):
    a = make_entry(guichet, question="Allocation logement pour un étudiant")
    make_entry(guichet, question="Carte grise d'un véhicule", topic=guichet.carte_grise)
    assert found(guichet, "etudiant") == [a]
    assert found(guichet, "allocation logement") == [a]
    assert found(guichet, "")[0:2] and len(found(guichet, "")) == 2


def test_search_typo_tolerant(guichet):
    a = make_entry(guichet, question="Allocation logement pour un étudiant")
    make_entry(guichet, question="Carte grise d'un véhicule", topic=guichet.carte_grise)
    assert found(guichet, "alocation logemnt") == [a]


def test_search_order_expired_last_then_usage(guichet):
    expired = make_entry(guichet, question="RSA conditions de ressources", answer="a")
    low = make_entry(guichet, question="RSA conditions pour un jeune", answer="b")
    high = make_entry(guichet, question="RSA conditions pour un couple", answer="c")
    KnowledgeEntry.objects.filter(pk=expired.pk).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1), usage_count=50
    )
    KnowledgeEntry.objects.filter(pk=high.pk).update(usage_count=5)
    rows = found(guichet, "rsa conditions")
    assert [r.pk for r in rows] == [high.pk, low.pk, expired.pk]
    assert [r.expired for r in rows] == [False, False, True]
    assert [r.pk for r in found(guichet, "rsa", include_expired=False)] == [high.pk, low.pk]


def test_search_filters_and_territory_isolation(guichet):
    a = make_entry(guichet, question="Dossier RSA")
    b = make_entry(
        guichet, question="Dossier carte grise", topic=guichet.carte_grise, author=guichet["admin"]
    )
    KnowledgeEntry.objects.filter(pk=b.pk).update(organization=guichet.world.org_a)
    assert found(guichet, "dossier", topic_id=guichet.rsa.pk) == [a]
    assert [e.pk for e in found(guichet, "dossier", organization_id=guichet.world.org_a.pk)] == [
        b.pk
    ]
    other = Territory.objects.create(name="Ailleurs", slug="ailleurs")
    org = Organization.objects.create(territory=other, kind="commune", name="C", slug="c-ail")
    topic = Topic.objects.create(territory=other, name="RSA", slug="rsa")
    make_entry(guichet, organization=org, topic=topic, question="Dossier RSA ailleurs")
    assert {e.pk for e in found(guichet, "dossier")} == {a.pk, b.pk}
    services.entry_archive(a, actor=guichet["ref_b"])
    assert [e.pk for e in found(guichet, "dossier")] == [b.pk]


def test_excerpt_marks_and_escapes():
    html = selectors.excerpt("Le <b>RSA</b> est versé par la CAF", ["rsa", "verse"])
    assert "<mark>RSA</mark>" in html
    assert "&lt;b&gt;" in html
    assert "<mark>versé</mark>" in html
