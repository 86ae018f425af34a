"""Guichet polyvalent in a real browser, on the demo territory (issue "Done when"):

1. the bus agent logs an appointment on a phone and sends a question → the CAF referent
   answers within the commitment → the answer becomes a knowledge entry → another
   counter finds it (with a typo) and the asking agent records that the need was met;
2. an overdue question escalates to the substitute, who sees it at the top of their inbox;
3. the legal team's indicators update from a recorded action; an outsider who types a
   case's address gets the 404 page and the attempt is logged.
Every page passes the axe audit."""

from __future__ import annotations

import datetime as dt

import pytest

from .conftest import PHONE, audit, french, new_context, url

try:
    from playwright.sync_api import expect
except ImportError:  # reported by conftest: skipped, or failed under CI
    expect = None

pytestmark = pytest.mark.browser

QUESTION = (
    "Une usagère au RSA reprend un emploi saisonnier de trois mois : doit-elle le déclarer "
    "tout de suite ou à sa prochaine déclaration trimestrielle ?"
)
ANSWER = (
    "À la prochaine déclaration trimestrielle de ressources : les salaires des trois mois "
    "écoulés y sont indiqués ; le RSA est recalculé pour le trimestre suivant."
)


def email(first: str, last: str, org: str) -> str:
    from cocon.demo import data

    return data.person_email(first, last, getattr(data, org))


def sign_in(page, live_server, address: str):
    from cocon.demo.loader import DEMO_PASSWORD

    page.context.clear_cookies()
    page.goto(url(live_server, "/compte/connexion/"))
    form = page.locator("main form").first
    form.locator("input[name=email]").fill(address)
    form.locator("input[name=password]").fill(DEMO_PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(url(live_server, "/espace/"))


def choose(page, name: str, label: str):
    """Pick `label` in the field `name`, whether it is a select or radio buttons."""
    select = page.locator(f"select[name={name}]")
    if select.count():
        select.select_option(label=label)
    else:
        page.get_by_role("radio", name=label).check()


def test_bus_question_answered_then_found_in_the_knowledge_base(browser, live_server):
    from cocon.guichet.models import Appointment, KnowledgeEntry, Place, Question

    bus_agent = email("Franck", "Duval", "AGGLO")
    stop = Place.objects.get(kind=Place.Kind.BUS_STOP, commune__name="Charavelle")
    ctx = new_context(browser, PHONE)
    page = ctx.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server, bus_agent)

    # 1. on the bus, on a phone: the appointment, then the question
    page.goto(url(live_server, "/guichet/journal/nouveau/"))
    audit(page)
    choose(page, "place", f"{stop.name} — {french('Bus stop')}")
    page.fill("input[name=duration]", "25")
    page.check("input[name=outcome][value=question]")
    page.check("input[name=age_band][value='30-44']")
    page.get_by_role("button", name=french("Log the appointment")).click()
    expect(page.locator("[data-saved]")).to_be_visible()
    appointment = Appointment.objects.get(agent__email=bus_agent, place=stop, duration=25)
    page.locator("[data-ask-question]").click()
    audit(page)
    caf = page.locator("select[name=target] option", has_text="CAF").first
    page.select_option("select[name=topic]", label="Carte grise")  # the CAF does not answer
    expect(caf).to_be_disabled()
    page.select_option("select[name=topic]", label="RSA")
    expect(caf).to_be_enabled()
    target = caf
    page.select_option("select[name=target]", value=target.get_attribute("value"))
    page.fill("textarea[name=text]", QUESTION)
    # while the question is typed, the closest knowledge entries are offered (htmx)
    suggestions = page.locator("#knowledge-suggestions")
    expect(suggestions.locator("[data-suggestions], [data-suggestions-none]")).to_be_visible()
    audit(page)
    page.get_by_role("button", name=french("Send the question")).click()
    expect(page.locator("[data-question]")).to_be_visible()
    question = Question.objects.get(text=QUESTION)
    assert question.appointment_id == appointment.pk and question.place_id == stop.pk
    assert question.target.slug == "caf-haute-lise"
    ctx.close()

    # 2. the CAF referent answers from their inbox, then writes the knowledge entry
    page = new_context(browser).new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server, email("Laetitia", "Gaillard", "CAF"))
    page.goto(url(live_server, "/guichet/questions/a-traiter/"))
    audit(page)
    page.locator(f"a[href$='/guichet/questions/{question.pk}/']").first.click()
    audit(page)
    page.fill("textarea[name='answer-text']", ANSWER)
    page.get_by_role("button", name=french("Send the answer")).click()
    expect(page.locator("[data-answer]")).to_contain_text("déclaration trimestrielle")
    question.refresh_from_db()
    assert question.state == Question.State.ANSWERED
    assert question.answered_in_time, (question.answered_at, question.due_at)
    page.locator("[data-to-knowledge]").click()
    audit(page)
    page.fill("textarea[name=question]", "RSA : quand déclarer un emploi saisonnier ?")
    page.fill("textarea[name=sources]", "Code de l'action sociale et des familles, art. R262-37")
    valid = (dt.date.today() + dt.timedelta(days=365)).isoformat()
    page.fill("input[name=valid_until]", valid)
    page.get_by_role("button", name=french("Save the entry")).click()
    entry = KnowledgeEntry.objects.get(source_question=question)
    expect(page).to_have_url(url(live_server, f"/guichet/savoirs/{entry.pk}/"))
    page.context.close()

    # 3. another counter searches with a typo and finds it
    page = new_context(browser).new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server, email("Aurélie", "Faure", "AGGLO"))
    page.goto(url(live_server, "/guichet/savoirs/"))
    page.fill("input[name=q]", "emploi saisonier RSA")
    page.get_by_role("button", name=french("Search"), exact=True).click()
    result = page.locator(f"[data-entry='{entry.pk}']")
    expect(result).to_be_visible()
    audit(page)
    result.get_by_role("link").first.click()
    expect(page.locator("main")).to_contain_text("R262-37")
    page.context.close()

    # 4. back on the bus, the agent records that the user's need was met
    page = new_context(browser, PHONE).new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server, bus_agent)
    page.goto(url(live_server, f"/guichet/questions/{question.pk}/"))
    page.check("input[name='need-met'][value=yes]")
    page.get_by_role("button", name=french("Record and close")).click()
    expect(page.locator("[data-need-met='1']")).to_be_visible()
    page.context.close()


