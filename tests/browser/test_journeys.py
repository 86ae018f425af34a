"""What people do, in a real browser: keyboard, logging in and out, forms with errors,
language, an organization's colours, downloading one's data."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from cocon.demo.loader import DEMO_PASSWORD
from cocon.lib import colors
from cocon.territory.models import Organization

from .conftest import DESKTOP, ROLES, email_of, french, login, url

try:
    from playwright.sync_api import expect
except ImportError:  # reported by conftest: skipped, or failed under CI
    expect = None

pytestmark = pytest.mark.browser

HOST = "agglo-val-de-lise"


def active_element(page) -> dict:
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          return {tag: el.tagName.toLowerCase(), id: el.id, classes: [...el.classList],
                  summary: el.hasAttribute('data-error-summary'), text: el.textContent.trim()};
        }"""
    )


def rgb(hex_color: str) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgb({r}, {g}, {b})"


def header_background(page) -> str:
    return page.evaluate(
        "() => getComputedStyle(document.querySelector('.site-header')).backgroundColor"
    )


# --- Keyboard ----------------------------------------------------------------------------------


def test_skip_link_is_first_and_moves_focus_to_content(page, live_server):
    page.goto(url(live_server, "/"))
    page.keyboard.press("Tab")
    focused = active_element(page)
    assert "skip-link" in focused["classes"], focused
    assert focused["text"] == french("Skip to content")
    box = page.locator("a.skip-link").bounding_box()
    assert box is not None and box["y"] >= 0, "the focused skip link must be on screen"

    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#contenu$"))
    focused = active_element(page)
    assert (focused["tag"], focused["id"]) == ("main", "contenu"), focused
    # The next Tab goes on inside the content, not back to the header.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)")


# --- Logging in and out ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_login_lands_on_the_role_panel(page, live_server, role):
    login(page, live_server, role)
    # Each module may add its own panel for the role (Paroles does): the first one shows.
    expect(page.locator(f'.panel-grid section[data-role="{role}"]').first).to_be_visible()
    expect(page.locator(".main-nav a[aria-current=page]")).to_have_attribute("href", "/espace/")


def test_wrong_password_shows_focused_error_summary(page, live_server):
    page.goto(url(live_server, "/compte/connexion/"))
    page.fill("#id_email", email_of("usager"))
    page.fill("#id_password", "pas-le-bon-mot-de-passe")
    with page.expect_navigation() as navigation:
        page.locator("main form button[type=submit]").click()
    assert navigation.value.status == 400
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text(french("Incorrect email address or password."))
    assert active_element(page)["summary"], active_element(page)
    assert page.url == url(live_server, "/compte/connexion/")
    # The typed address is kept; the password is not echoed back.
    expect(page.locator("#id_email")).to_have_value(email_of("usager"))
    expect(page.locator("#id_password")).to_have_value("")


def test_logout_from_the_header(page, live_server):
    login(page, live_server, "usager")
    page.locator(".site-header .logout-form button").click()
    page.wait_for_url(url(live_server, "/"))
    expect(page.locator(".messages")).to_contain_text(french("You are logged out."))
    expect(page.locator(".main-nav")).to_contain_text(french("Log in"))
    expect(page.locator(".logout-form")).to_have_count(0)
    page.goto(url(live_server, "/espace/"))
    assert page.url.startswith(url(live_server, "/compte/connexion/")), page.url


# --- Registration ------------------------------------------------------------------------------


def test_registration_with_different_passwords_keeps_what_was_typed(page, live_server):
    page.goto(url(live_server, "/compte/inscription/"))
    page.fill("#id_full_name", "Louise Perrin")
    page.fill("#id_email", "louise.perrin@example.org")
    page.fill("#id_password1", "Une-phrase-de-passe-2026")
    page.fill("#id_password2", "Une-autre-phrase-2026")
    page.check("#id_accept_terms")
    with page.expect_navigation() as navigation:
        page.locator("main form button[type=submit]").click()
    assert navigation.value.status == 400

    error = page.locator("#id_password2_error")
    expect(error).to_be_visible()
    expect(error).to_contain_text(french("The two passwords differ."))
    expect(page.locator("#id_password2")).to_have_attribute("aria-invalid", "true")
    assert "id_password2_error" in page.get_attribute("#id_password2", "aria-describedby")
    assert active_element(page)["summary"]
    # Nothing typed is lost (except passwords, never sent back).
    expect(page.locator("#id_full_name")).to_have_value("Louise Perrin")
    expect(page.locator("#id_email")).to_have_value("louise.perrin@example.org")
    expect(page.locator("#id_accept_terms")).to_be_checked()
    # The summary links to the field in error.
    page.locator("[data-error-summary] a[href='#id_password2']").click()
    assert active_element(page)["id"] == "id_password2"


# --- Language ----------------------------------------------------------------------------------


