"""Paroles in a real browser, the whole loop: an agent of the town hall relays at the
counter, on a phone, the words of a resident about a service of the agglomeration
(guichet unique); the service's manager and the élu in charge see it at once and are
recorded as having read it; the manager answers; the resident reads the answer with the
tracking code and gets it by email. Plus the capture form's errors, the public form
without JavaScript and the service suggestion under the real CSP."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail

from cocon.demo import data as demo_data
from cocon.demo.loader import DEMO_PASSWORD

from . import voices_data
from .conftest import DESKTOP, PHONE, audit, email_of, french, new_context, url

try:
    from playwright.sync_api import expect
except ImportError:  # reported by conftest: skipped, or failed under CI
    expect = None

pytestmark = pytest.mark.browser

# An agent of the town hall (Ville de Montlise), front desk of the civil registry.
TOWN_AGENT = demo_data.person_email("Inès", "Lopez", demo_data.VILLE)
RESIDENT_EMAIL = "lea.moreau@example.org"
WORDS = (
    "Une fuite d'eau coule depuis lundi devant l'école Jean-Moulin : le trottoir est "
    "glissant et les enfants passent dans l'eau. Elle l'a déjà signalé par téléphone."
)
ANSWER = (
    "Bonjour, nos fontainiers sont intervenus ce matin : la canalisation est réparée et "
    "le trottoir a été sablé. Merci de nous l'avoir signalé."
)


def log_in(page, live_server, email: str, *, expect_url: str = "/espace/"):
    page.goto(url(live_server, "/compte/connexion/"))
    form = page.locator("main form").first
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=password]").fill(DEMO_PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(url(live_server, expect_url))


def open_page(browser, viewport=DESKTOP, **options):
    context = (
        browser.new_context(viewport=viewport, locale="fr-FR", **options)
        if options
        else new_context(browser, viewport=viewport)
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def detail_readers(page) -> str:
    return page.locator("[data-readers]").inner_text()


def open_from_feed(page, live_server, reference: str):
    """The person's feed shows the voice as new; opening it records the read receipt."""
    page.goto(url(live_server, "/espace/paroles/"))
    item = page.locator(f".voice-item[data-reference='{reference}']")
    expect(item).to_be_visible()
    expect(item).to_have_class("voice-item is-unread")
    expect(item.locator(".badge--todo")).to_be_visible()
    item.locator(f"a[href='/espace/paroles/{reference}/']").click()
    page.wait_for_url(url(live_server, f"/espace/paroles/{reference}/"))
    expect(page.locator("[data-voice-text]")).to_contain_text("fuite d'eau")