def test_overdue_question_escalates_to_the_substitute(browser, live_server):
    from django.utils import timezone

    from cocon.accounts.models import User
    from cocon.core.models import Notification
    from cocon.guichet.models import Question, Topic
    from cocon.guichet.services_questions import question_ask, questions_tick
    from cocon.territory.models import Organization

    caf = Organization.objects.get(
        guichet_referents__user__email=email("Laetitia", "Gaillard", "CAF"),
        guichet_referents__topic__slug="rsa",
    )
    question = question_ask(
        asker=User.objects.get(email=email("Aurélie", "Faure", "AGGLO")),
        topic=Topic.objects.get(slug="rsa"),
        target=caf,
        text="Un dossier RSA bloqué depuis six semaines : à qui s'adresser ?",
        now=timezone.now() - dt.timedelta(days=10),
    )
    assert questions_tick()["escalated"] >= 1
    question.refresh_from_db()
    assert question.level == Question.Level.SUBSTITUTE
    substitute = User.objects.get(email=email("Malika", "Bensaïd", "CAF"))
    assert Notification.objects.filter(recipient=substitute, object_id=question.pk).exists()

    page = new_context(browser).new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server, substitute.email)
    page.goto(url(live_server, "/guichet/questions/a-traiter/"))
    audit(page)
    link = page.locator(f"a[href$='/guichet/questions/{question.pk}/']").first
    expect(link).to_be_visible()
    link.click()
    expect(page.locator(f"[data-level='{Question.Level.SUBSTITUTE}']")).to_be_visible()
    expect(page.locator("[data-late]")).to_be_visible()
    page.context.close()


def test_legal_indicators_update_and_outsiders_cannot_reach_a_case(browser, live_server):
    from cocon.guichet.models import CaseAction, CaseReadLog, Indicator, LegalTeam

    team = LegalTeam.objects.get()
    case = team.cases.filter(state="open").order_by("number").first()
    gracieux = Indicator.objects.get(team=team, formula='count(kind="recours_gracieux")')
    before = CaseAction.objects.filter(team=team, kind="recours_gracieux").count()
    assert before == 13

    page = new_context(browser).new_page()
    page.set_default_timeout(10_000)
    member = team.members.order_by("pk").first()
    sign_in(page, live_server, member.email)
    home = url(live_server, f"/guichet/droits/{team.slug}/")
    page.goto(home)
    audit(page)
    value = page.locator(f"[data-indicator='{gracieux.pk}'] [data-value]")
    expect(value).to_have_text("13")
    page.goto(url(live_server, f"/guichet/droits/{team.slug}/dossiers/{case.number}/"))
    audit(page)
    page.select_option("select[name=kind]", value="recours_gracieux")
    page.fill("input[name=date]", dt.date.today().isoformat())
    page.get_by_role("button", name=french("Record the action")).click()
    expect(page.locator("[data-actions] [data-kind=recours_gracieux]").last).to_be_visible()
    page.goto(home)
    expect(value).to_have_text("14")

    # an outsider (the agglomeration's administrator) types the case's address
    outsider = "admin@demo.cocon.test"
    sign_in(page, live_server, outsider)
    response = page.goto(url(live_server, f"/guichet/droits/{team.slug}/dossiers/{case.number}/"))
    assert response.status == 404
    expect(page.locator("main")).not_to_contain_text(case.number)
    audit(page)
    assert CaseReadLog.objects.filter(
        user__email=outsider, allowed=False, case=case, team=team
    ).exists()
    page.context.close()
