"""Offline field capture in real Chromium, under the site's real CSP: an agent opens the
field page once online (the service worker installs and keeps the page, its files and the
reference data), the network goes off, the page is reloaded and opens from the service
worker; the agent records a report with a photo and a GPS position, and a voice; they wait
on the phone (IndexedDB, surviving a reload); the network comes back and they are sent,
each shown with its reference. A second open tab, "Send now" clicked twice and an explicit
replay of a send (same Idempotency-Key) leave each item stored once. A category closed while
the agent was offline comes back as a French error on its item, which stays visible, is
fixed and sent.

"Network off" is `context.set_offline(True)`: in this Chromium it also cuts the service
worker's own fetches (checked below: reference.json then comes from the worker's copy,
not from the server)."""

from __future__ import annotations

import io

import pytest
from django.utils import translation
from PIL import Image

from cocon.demo import data as demo_data
from cocon.demo.loader import DEMO_PASSWORD

from . import voices_data
from .conftest import PHONE, email_of, login, url

try:
    from playwright.sync_api import expect
except ImportError:  # reported by conftest: skipped, or failed under CI
    expect = None

pytestmark = pytest.mark.browser

PAGE = "/espace/terrain/"
MONTLISE = {"latitude": 45.3650, "longitude": 5.5895, "accuracy": 8}
TOWN_AGENT = demo_data.person_email("Inès", "Lopez", demo_data.VILLE)  # another agent


def french(msgid: str) -> str:
    """What the page says in French (the catalogue is completed by the lead: until then
    gettext answers the English msgid, as the server does)."""
    with translation.override("fr"):
        return translation.gettext(msgid)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 60, 40)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def _remove_photos(demo):
    yield
    voices_data.remove_photos()


@pytest.fixture
def categories(demo):
    """Two report categories handled by the agglomeration everywhere (the demo loader has
    no Signalements data yet)."""
    from cocon.reports.models import Category, Coverage
    from cocon.territory.models import Organization

    territory = voices_data.territory()
    agglo = Organization.objects.get(slug=voices_data.AGGLO)
    water = voices_data.service(voices_data.AGGLO, voices_data.WATER)
    made = {}
    for code, name in (("voirie-test", "Chaussée abîmée"), ("eclairage-test", "Lampadaire")):
        category = Category.objects.create(territory=territory, code=code, name=name, group="Rue")
        Coverage.objects.create(category=category, organization=agglo, service=water)
        made[code] = category
    return made


def field_context(browser):
    # the real CSP (no bypass_csp): the service worker and the scripts must work under it
    context = browser.new_context(
        viewport=PHONE,
        locale="fr-FR",
        service_workers="allow",
        permissions=["geolocation"],
        geolocation=MONTLISE,
    )
    context.set_default_timeout(15_000)
    return context


def wait_controlled(page) -> None:
    """The service worker is installed (page, files and reference.json kept) and controls
    this page."""
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.wait_for_selector("[data-field-app] [data-offline-ready]:not([hidden])", state="attached")
    page.wait_for_selector("[data-field-app][data-ready=true]", state="attached")


def items(page, state: str):
    return page.locator(f"[data-items] [data-state='{state}']")


def record_report(page, category: str, text: str, *, with_photo: bool = False) -> None:
    page.check("#field-type-report")
    form = page.locator("form[data-form='report']")
    form.locator("#report-category").select_option(label=category)
    form.locator("#report-description").fill(text)
    form.locator("[data-locate]").click()
    expect(form.locator("[data-position]")).to_contain_text("45.36500")
    if with_photo:
        form.locator("#report-photos").set_input_files(
            {"name": "trou.png", "mimeType": "image/png", "buffer": png()}
        )
        expect(form.locator("[data-thumbs] img")).to_have_count(1)
    form.locator("button[type=submit]").click()


def record_voice(page, text: str) -> None:
    page.check("#field-type-voice")
    form = page.locator("form[data-form='voice']")
    expect(form).to_be_visible()
    form.locator("#voice-mode-relayed").check()
    form.locator("#voice-kind").select_option("complaint")
    form.locator("#voice-channel").select_option("bus")
    form.locator("#voice-text").fill(text)
    water = voices_data.service(voices_data.AGGLO, voices_data.WATER)
    form.locator("#voice-service").select_option(str(water.pk))
    form.locator("button[type=submit]").click()