def test_relayed_voice_goes_round_the_whole_loop(browser, live_server):
    from cocon.voices.models import Voice

    water = voices_data.service(voices_data.AGGLO, voices_data.WATER)
    manager = voices_data.user(email_of("manager"))
    elu = voices_data.user(email_of("elu"))
    agent = voices_data.user(TOWN_AGENT)
    assert agent.agent_profile.organization.slug == voices_data.VILLE
    assert water.organization.slug != agent.agent_profile.organization.slug

    # 1. The town-hall agent captures on a phone, for a service of the agglomeration.
    context, page = open_page(browser, PHONE)
    try:
        log_in(page, live_server, TOWN_AGENT)
        page.goto(url(live_server, "/espace/paroles/saisir/"))
        audit(page)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        small = page.evaluate(
            """() => [...document.querySelectorAll('.choice-button')]
                 .map((el) => el.getBoundingClientRect())
                 .filter((r) => r.width < 44 || r.height < 44).length"""
        )
        assert small == 0, "every choice button is a 44×44 px tap target at least"
        page.locator("label.choice-button[for=id_capture_mode_0]").click()
        expect(page.locator("#id_capture_mode_0")).to_be_checked()
        assert page.get_attribute("#id_capture_mode_0", "value") == "relayed"
        page.locator("input[name=kind][value=complaint]").check()
        page.locator("input[name=channel][value=counter]").check()
        page.fill("#id_text", WORDS)
        page.select_option("#id_service", str(water.pk))
        page.locator("details:has(#id_contact_email) > summary").click()
        page.fill("#id_contact_email", RESIDENT_EMAIL)
        page.check("#id_contact_consent")
        page.locator("form.capture-form button[type=submit]").click()
        page.wait_for_url(lambda u: "/espace/paroles/recu/" in u)
        reference = page.locator("[data-reference]").inner_text().strip()
        code = page.locator("[data-code]").inner_text().strip()
        track_link = page.locator("[data-track-link]").get_attribute("href")
        assert len(code) == 8 and code.isdigit(), code
        expect(page.locator(".receipt")).to_contain_text(water.name)
        expect(page.locator("[data-print]")).to_be_visible()  # shown by cocon.js
        audit(page)
    finally:
        context.close()

    voice = Voice.objects.get(reference=reference)
    assert (voice.service, voice.capture_mode, voice.channel, voice.kind) == (
        water,
        "relayed",
        "counter",
        "complaint",
    )
    assert voice.relay == agent and voice.relay_organization.slug == voices_data.VILLE
    assert voice.contact.email == RESIDENT_EMAIL

    # 2. The manager of the water service sees it as new, opens it: read receipt.
    context, page = open_page(browser)
    try:
        log_in(page, live_server, email_of("manager"))
        open_from_feed(page, live_server, reference)
        expect(page.locator("[data-readers]")).to_contain_text(manager.full_name)
        audit(page)
        manager_page = page

        # 3. The élu whose delegation covers the service: same, in their own session.
        elu_context, elu_page = open_page(browser)
        try:
            log_in(elu_page, live_server, email_of("elu"))
            open_from_feed(elu_page, live_server, reference)
            readers = detail_readers(elu_page)
            assert manager.full_name in readers and elu.full_name in readers, readers
            expect(elu_page.locator("#status-title")).to_have_count(0)  # sees, does not act
        finally:
            elu_context.close()

        # 4. The manager answers.
        manager_page.reload()
        assert elu.full_name in detail_readers(manager_page)
        manager_page.select_option("#id_status-status", "answered")
        manager_page.fill("#id_status-text", ANSWER)
        manager_page.locator("form[action$='/statut/'] button[type=submit]").click()
        manager_page.wait_for_url(url(live_server, f"/espace/paroles/{reference}/"))
        expect(manager_page.locator("h1 + p [data-status]")).to_have_attribute(
            "data-status", "answered"
        )
        expect(manager_page.locator("[data-answer]")).to_contain_text("canalisation est réparée")
    finally:
        context.close()

    # 5. The answer reached the resident's mailbox: in "inline" mode (the default) the web
    # process sent it when the status change committed; in "worker" mode, a worker would.
    if settings.OUTBOX_MODE != "inline":
        from cocon.core.outbox import deliver_due

        deliver_due()
    sent = [m for m in mail.outbox if RESIDENT_EMAIL in m.to]
    assert len(sent) == 1, [(m.to, m.subject) for m in mail.outbox]
    assert reference in sent[0].subject
    assert "canalisation est réparée" in sent[0].body
    assert f"/paroles/suivi/{reference}/" in sent[0].body

    # 6. Anyone with the tracking link (no account) reads the answer.
    context, page = open_page(browser, PHONE)
    try:
        assert track_link == url(live_server, f"/paroles/suivi/{reference}/?code={code}")
        response = page.goto(track_link)
        assert response.status == 200
        expect(page.locator("[data-status]")).to_have_attribute("data-status", "answered")
        expect(page.locator("[data-answer]")).to_contain_text("canalisation est réparée")
        expect(page.locator("[data-answer]")).to_contain_text(water.name)  # signed by the service
        expect(page.locator("main")).not_to_contain_text(RESIDENT_EMAIL)  # no contact shown
        # A wrong code shows nothing of the voice.
        response = page.goto(url(live_server, f"/paroles/suivi/{reference}/?code=22222222"))
        assert response.status == 404
        expect(page.locator("main")).not_to_contain_text("canalisation")
    finally:
        context.close()


def test_capture_with_an_empty_text_keeps_everything_else(browser, live_server):
    water = voices_data.service(voices_data.AGGLO, voices_data.WATER)
    context, page = open_page(browser, PHONE)
    try:
        log_in(page, live_server, TOWN_AGENT)
        page.goto(url(live_server, "/espace/paroles/saisir/"))
        page.locator("input[name=kind][value=suggestion]").check()
        page.locator("input[name=channel][value=phone]").check()
        page.select_option("#id_service", str(water.pk))
        page.locator("details:has(#id_address) > summary").click()
        page.fill("#id_address", "Place de la Libération")
        page.locator("details:has(#id_contact_email) > summary").click()
        page.fill("#id_contact_email", RESIDENT_EMAIL)
        page.check("#id_contact_consent")
        with page.expect_navigation() as navigation:
            page.locator("form.capture-form button[type=submit]").click()
        assert navigation.value.status == 400

        # The French message, next to the field, linked to it, announced first.
        error = page.locator("#id_text_error")
        expect(error).to_be_visible()
        expect(error).to_contain_text(french("Write your message (this field cannot be empty)."))
        expect(page.locator("#id_text")).to_have_attribute("aria-invalid", "true")
        assert "id_text_error" in page.get_attribute("#id_text", "aria-describedby")
        expect(page.locator("[data-error-summary]")).to_be_focused()
        expect(page.locator("[data-error-summary] a[href='#id_text']")).to_be_visible()
        # Nothing else is lost.
        expect(page.locator("input[name=capture_mode][value=relayed]")).to_be_checked()
        expect(page.locator("input[name=kind][value=suggestion]")).to_be_checked()
        expect(page.locator("input[name=channel][value=phone]")).to_be_checked()
        expect(page.locator("#id_service")).to_have_value(str(water.pk))
        expect(page.locator("#id_address")).to_have_value("Place de la Libération")
        expect(page.locator("#id_contact_email")).to_have_value(RESIDENT_EMAIL)
        expect(page.locator("#id_contact_consent")).to_be_checked()
        audit(page)
        # Each radio group is a fieldset whose legend is the question.
        legends = page.locator("fieldset.field-group > legend").all_inner_texts()
        assert any(french("Kind") in legend for legend in legends), legends

        # Typing the words and sending again is enough.
        page.fill("#id_text", "Des bancs à l'arrêt de bus de la place, pour les aînés.")
        page.locator("form.capture-form button[type=submit]").click()
        page.wait_for_url(lambda u: "/espace/paroles/recu/" in u)
        expect(page.locator("[data-code]")).to_be_visible()
    finally:
        context.close()


