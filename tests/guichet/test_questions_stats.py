"""Figures of the questions for dashboards, and the personal data export/erasure."""

import datetime as dt
from zoneinfo import ZoneInfo

from cocon.core.gdpr import export_person
from cocon.guichet import services_questions as services
from cocon.guichet.gdpr import erase_questions
from cocon.guichet.models import Question
from cocon.guichet.selectors_questions import questions_stats

PARIS = ZoneInfo("Europe/Paris")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


def ask(guichet, when, **kw):
    return services.question_ask(
        asker=guichet["agent"],
        topic=guichet.rsa,
        target=guichet.world.org_b,
        text="RSA ?",
        now=when,
        **kw,
    )


def test_stats(guichet, django_assert_max_num_queries):
    in_time = ask(guichet, at(2027, 3, 1, 9))  # due 9 March 16:30
    services.question_answer(
        question=in_time, author=guichet["ref_b"], text="Oui.", now=at(2027, 3, 1, 11)
    )
    late = ask(guichet, at(2027, 3, 1, 9))
    services.question_answer(
        question=late, author=guichet["ref_b"], text="Non.", now=at(2027, 3, 10, 11)
    )
    overdue = ask(guichet, at(2027, 3, 2, 9))
    services.questions_tick(now=at(2027, 3, 12, 9))
    ask(guichet, at(2027, 3, 20, 9))  # not yet due on 21 March
    ask(guichet, at(2026, 1, 5, 9))  # before `since`
    with django_assert_max_num_queries(4):
        stats = questions_stats(
            organization_ids=[guichet.world.org_b.pk],
            since=dt.date(2027, 3, 1),
            until=dt.date(2027, 3, 31),
            now=at(2027, 3, 21, 9),
        )
    assert stats["total"] == 4
    assert stats["answered"] == 2 and stats["answered_in_time"] == 1
    assert stats["overdue_open"] == 1
    assert stats["share_in_time"] == 1 / 3
    # 2 h and 218 h (calendar hours)
    assert stats["median_answer_hours"] == 110.0
    # 2 h and 51 h of B's opening hours (Mon 1 March 9:00-17:00 is 6.5 h, 7 h a day
    # from Tuesday 2 to Tuesday 9 March, Wednesday 10 March 8:30-11:00 is 2.5 h)
    assert stats["median_answer_working_hours"] == 26.5
    assert stats["escalated"] == 1
    overdue.refresh_from_db()
    assert overdue.level == Question.Level.SUBSTITUTE
    assert stats["by_target"] == [
        {
            "organization_id": guichet.world.org_b.pk,
            "name": "Département de Test",
            "count": 4,
            "answered": 2,
            "in_time": 1,
            "escalated": 1,
        }
    ]
    empty = questions_stats(organization_ids=[guichet.world.org_a.pk])
    assert empty["total"] == 0 and empty["share_in_time"] is None
    assert empty["median_answer_hours"] is None
    assert empty["median_answer_working_hours"] is None


def test_export_without_user_contact_and_erase(guichet):
    q = ask(guichet, at(2027, 3, 1, 9), contact="06 11 22 33 44", contact_consent=True)
    services.question_answer(question=q, author=guichet["ref_b"], text="Oui.")
    asker = export_person(guichet["agent"])["guichet_questions"]
    assert [row["id"] for row in asker["asked"]] == [q.pk]
    assert "06 11 22 33 44" not in str(asker)
    referent = export_person(guichet["ref_b"])["guichet_questions"]
    assert [row["id"] for row in referent["answered"]] == [q.pk]
    assert [m["text"] for m in referent["messages"]] == ["Oui."]
    erase_questions(guichet["agent"])
    q.refresh_from_db()
    assert q.contact == "" and q.answer == "Oui."
