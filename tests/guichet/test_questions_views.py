"""Pages of the questions: ask, my questions, the inbox, one question and its forms;
who sees what (404 for outsiders, other organizations included)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from cocon.core.attachments import attachments_of
from cocon.core.models import Notification
from cocon.guichet import services_questions as services
from cocon.guichet.models import Appointment, Question
from tests.conftest import fr

PARIS = ZoneInfo("Europe/Paris")


def ask(guichet, n=0, **kw):
    params = {
        "asker": guichet["agent"],
        "topic": guichet.rsa,
        "target": guichet.world.org_b,
        "text": f"Question {n} sur le RSA",
        "urgency": Question.Urgency.NORMAL,
    }
    params.update(kw)
    return services.question_ask(**params)


def test_ask_page_and_post(guichet, client_for):
    client = client_for("agent")
    url = reverse("guichet:question_ask")
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("<h1") == 1
    assert 'for="id_topic"' in html and 'for="id_target"' in html
    assert "Département de Test (RSA)" in html
    response = client.post(
        url,
        {
            "topic": guichet.rsa.pk,
            "target": guichet.world.org_b.pk,
            "text": "Un couple dont l'un est en formation : RSA ?",
            "urgency": "urgent",
            "place": guichet.bus_stop.pk,
        },
    )
    q = Question.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("guichet:question_detail", args=[q.pk])
    assert q.urgency == "urgent" and q.place == guichet.bus_stop
    assert Notification.objects.filter(recipient=guichet["ref_b"]).count() == 1


def test_ask_without_topic_or_target_shows_french_errors(guichet, client_for):
    client = client_for("agent")
    response = client.post(reverse("guichet:question_ask"), {"text": "", "urgency": "normal"})
    assert response.status_code == 400
    html = response.content.decode()
    assert fr("Choose the topic of the question.") in html
    assert fr("Choose the organization to ask.") in html
    assert fr("Write the question.") in html
    assert Question.objects.count() == 0


def test_ask_to_organization_without_referent_on_topic(guichet, client_for):
    # Département B answers on RSA only: asking it about carte grise is refused
    client = client_for("agent")
    response = client.post(
        reverse("guichet:question_ask"),
        {
            "topic": guichet.carte_grise.pk,
            "target": guichet.world.org_b.pk,
            "text": "Carte grise ?",
            "urgency": "normal",
        },
    )
    assert response.status_code == 400
    assert "Carte grise" in response.content.decode()
    assert Question.objects.count() == 0


def test_contact_without_consent_refused_on_the_page(guichet, client_for):
    response = client_for("agent").post(
        reverse("guichet:question_ask"),
        {
            "topic": guichet.rsa.pk,
            "target": guichet.world.org_b.pk,
            "text": "RSA ?",
            "urgency": "normal",
            "contact": "06 00 00 00 00",
        },
    )
    assert response.status_code == 400
    assert fr("Record the user's contact only with their consent: tick the box or clear it.") in (
        response.content.decode()
    )
    assert Question.objects.count() == 0


def test_ask_prefilled_from_appointment(guichet, client_for):
    appointment = Appointment.objects.create(
        organization=guichet.world.org_a,
        agent=guichet["agent"],
        place=guichet.counter,
        date=dt.date(2027, 3, 1),
        duration=20,
        outcome="question",
    )
    page = client_for("agent").get(
        reverse("guichet:question_ask") + f"?appointment={appointment.pk}"
    )
    html = page.content.decode()
    assert f'name="appointment" value="{appointment.pk}"' in html
    assert f'<option value="{guichet.counter.pk}" selected>' in html


def test_public_user_cannot_ask(guichet, client_for):
    assert client_for("usager").get(reverse("guichet:question_ask")).status_code == 403


def test_detail_visibility(guichet, client):
    q = ask(guichet)
    url = reverse("guichet:question_detail", args=[q.pk])
    for role, status in [
        ("agent", 200),
        ("ref_b", 200),
        ("sub_b", 200),
        ("mgr_b", 200),
        ("admin_b", 200),
        ("agent_b", 404),  # same organization as the referents, not a referent
        ("admin", 404),  # the asker's organization administrator
        ("manager", 404),
        ("usager", 404),
    ]:
        client.force_login(guichet[role])
        assert client.get(url).status_code == status, role


def test_answer_then_need_through_the_pages(guichet, client):
    q = ask(guichet)
    detail = reverse("guichet:question_detail", args=[q.pk])
    client.force_login(guichet["ref_b"])
    page = client.get(detail).content.decode()
    assert fr("Answer the question") in page
    empty = client.post(reverse("guichet:question_answer", args=[q.pk]), {"answer-text": ""})
    assert empty.status_code == 400 and fr("Write the answer.") in empty.content.decode()
    client.post(reverse("guichet:question_answer", args=[q.pk]), {"answer-text": "Oui."})
    q.refresh_from_db()
    assert q.state == Question.State.ANSWERED
    # the referent may not record the need; the asker may
    assert (
        client.post(reverse("guichet:question_need", args=[q.pk]), {"need-met": "yes"}).status_code
        == 403
    )
    client.force_login(guichet["agent"])
    assert fr("Was the user's need met?") in client.get(detail).content.decode()
    client.post(reverse("guichet:question_need", args=[q.pk]), {"need-met": "yes"})
    q.refresh_from_db()
    assert q.need_met is True and q.state == Question.State.CLOSED


def test_thread_message_and_outsider_forbidden(guichet, client):
    q = ask(guichet)
    client.force_login(guichet["agent"])
    response = client.post(
        reverse("guichet:question_message", args=[q.pk]), {"message-text": "Précision"}
    )
    assert response.status_code == 302
    assert q.messages.count() == 1
    client.force_login(guichet["agent_b"])
    response = client.post(
        reverse("guichet:question_message", args=[q.pk]), {"message-text": "Intrus"}
    )
    assert response.status_code == 404
    assert q.messages.count() == 1


def test_withdraw(guichet, client):
    q = ask(guichet)
    client.force_login(guichet["ref_b"])
    assert client.post(reverse("guichet:question_withdraw", args=[q.pk])).status_code == 403
    client.force_login(guichet["agent"])
    client.post(reverse("guichet:question_withdraw", args=[q.pk]))
    q.refresh_from_db()
    assert q.state == Question.State.WITHDRAWN


def test_my_questions_list_queries(guichet, client_for, django_assert_max_num_queries):
    for n in range(12):
        ask(guichet, n)
    client = client_for("agent")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("guichet:question_mine"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("data-question=") == 12
    assert html.count("<h1") == 1


def test_inbox_overdue_first_and_isolation(guichet, client, django_assert_max_num_queries):
    late = ask(guichet, 99)
    Question.objects.filter(pk=late.pk).update(
        due_at=dt.datetime(2020, 1, 1, tzinfo=PARIS), level=Question.Level.SUBSTITUTE
    )
    for n in range(10):
        ask(guichet, n)
    client.force_login(guichet["ref_b"])
    with django_assert_max_num_queries(14):
        response = client.get(reverse("guichet:question_inbox"))
    html = response.content.decode()
    assert html.count("data-question=") == 11
    first = html.index("data-question=")
    assert html[first:].startswith(f'data-question="{late.pk}"')
    assert 'data-level="1"' in html
    # an agent who is no referent has no inbox; the asker's admin sees none of them
    client.force_login(guichet["agent_b"])
    assert client.get(reverse("guichet:question_inbox")).status_code == 403
    client.force_login(guichet["admin"])
    assert "data-question=" not in client.get(reverse("guichet:question_inbox")).content.decode()
    # the target's admin sees them
    client.force_login(guichet["admin_b"])
    assert (
        client.get(reverse("guichet:question_inbox")).content.decode().count("data-question=") == 11
    )


@pytest.mark.parametrize("role", ["agent", "ref_b"])
def test_attachment_download(guichet, client, role):
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = SimpleUploadedFile("avis.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    q = ask(guichet, attachments=[pdf])
    attachment = attachments_of(q)[0]
    url = reverse("guichet:question_attachment", args=[q.pk, attachment.pk])
    client.force_login(guichet[role])
    response = client.get(url)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    client.force_login(guichet["agent_b"])
    assert client.get(url).status_code == 404


def test_answered_question_offers_the_knowledge_entry_to_its_referent_only(client, guichet):
    from cocon.guichet.services_knowledge import entry_from_question
    from cocon.guichet.services_questions import question_answer, question_ask

    g = guichet
    question = question_ask(
        asker=g["agent"], topic=g.rsa, target=g.world.org_b, text="RSA et emploi saisonnier ?"
    )
    question_answer(question=question, author=g["ref_b"], text="Oui, déclaré au trimestre.")
    url = reverse("guichet:question_detail", args=[question.pk])
    link = reverse("guichet:knowledge_from_question", args=[question.pk])
    client.force_login(g["ref_b"])
    assert link in client.get(url).content.decode()
    client.force_login(g["agent"])
    assert link not in client.get(url).content.decode()
    question.refresh_from_db()
    entry = entry_from_question(
        question=question,
        author=g["ref_b"],
        question_text="Le RSA se cumule-t-il avec un emploi saisonnier ?",
        answer="Oui, les revenus sont déclarés chaque trimestre.",
        sources="Code de l'action sociale et des familles, art. L262-2",
        valid_until=timezone.localdate() + dt.timedelta(days=365),
    )
    client.force_login(g["ref_b"])
    page = client.get(url).content.decode()
    assert link not in page
    assert reverse("guichet:knowledge_entry", args=[entry.pk]) in page
