"""Signalements in a real browser, with the map tiles unreachable (as in a test machine
without network, or a blocked tile server): a resident reports by clicking the map;
another one, at the same place, is told it is already reported and supports it instead;
the list is filtered; "use my position"; the form without JavaScript; and the axe audit
of every public page at 1280 and 360 px."""

from __future__ import annotations

import re

import pytest

from . import voices_data
from .conftest import DESKTOP, PHONE, audit, new_context, url

try:
    from playwright.sync_api import expect
except ImportError:  # reported by conftest: skipped, or failed under CI
    expect = None

pytestmark = pytest.mark.browser

CODE = "banc-test"
DESCRIPTION = "Le banc devant la médiathèque a une planche cassée, les enfants s'y blessent."


def ensure_category():
    """A category of our own, handled by the agglomeration everywhere (the demo's own
    categories and reports may exist too: this one is only ours)."""
    from cocon.reports.models import Category, Coverage
    from cocon.territory.models import Organization

    category, created = Category.objects.get_or_create(
        territory=voices_data.territory(),
        code=CODE,
        defaults={
            "name": "Banc cassé",
            "group": "Mobilier",
            "attributes": [
                {
                    "code": "planches",
                    "description": "Combien de planches sont cassées ?",
                    "datatype": "number",
                    "required": False,
                    "order": 1,
                }
            ],
        },
    )
    if created:
        Coverage.objects.create(
            category=category,
            organization=Organization.objects.get(slug=voices_data.AGGLO),
            service=voices_data.service(voices_data.AGGLO, voices_data.WATER),
        )
    return category


@pytest.fixture
def bench_category(demo):
    return ensure_category()


def a_commune():
    from cocon.territory.models import Commune

    return Commune.objects.exclude(latitude=None).order_by("insee_code").first()


def submit_report(category, *, north_m: float = 0.0, **fields):
    from cocon.lib import geo
    from cocon.reports.services import report_submit

    commune = a_commune()
    return report_submit(
        territory=commune.territory,
        category=category,
        description=fields.pop("description", DESCRIPTION),
        latitude=commune.latitude + north_m / geo.M_PER_DEG_LAT,
        longitude=commune.longitude,
        **fields,
    )


def block_tiles(context, live_server):
    """Everything that is not Cocon fails, as tiles do on a machine without network."""
    context.route(lambda u: not u.startswith(live_server.url), lambda route: route.abort())


def csp_watch(page) -> list[str]:
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"error: {exc}"))
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and "Content Security Policy" in m.text
            else None
        ),
    )
    return problems


# --- screens of the accessibility audit (tests/browser/test_pages_a11y.py) ----------------
def _blocked(page, live_server):
    page.route(lambda u: not u.startswith(live_server.url), lambda route: route.abort())


def index_screen(page, live_server):
    _blocked(page, live_server)
    ensure_category()
    response = page.goto(url(live_server, "/signalements/?status=all"))
    page.locator("#reports-map .leaflet-marker-pane > *").first.wait_for()  # audited drawn
    return response


def new_screen(page, live_server):
    _blocked(page, live_server)
    ensure_category()
    return page.goto(url(live_server, "/signalements/nouveau/"))


def _send(page):
    with page.expect_navigation() as navigation:
        page.locator("form[data-report-form] > .actions button[type=submit]").click()
    return navigation.value


def new_errors_screen(page, live_server):
    new_screen(page, live_server)
    page.fill("#id_address", "Parvis de la médiathèque")
    return _send(page)


def receipt_screen(page, live_server):
    new_screen(page, live_server)
    page.select_option("#id_category", CODE)
    page.select_option("#id_commune", str(a_commune().pk))
    page.fill("#id_description", DESCRIPTION)
    return _send(page)


def already_reported_screen(page, live_server):
    existing = submit_report(ensure_category())
    new_screen(page, live_server)
    page.select_option("#id_category", CODE)
    commune = a_commune()
    page.evaluate(
        """([lat, lon]) => {
          document.querySelector('input[name=latitude]').value = lat;
          document.querySelector('input[name=longitude]').value = lon;
        }""",
        [f"{commune.latitude:.6f}", f"{commune.longitude:.6f}"],
    )
    page.fill("#id_description", DESCRIPTION)
    response = _send(page)
    assert existing.voice.reference in page.content()
    return response


def detail_screen(page, live_server):
    from cocon.reports.services import report_set_state

    done = submit_report(ensure_category(), address="Parvis de la médiathèque")
    report_set_state(
        done.report,
        actor=voices_data.user("manager@demo.cocon.test"),
        status="scheduled",
        text="Remplacement de la planche prévu mardi.",
    )
    _blocked(page, live_server)
    return page.goto(url(live_server, f"/signalements/{done.voice.reference}/"))