def test_language_switch_and_back(page, live_server):
    page.goto(url(live_server, "/organisations/"))
    assert page.get_attribute("html", "lang") == "fr"
    page.locator(".lang-form button", has_text="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url == url(live_server, "/organisations/"), "stays on the same page"
    expect(page.locator(".main-nav")).to_contain_text("Log in")
    expect(page.locator(".main-nav")).not_to_contain_text(french("Log in"))

    page.goto(url(live_server, "/territoire/"))  # the choice is remembered
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.locator(".lang-form button", has_text="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator(".main-nav")).to_contain_text(french("Log in"))


# --- An organization's colours -----------------------------------------------------------------


def test_settings_refuse_low_contrast_then_apply_the_new_colours(page, live_server):
    primary, accent = "#5b2a86", "#f3edf8"
    assert colors.theme_problems(primary, accent) == []  # a valid pair, by our own rules
    login(page, live_server, "admin")
    page.goto(url(live_server, f"/organisations/{HOST}/reglages/"))
    before = header_background(page)

    page.fill("#id_primary_color", "#ffff00")
    page.locator("main form.stack button[type=submit]").click()
    error = page.locator("#id_primary_color_error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Contraste insuffisant")
    assert active_element(page)["summary"]
    expect(page.locator("[data-error-summary]")).to_contain_text("Contraste insuffisant")
    assert header_background(page) == before, "a refused colour is never applied"

    # The theme stylesheet is cached by URL, versioned by the organization's updated_at
    # in whole seconds: save in a later second than the last change, as a person would.
    last_change = Organization.objects.get(slug=HOST).updated_at.timestamp()
    time.sleep(max(0.0, int(last_change) + 1.05 - time.time()))
    page.fill("#id_primary_color", primary)
    page.fill("#id_accent_color", accent)
    page.locator("main form.stack button[type=submit]").click()
    page.wait_for_url(url(live_server, f"/organisations/{HOST}/reglages/"))
    expect(page.locator(".messages")).to_be_visible()
    expect(page.locator("#id_primary_color_error")).to_have_count(0)
    assert header_background(page) == rgb(primary)
    # And on the organization's public page, for everyone.
    page.goto(url(live_server, f"/organisations/{HOST}/"))
    assert header_background(page) == rgb(primary)


# --- Personal data -----------------------------------------------------------------------------


def test_json_export_downloads_my_data(page, live_server):
    login(page, live_server, "usager")
    page.goto(url(live_server, "/compte/profil/"))
    with page.expect_download() as info:
        page.locator("main a[href='/compte/profil/export.json']").click()
    download = info.value
    assert download.suggested_filename.endswith(".json")
    data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert email_of("usager") in json.dumps(data, ensure_ascii=False)


def test_password_reset_link_sets_a_new_password(page, live_server):
    """From the emailed link to logging in with the new password."""
    from django.core import mail

    page.goto(url(live_server, "/compte/mot-de-passe/"))
    page.fill("#id_email", email_of("usager"))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(url(live_server, "/compte/mot-de-passe/envoye/"))
    links = [
        link
        for message in mail.outbox
        if email_of("usager") in message.to
        for link in re.findall(r"https?://\S+/compte/mot-de-passe/\S+/\S+/", message.body)
    ]
    assert links, [m.body for m in mail.outbox]
    path = "/compte/" + links[-1].split("/compte/", 1)[1]
    page.goto(url(live_server, path))
    page.fill("#id_new_password1", "Une-phrase-de-passe-2026")
    page.fill("#id_new_password2", "Une-phrase-de-passe-2026")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(url(live_server, "/compte/mot-de-passe/termine/"))

    page.goto(url(live_server, "/compte/connexion/"))
    page.fill("#id_email", email_of("usager"))
    page.fill("#id_password", DEMO_PASSWORD)  # the old one no longer works
    page.locator("main form button[type=submit]").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()
    page.fill("#id_password", "Une-phrase-de-passe-2026")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(url(live_server, "/espace/"))


# --- Under the real Content-Security-Policy ------------------------------------------------------


def test_pages_work_under_the_strict_csp(browser, live_server):
    """The other tests bypass the CSP (to inject axe-core); here it applies as for everyone:
    no page, including the admin, has anything refused, and cocon.js still runs."""
    context = browser.new_context(viewport=DESKTOP, locale="fr-FR")
    try:
        page = context.new_page()
        refused = []
        page.on(
            "console",
            lambda m: (
                refused.append(f"{page.url}: {m.text}")
                if "Content Security Policy" in m.text
                else None
            ),
        )
        page.goto(url(live_server, "/"))
        page.goto(url(live_server, "/compte/connexion/"))
        page.locator("main form button[type=submit]").click()
        expect(page.locator("[data-error-summary]")).to_be_focused()  # cocon.js ran
        login(page, live_server, "admin")
        for path in (f"/organisations/{HOST}/", f"/organisations/{HOST}/reglages/", "/admin/"):
            page.goto(url(live_server, path))
            page.wait_for_load_state("load")
        assert refused == []
    finally:
        context.close()
