"""Asking, answering, the thread, the need met, and the hourly reminders/escalation."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cocon.core.attachments import attachments_of
from cocon.core.history import history_of
from cocon.core.models import Notification
from cocon.guichet import services_questions as services
from cocon.guichet.models import Message, Question
from tests.conftest import fr

PARIS = ZoneInfo("Europe/Paris")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


def ask(guichet, **kw):
    params = {
        "asker": guichet["agent"],
        "topic": guichet.rsa,
        "target": guichet.world.org_b,
        "text": "Un couple dont l'un est en formation : RSA ?",
        "urgency": Question.Urgency.NORMAL,
        "now": at(2027, 3, 1, 9),
    }
    params.update(kw)
    return services.question_ask(**params)


def kinds_for(user):
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def pdf(name="avis.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n", "application/pdf")


def png(name="photo.png"):
    out = io.BytesIO()
    Image.new("RGB", (20, 10), "red").save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), "image/png")


def test_ask_routes_to_titular_with_deadline_and_history(guichet):
    q = ask(guichet)
    assert q.state == Question.State.OPEN and q.level == Question.Level.REFERENT
    assert q.asker_organization == guichet.world.org_a
    assert q.territory == guichet.world.territory
    assert q.due_at == at(2027, 3, 9, 16, 30)
    assert kinds_for(guichet["ref_b"]) == ["guichet.question"]
    assert kinds_for(guichet["sub_b"]) == [] and kinds_for(guichet["mgr_b"]) == []
    assert [e.action for e in history_of(q)] == ["asked"]
    assert q.contact == "" and q.contact_erase_on is None


def test_question_without_topic_or_target_writes_nothing(guichet):
    with pytest.raises(ValidationError) as err:
        ask(guichet, topic=None, target=None, text="  ")
    errors = err.value.message_dict
    assert set(errors) >= {"topic", "target", "text"}
    assert Question.objects.count() == 0 and Notification.objects.count() == 0


def test_target_without_referent_names_the_organizations_that_have_some(guichet):
    with pytest.raises(ValidationError) as err:
        ask(guichet, target=guichet.world.org_a)
    message = err.value.message_dict["target"][0]
    assert "Agglo de Test" in message and "Département de Test" in message
    with pytest.raises(ValidationError) as err:
        ask(guichet, topic=guichet.carte_grise)
    assert "Carte grise" in err.value.message_dict["target"][0]
    assert Question.objects.count() == 0


def test_contact_needs_consent_and_is_erased_later(guichet):
    with pytest.raises(ValidationError) as err:
        ask(guichet, contact="06 12 34 56 78")
    assert "contact_consent" in err.value.message_dict
    q = ask(guichet, contact="06 12 34 56 78", contact_consent=True)
    assert q.contact_consent_at is not None
    assert q.contact_erase_on == dt.date(2027, 9, 1)  # backstop: 6 months
    services.question_answer(
        question=q, author=guichet["ref_b"], text="Oui.", now=at(2027, 3, 2, 10)
    )
    q.refresh_from_db()
    assert q.contact_erase_on == dt.date(2027, 6, 2)  # 3 months after the answer
    services.questions_tick(now=at(2027, 6, 1, 10))
    q.refresh_from_db()
    assert q.contact
    services.questions_tick(now=at(2027, 6, 2, 10))
    q.refresh_from_db()
    assert q.contact == ""


def test_absent_titular_sends_to_substitute(guichet):
    guichet.titular.absent_until = dt.date(2027, 3, 5)
    guichet.titular.save()
    ask(guichet)
    assert kinds_for(guichet["ref_b"]) == []
    assert kinds_for(guichet["sub_b"]) == ["guichet.question"]


def test_attachments_are_validated_then_attached(guichet):
    with pytest.raises(ValidationError) as err:
        ask(guichet, attachments=[SimpleUploadedFile("x.pdf", b"nope", "application/pdf")])
    assert "attachments" in err.value.message_dict
    assert Question.objects.count() == 0
    q = ask(guichet, attachments=[pdf(), png()])
    mimes = sorted(a.mime_type for a in attachments_of(q))
    assert mimes == ["application/pdf", "image/jpeg"]


def test_place_and_appointment_must_be_the_askers(guichet):
    from cocon.guichet.models import Place

    other = Place.objects.create(
        organization=guichet.world.org_b,
        kind=Place.Kind.COUNTER,
        name="Accueil B",
        commune=guichet.world.communes[0],
    )
    with pytest.raises(ValidationError) as err:
        ask(guichet, place=other)
    assert "place" in err.value.message_dict
    q = ask(guichet, place=guichet.bus_stop)
    assert q.place == guichet.bus_stop


def test_non_agent_cannot_ask(guichet):
    with pytest.raises(ValidationError):
        ask(guichet, asker=guichet["usager"])


def test_thread_answer_and_need(guichet):
    q = ask(guichet)
    services.message_post(question=q, author=guichet["ref_b"], text="Quel âge ?")
    assert kinds_for(guichet["agent"]) == ["guichet.message"]
    services.message_post(question=q, author=guichet["agent"], text="32 ans.")
    assert kinds_for(guichet["ref_b"]).count("guichet.message") == 1
    with pytest.raises(PermissionDenied):
        services.question_answer(question=q, author=guichet["agent"], text="moi-même")
    with pytest.raises(PermissionDenied):
        services.question_answer(question=q, author=guichet["agent_b"], text="pas référent")
    with pytest.raises(PermissionDenied):
        services.need_record(question=q, user=guichet["ref_b"], met=True)
    with pytest.raises(ValidationError):
        services.need_record(question=q, user=guichet["agent"], met=True)  # not answered
    services.question_answer(
        question=q, author=guichet["sub_b"], text="Oui, sous conditions.", now=at(2027, 3, 2, 10)
    )
    q.refresh_from_db()
    assert q.state == Question.State.ANSWERED and q.answered_by == guichet["sub_b"]
    assert q.answered_in_time is True
    assert Message.objects.filter(question=q, is_answer=True).count() == 1
    assert "guichet.answer" in kinds_for(guichet["agent"])
    with pytest.raises(ValidationError):
        services.question_answer(question=q, author=guichet["ref_b"], text="encore")
    services.need_record(question=q, user=guichet["agent"], met=False, now=at(2027, 3, 3, 9))
    q.refresh_from_db()
    assert q.need_met is False and q.state == Question.State.CLOSED
    with pytest.raises(ValidationError):
        services.message_post(question=q, author=guichet["agent"], text="merci")
    assert [e.action for e in history_of(q).order_by("pk")][-2:] == [
        "answered",
        "need_recorded",
    ]


def test_withdraw_by_asker_only(guichet):
    q = ask(guichet)
    with pytest.raises(PermissionDenied):
        services.question_withdraw(question=q, user=guichet["ref_b"])
    services.question_withdraw(question=q, user=guichet["agent"])
    q.refresh_from_db()
    assert q.state == Question.State.WITHDRAWN
    with pytest.raises(ValidationError):
        services.question_withdraw(question=q, user=guichet["agent"])


def test_tick_reminds_once_then_escalates_level_by_level(guichet):
    q = ask(guichet)  # Monday 1 March 9:00, due Tuesday 9 March 16:30
    assert services.questions_tick(now=at(2027, 3, 8, 9))["reminded"] == 0
    # Tuesday 9 March 9:00: 6.5 working hours left, within the 8 h reminder window
    assert services.questions_tick(now=at(2027, 3, 9, 9))["reminded"] == 1
    assert services.questions_tick(now=at(2027, 3, 9, 10))["reminded"] == 0
    assert kinds_for(guichet["ref_b"]).count("guichet.reminder") == 1
    # overdue: the substitutes
    result = services.questions_tick(now=at(2027, 3, 9, 17))
    assert result["escalated"] == 1
    q.refresh_from_db()
    assert q.level == Question.Level.SUBSTITUTE and q.escalated_at == at(2027, 3, 9, 17)
    assert kinds_for(guichet["sub_b"]) == ["guichet.escalation"]
    # the substitutes have 8 working hours (7 on Wednesday, 1 on Thursday): the manager
    # is called in from Thursday 11 March 9:30
    assert services.questions_tick(now=at(2027, 3, 10, 16))["escalated"] == 0
    assert services.questions_tick(now=at(2027, 3, 11, 9))["escalated"] == 0
    assert services.questions_tick(now=at(2027, 3, 11, 10))["escalated"] == 1
    q.refresh_from_db()
    assert q.level == Question.Level.MANAGER
    assert kinds_for(guichet["mgr_b"]) == ["guichet.escalation"]
    # last level: no more notices
    for day in (12, 15, 16):
        assert services.questions_tick(now=at(2027, 3, day, 11))["escalated"] == 0
    assert Notification.objects.filter(kind="guichet.escalation").count() == 2
    assert [e.action for e in history_of(q)].count("escalated") == 2


def test_tick_leaves_answered_questions_alone(guichet):
    q = ask(guichet)
    services.question_answer(question=q, author=guichet["ref_b"], text="Oui.")
    assert services.questions_tick(now=at(2027, 4, 1, 9)) == {
        "reminded": 0,
        "escalated": 0,
        "contacts_erased": 0,
    }


def test_tick_is_registered_hourly(guichet, settings):
    from django.core.cache import cache

    from cocon.core import schedule

    assert schedule._HOURLY["guichet.questions_tick"] is services.questions_tick
    cache.clear()
    first = schedule.run_due(now=at(2027, 3, 9, 10, 5))
    assert "guichet.questions_tick" in first
    assert "guichet.questions_tick" not in schedule.run_due(now=at(2027, 3, 9, 10, 40))
    assert "guichet.questions_tick" in schedule.run_due(now=at(2027, 3, 9, 11, 1))


def test_fr_messages_exist():
    assert fr("Choose the topic of the question.")
    assert fr("Choose the organization to ask.")