def test_field_capture_offline_then_sent_once(browser, live_server, categories):
    from cocon.accounts.models import User
    from cocon.api.models import IdempotencyKey
    from cocon.core.models import Attachment
    from cocon.reports.models import Category, Report
    from cocon.voices.models import Voice

    voices_before = Voice.objects.count()
    last_voice = Voice.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ours = Report.objects.filter(category__code__in=categories)
    context = field_context(browser)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on(
            "console",
            lambda msg: (
                errors.append(msg.text)
                if msg.type == "error" and "Content Security Policy" in msg.text
                else None
            ),
        )
        login(page, live_server, "agent")
        page.goto(url(live_server, PAGE))
        wait_controlled(page)
        online_copy = page.evaluate(
            "() => fetch('reference.json').then((r) => r.json()).then((d) => d.generated_at)"
        )

        # --- network off: the page opens from the service worker -----------------------
        context.set_offline(True)
        response = page.reload()
        assert response is not None and response.from_service_worker
        expect(page.locator("h1")).to_have_text(french("Field capture"))
        expect(page.locator("[data-network]")).to_have_text(
            french("No network: what you record is kept on this phone.")
        )
        page.wait_for_selector("[data-field-app][data-ready=true]", state="attached")
        # the worker's fetch is cut too: reference.json is its copy, not a fresh answer
        offline_copy = page.evaluate(
            "() => fetch('reference.json', {cache: 'no-store'})"
            ".then((r) => r.json()).then((d) => d.generated_at)"
        )
        assert offline_copy == online_copy
        expect(page.locator("#report-category option", has_text="Chaussée abîmée")).to_have_count(1)

        # --- record a report (GPS + photo), a voice, and a report of a category that
        #     will be closed before the network comes back
        record_report(
            page, "Chaussée abîmée", "Nid-de-poule profond devant la poste.", with_photo=True
        )
        expect(items(page, "waiting")).to_have_count(1)
        record_voice(page, "Le bus ne s'arrête plus à l'arrêt Mairie depuis lundi.")
        expect(items(page, "waiting")).to_have_count(2)
        record_report(page, "Lampadaire", "Lampadaire éteint rue des Tisserands.")
        expect(items(page, "waiting")).to_have_count(3)
        # kept on the phone: still there after a reload without network
        page.reload()
        page.wait_for_selector("[data-field-app][data-ready=true]", state="attached")
        expect(items(page, "waiting")).to_have_count(3)
        expect(page.locator("[data-items]")).to_contain_text("Chaussée abîmée")
        expect(page.locator("[data-items]")).to_contain_text(
            french("Photos: %(count)s") % {"count": 1}
        )
        assert Voice.objects.count() == voices_before  # nothing reached the server

        Category.objects.filter(code="eclairage-test").update(is_active=False)

        # a second tab of the same phone wants to send the same items when the network
        # comes back: one sync at a time (Web Locks), the other tab's list follows
        # (BroadcastChannel), and the same key would be stored once anyway
        second = context.new_page()
        second.goto(url(live_server, PAGE))
        second.wait_for_selector("[data-field-app][data-ready=true]", state="attached")
        sends: list = []
        context.on(  # either tab may be the one that sends (one sync at a time)
            "request",
            lambda r: (
                sends.append(r) if r.url.endswith("/envoyer/") and r.method == "POST" else None
            ),
        )

        # --- network back: everything is sent -----------------------------------------
        context.set_offline(False)
        expect(items(page, "sent")).to_have_count(2)
        expect(items(page, "error")).to_have_count(1)
        expect(page.locator("[data-network]")).to_have_text(french("Network available."))
        # click "Send now" twice quickly: nothing is waiting any more, nothing is sent again
        page.locator("[data-send-now]").click()
        page.locator("[data-send-now]").click()

        report = ours.select_related("voice").get()
        voice = Voice.objects.exclude(kind="report").get(pk__gt=last_voice)
        assert Voice.objects.count() == voices_before + 2
        assert report.voice.channel == "field_walk" and report.voice.relay.email == email_of(
            "agent"
        )
        assert abs(report.latitude - MONTLISE["latitude"]) < 1e-6
        assert Attachment.objects.filter(object_id=report.voice.pk).count() == 1
        assert voice.text.startswith("Le bus ne s'arrête plus") and voice.channel == "bus"
        sent = items(page, "sent")
        expect(sent.locator(f"a[href='/signalements/{report.voice.reference}/']")).to_have_text(
            report.voice.reference
        )
        expect(sent.locator(f"[data-reference='{voice.reference}']")).to_be_visible()

        # --- replay one send exactly as the browser made it: same answer, no new row ----
        # (the voice's: Playwright does not keep the bytes of a photo read from IndexedDB
        # in post_data_buffer, and a different body is refused — as it should be)
        first = next(
            r
            for r in sends
            if r.response()
            and r.response().status == 201
            and r.response().json()["kind"] == "voice"
        )
        replay = page.request.post(
            first.url,
            headers={
                name: value
                for name, value in first.headers.items()
                if name.lower() in ("idempotency-key", "x-csrftoken", "content-type", "accept")
            },
            data=first.post_data_buffer,
        )
        assert replay.status == 201
        assert replay.json() == first.response().json()
        assert replay.headers.get("idempotent-replayed") == "true"
        assert Voice.objects.count() == voices_before + 2
        keys = IdempotencyKey.objects.filter(
            scope=f"user:{User.objects.get(email=email_of('agent')).pk}"
        )
        assert keys.count() == 2

        # --- the conflict: a French error on the item, which stays; fixed, then sent -----
        conflict = items(page, "error")
        closed = french("This category no longer takes reports: choose another one.")
        expect(conflict.locator("[data-errors]")).to_contain_text(closed)
        expect(conflict).to_contain_text("Lampadaire éteint")
        conflict.locator("[data-action='fix']").click()
        form = page.locator("form[data-form='report']")
        expect(form.locator("#report-category-error")).to_have_text(closed)
        expect(form.locator("#report-category")).to_have_attribute("aria-invalid", "true")
        expect(form.locator("#report-description")).to_have_value(
            "Lampadaire éteint rue des Tisserands."
        )
        form.locator("#report-category").select_option(label="Chaussée abîmée")
        form.locator("button[type=submit]").click()
        expect(items(page, "sent")).to_have_count(3)
        expect(items(page, "error")).to_have_count(0)
        assert ours.count() == 2
        assert Voice.objects.count() == voices_before + 3
        assert errors == [], errors
    finally:
        context.close()