# --- journeys ----------------------------------------------------------------------------
def real_csp_page(browser, live_server, **options):
    """A page under the site's real CSP (no bypass), tiles unreachable."""
    context = browser.new_context(viewport=DESKTOP, locale="fr-FR", **options)
    block_tiles(context, live_server)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def click_map(page, selector: str, fx: float = 0.5, fy: float = 0.5):
    box = page.locator(selector).bounding_box()
    page.locator(selector).click(position={"x": box["width"] * fx, "y": box["height"] * fy})


def test_report_by_clicking_the_map_then_support_instead(browser, live_server, bench_category):
    from cocon.reports.models import Report

    context, page = real_csp_page(browser, live_server)
    try:
        problems = csp_watch(page)
        page.goto(url(live_server, "/signalements/nouveau/"))
        picker = page.locator("[data-report-picker]")
        expect(picker).to_be_visible()
        # no tiles: the page says so, and everything still works
        expect(picker.locator("[data-map-notice]")).to_be_visible()
        # the category's own questions appear when it is chosen
        questions = page.locator(f"[data-questions-for='{CODE}']")
        expect(questions).to_be_hidden()
        page.select_option("#id_category", CODE)
        expect(questions).to_be_visible()
        page.fill(f"#id_q__{CODE}__planches", "2")
        click_map(page, "#report-picker-map", 0.45, 0.55)
        expect(page.locator("input[name=latitude]")).not_to_have_value("")
        expect(page.locator("[data-point-status]")).to_contain_text(",")
        expect(page.locator(".leaflet-marker-icon")).to_have_count(1)
        lat = float(page.locator("input[name=latitude]").input_value())
        lon = float(page.locator("input[name=longitude]").input_value())
        expect(page.locator("[data-nearby] li")).to_have_count(0)
        page.fill("#id_description", DESCRIPTION)
        page.locator("form[data-report-form] > .actions button[type=submit]").click()
        page.wait_for_url(re.compile(r"/signalements/merci/[A-Z0-9-]+/$"))
        reference = page.locator("[data-reference]").inner_text().strip()
        assert re.fullmatch(r"\d{8}", page.locator("[data-code]").inner_text().strip())
        report = Report.objects.select_related("voice").get(voice__reference=reference)
        assert report.category == bench_category
        assert report.attributes == {"planches": 2.0}
        assert (report.voice.latitude, report.voice.longitude) == pytest.approx((lat, lon))

        # a second person, another browser, the same place: "already reported"
        other, page2 = real_csp_page(browser, live_server)
        try:
            problems += csp_watch(page2)
            page2.goto(url(live_server, "/signalements/nouveau/"))
            page2.select_option("#id_category", CODE)
            click_map(page2, "#report-picker-map", 0.45, 0.55)
            suggestion = page2.locator(f"[data-nearby-report='{reference}']")
            expect(suggestion).to_be_visible()
            expect(suggestion).to_contain_text("Banc cassé")
            suggestion.locator(f"[data-support='{reference}']").click()
            page2.wait_for_url(url(live_server, f"/signalements/{reference}/"))
            expect(page2.locator(".message--success")).to_be_visible()
            expect(page2.locator("[data-supported]")).to_be_visible()
            expect(page2.locator("[data-support-count]")).to_contain_text("1")
        finally:
            other.close()
        report.refresh_from_db()
        assert report.support_count == 1
        assert Report.objects.filter(category=bench_category).count() == 1
        assert problems == []
    finally:
        context.close()


def test_use_my_position_places_the_point(browser, live_server, bench_category):
    commune = a_commune()
    context, page = real_csp_page(
        browser,
        live_server,
        permissions=["geolocation"],
        geolocation={"latitude": commune.latitude, "longitude": commune.longitude},
    )
    try:
        page.goto(url(live_server, "/signalements/nouveau/"))
        page.locator("[data-locate]").click()
        expect(page.locator("input[name=latitude]")).to_have_value(f"{commune.latitude:.6f}")
        expect(page.locator("input[name=longitude]")).to_have_value(f"{commune.longitude:.6f}")
        page.locator("[data-clear-point]").click()
        expect(page.locator("input[name=latitude]")).to_have_value("")
    finally:
        context.close()


