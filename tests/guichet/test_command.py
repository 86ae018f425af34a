"""`cocon guichet tick|review|retention` runs the same jobs as the worker."""

import datetime as dt
import io

from django.core.management import call_command
from django.utils import timezone

from cocon.guichet.models import Question
from cocon.guichet.services_questions import question_ask


def run(*args) -> str:
    out = io.StringIO()
    call_command("guichet", *args, stdout=out)
    return out.getvalue()


def test_tick_escalates_an_overdue_question(guichet):
    question = question_ask(
        asker=guichet["agent"],
        topic=guichet.rsa,
        target=guichet.world.org_b,
        text="Quel justificatif de ressources pour une première demande de RSA ?",
        now=timezone.now() - dt.timedelta(days=30),
    )
    assert "1 escalated" in run("tick")
    question.refresh_from_db()
    assert question.level == Question.Level.SUBSTITUTE


def test_review_and_retention_report_what_they_did(guichet):
    assert run("review").startswith("0 expired entries")
    assert run("retention").startswith("0 cases erased")