def test_expired_session_keeps_the_items(browser, live_server, categories):
    """Logged out while offline: the items stay waiting and the page asks to log in again;
    another agent logging in on the same phone does not send them; once the agent who
    recorded them logs in again, they are sent."""
    from cocon.voices.models import Voice

    voices_before = Voice.objects.count()
    context = field_context(browser)
    try:
        page = context.new_page()
        login(page, live_server, "agent")
        page.goto(url(live_server, PAGE))
        wait_controlled(page)
        context.set_offline(True)
        record_report(page, "Chaussée abîmée", "Plaque d'égout descellée.")
        expect(items(page, "waiting")).to_have_count(1)
        context.clear_cookies()  # the session is gone
        context.set_offline(False)
        expect(page.locator("[data-sync-message]")).to_contain_text(
            french("Your session has expired: log in again. Your items are kept on this phone.")
        )
        expect(items(page, "waiting")).to_have_count(1)
        assert Voice.objects.count() == voices_before

        def log_in_from_the_message(email: str) -> None:
            page.locator("[data-sync-message] a").click()
            form = page.locator("main form").first
            form.locator("input[name=email]").fill(email)
            form.locator("input[name=password]").fill(DEMO_PASSWORD)
            form.locator("button[type=submit]").click()
            page.wait_for_url(url(live_server, PAGE))

        # another agent logs in on this phone: the item is not sent under their name
        log_in_from_the_message(TOWN_AGENT)
        expect(items(page, "waiting").locator("[data-message]")).to_have_text(
            french("Recorded with another account on this phone: log in with it to send this item.")
        )
        assert Voice.objects.count() == voices_before
        context.clear_cookies()
        page.locator("[data-send-now]").click()
        log_in_from_the_message(email_of("agent"))
        expect(items(page, "sent")).to_have_count(1)
        assert Voice.objects.count() == voices_before + 1
        assert Voice.objects.order_by("-pk").first().relay.email == email_of("agent")
    finally:
        context.close()