def test_the_list_is_filtered_and_the_map_shows_markers(browser, live_server, bench_category):
    refs = {submit_report(bench_category, north_m=n).voice.reference for n in (0, 200)}
    context, page = real_csp_page(browser, live_server)
    try:
        problems = csp_watch(page)
        page.goto(url(live_server, "/signalements/"))
        expect(page.locator("[data-map-section] [data-map-notice]")).to_be_visible()
        expect(page.locator("#reports-map .leaflet-marker-icon").first).to_be_visible()
        page.select_option("#id_category", CODE)
        page.select_option("#id_status", "all")
        page.locator("form[data-report-filters] button[type=submit]").click()
        page.wait_for_url(re.compile(r"category=banc-test"))
        items = page.locator("[data-report-list] .report-item")
        expect(items).to_have_count(2)
        assert {items.nth(i).get_attribute("data-report") for i in range(2)} == refs
        # the map follows the filters: our two reports only
        expect(page.locator("#reports-map .leaflet-marker-icon")).to_have_count(2)
        # markers are reachable with the keyboard: Enter opens the popup and its link
        page.locator("#reports-map .leaflet-marker-icon").first.focus()
        page.keyboard.press("Enter")
        popup_link = page.locator("#reports-map .leaflet-popup a[href^='/signalements/']")
        expect(popup_link).to_be_visible()
        assert problems == []
    finally:
        context.close()


def test_the_form_works_without_javascript(browser, live_server, bench_category):
    from cocon.reports.models import Report

    commune = a_commune()
    context = browser.new_context(viewport=PHONE, locale="fr-FR", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(url(live_server, "/signalements/nouveau/"))
        expect(page.locator("[data-report-picker]")).to_be_hidden()
        page.select_option("#id_category", CODE)
        page.select_option("#id_commune", str(commune.pk))
        page.fill("#id_address", "Parvis de la médiathèque")
        page.fill("#id_description", DESCRIPTION)
        page.locator("form[data-report-form] > .actions button[type=submit]").click()
        page.wait_for_url(re.compile(r"/signalements/merci/"))
        reference = page.locator("[data-reference]").inner_text().strip()
        report = Report.objects.get(voice__reference=reference)
        assert report.precision == "commune" and report.voice.commune == commune
    finally:
        context.close()


def test_public_report_pages_pass_the_audit(browser, live_server, bench_category):
    """axe-core, at 1280 px then 360 px (nothing may scroll sideways): the map and list,
    the form with an "already reported" suggestion, its errors, the confirmation step
    without JavaScript (server side), the receipt and a report's page."""
    existing = submit_report(bench_category)
    from cocon.reports.services import report_set_state

    report_set_state(
        existing.report,
        actor=voices_data.user("manager@demo.cocon.test"),
        status="scheduled",
        text="Remplacement de la planche prévu mardi.",
    )
    commune = a_commune()
    context = new_context(browser, viewport=DESKTOP)
    block_tiles(context, live_server)
    page = context.new_page()
    page.set_default_timeout(10_000)

    def check(expect_selector: str):
        expect(page.locator(expect_selector).first).to_be_visible()
        audit(page)
        page.set_viewport_size(PHONE)
        audit(page)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (page.url, width)
        page.set_viewport_size(DESKTOP)

    try:
        page.goto(url(live_server, "/signalements/"))
        check("[data-map-section] [data-map-notice]")
        page.goto(url(live_server, f"/signalements/{existing.voice.reference}/"))
        check("[data-updates]")
        page.goto(url(live_server, "/signalements/nouveau/"))
        page.select_option("#id_category", CODE)
        page.locator("[data-locate]").wait_for()
        # the suggestion, shown as with a click on the map at the existing report
        page.evaluate(
            """([lat, lon]) => {
              document.querySelector('input[name=latitude]').value = lat;
              document.querySelector('input[name=longitude]').value = lon;
              document.querySelector('#id_category').dispatchEvent(new Event('change'));
            }""",
            [f"{commune.latitude:.6f}", f"{commune.longitude:.6f}"],
        )
        check("[data-nearby] li")
        page.locator(
            "form[data-report-form] > .actions button[type=submit]"
        ).click()  # no description
        page.wait_for_load_state("load")
        check("[data-error-summary]")
        page.fill("#id_description", DESCRIPTION)
        page.locator("form[data-report-form] > .actions button[type=submit]").click()
        page.wait_for_load_state("load")
        check("[data-nearby-list] [data-support]")  # the server-side "already reported" step
        page.locator("[data-send-different]").click()
        page.wait_for_url(re.compile(r"/signalements/merci/"))
        check(".receipt [data-code]")
    finally:
        context.close()