def test_public_form_works_without_javascript(browser, live_server):
    from cocon.voices.models import Voice

    voices_data.routing()  # "Let Cocon route it" finds the water service from the words
    context, page = open_page(browser, PHONE, java_script_enabled=False)
    try:
        page.goto(url(live_server, "/paroles/"))
        page.locator("input[name=kind][value=alert]").check()
        page.fill("#id_text", WORDS)
        expect(page.locator("#id_service")).to_have_value("")
        with page.expect_navigation() as navigation:
            page.locator("main form button[type=submit]").click()
        assert navigation.value.status == 200
        assert "/paroles/merci/" in page.url
        reference = page.locator("[data-reference]").inner_text().strip()
        code = page.locator("[data-code]").inner_text().strip()
        expect(page.locator("[data-print]")).to_be_hidden()  # nothing to click without JS
        voice = Voice.objects.get(reference=reference)
        assert voice.check_tracking_code(code)
        assert (voice.kind, voice.channel, voice.capture_mode) == ("alert", "web", "self")

        # And the follow-up form, without JavaScript either.
        page.goto(url(live_server, "/paroles/suivi/"))
        page.fill("#id_reference", reference.lower())
        page.fill("#id_code", code)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(lambda u: f"/paroles/suivi/{reference}/" in u)
        expect(page.locator("[data-status]")).to_have_attribute("data-status", "received")
    finally:
        context.close()


def test_public_form_errors_keep_the_text(page, live_server):
    page.goto(url(live_server, "/paroles/"))
    page.fill("#id_text", WORDS)
    with page.expect_navigation() as navigation:
        page.locator("main form button[type=submit]").click()
    assert navigation.value.status == 400
    expect(page.locator("#id_kind_error")).to_contain_text(
        french("Choose what kind of message it is.")
    )
    # The group is described by its error; the summary link reaches its first choice.
    fieldset = page.locator("fieldset:has(#id_kind)")
    assert "id_kind_error" in fieldset.get_attribute("aria-describedby")
    page.locator("[data-error-summary] a[href='#id_kind']").click()
    expect(page.locator("input[name=kind]").first).to_be_focused()
    expect(page.locator("#id_text")).to_have_value(WORDS)


def test_service_suggestion_under_the_strict_csp(browser, live_server):
    """While the agent types, cocon.js asks which service is competent and offers it; one
    click selects it. Under the real CSP (connect-src 'self', no inline script)."""
    from cocon.voices.services import suggest_route

    voices_data.routing()
    expected = suggest_route(territory=voices_data.territory(), text=WORDS, kind="complaint")
    assert expected.service is not None
    context, page = open_page(browser, PHONE, java_script_enabled=True)  # CSP not bypassed
    refused = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    try:
        log_in(page, live_server, TOWN_AGENT)
        page.goto(url(live_server, "/espace/paroles/saisir/"))
        suggestion = page.locator("[data-suggestion]")
        assert suggestion.get_attribute("aria-live") == "polite"
        page.locator("input[name=kind][value=complaint]").check()
        with page.expect_response(lambda r: "/paroles/suggestion/" in r.url) as answer:
            page.locator("#id_text").press_sequentially(WORDS[:60])
        assert answer.value.ok
        expect(suggestion).to_contain_text(
            f"Service suggéré : {expected.service.name} "
            f"({expected.service.organization.display_name})"
        )
        expect(page.locator("#id_service")).to_have_value("")  # only offered
        page.locator("[data-suggestion] button", has_text="Choisir ce service").click()
        expect(page.locator("#id_service")).to_have_value(str(expected.service.pk))
        expect(page.locator("#id_service")).to_be_focused()
        # Once a service is chosen, typing on asks nothing more.
        asked = []
        page.on("request", lambda r: asked.append(r.url) if "/suggestion/" in r.url else None)
        page.locator("#id_text").press_sequentially(" Merci.")
        page.wait_for_timeout(800)
        assert asked == []
        assert refused == []
    finally:
        context.close()
