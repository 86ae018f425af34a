"""Baromètre in a real browser: an inhabitant answers on a phone with an invitation code
(accepted once, refused the second time), the public results page, the manager's
dashboard."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from .conftest import PHONE, login, new_context, url

pytestmark = pytest.mark.browser

CODE = "ABCDE-23456"


def water():
    from cocon.barometer.models import Barometer

    return Barometer.objects.get(slug="eau-potable")


def open_wave_with_code(code: str = CODE):
    """A wave of the water barometer open today, with one invitation code."""
    from cocon.barometer.models import Invitation, Wave, WaveStatus, hash_code

    barometer = water()
    today = timezone.localdate()
    wave = Wave.objects.create(
        barometer=barometer,
        label="Vague de test",
        code="test",
        opens_on=today - dt.timedelta(days=1),
        closes_on=today + dt.timedelta(days=20),
        status=WaveStatus.OPEN,
    )
    wave.criteria.set(barometer.criteria.all())
    Invitation.objects.create(wave=wave, code_hash=hash_code(code), batch="test")
    return wave


def type_code(page, live_server, code: str = CODE):
    page.goto(url(live_server, "/barometres/repondre/"))
    page.fill("#id_code", code)
    with page.expect_navigation() as nav:
        page.locator("main form button[type=submit]").click()
    return nav.value


def choose(page, name: str, value: str):
    page.locator(f"input[name='{name}'][value='{value}']").check(force=True)


def test_inhabitant_answers_once_with_a_code_on_a_phone(browser, live_server):
    from cocon.barometer.models import Invitation, Response

    wave = open_wave_with_code()
    criteria = list(wave.criteria.values_list("code", flat=True))
    commune = wave.barometer.organization.communes.order_by("name").first()
    context = new_context(browser, viewport=PHONE)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        response = type_code(page, live_server)
        assert response.status == 200
        for i, code in enumerate(criteria):
            if code == "prix":
                choose(page, f"score_{code}", "")  # no opinion
            else:
                choose(page, f"score_{code}", str(3 + i % 7))
        choose(page, "overall", "6")
        choose(page, "age_band", "30-44")
        choose(page, "sex", "F")
        page.select_option("#id_commune", str(commune.pk))
        with page.expect_navigation() as nav:
            page.locator("main form button[type=submit]").last.click()
        assert nav.value.status == 200
        assert page.url.endswith("/barometres/repondre/merci/")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"]

        answer = Response.objects.get(wave=wave)
        assert answer.overall == 6 and answer.age_band == "30-44" and answer.sex == "F"
        assert answer.commune_id == commune.pk
        assert "prix" not in answer.scores and len(answer.scores) == len(criteria) - 1
        assert Invitation.objects.get(wave=wave).used_on == timezone.localdate()

        # the same code a second time: refused, nothing recorded
        response = type_code(page, live_server)
        assert response.status == 400
        assert page.locator("#id_code_error").is_visible()
        assert Response.objects.filter(wave=wave).count() == 1
    finally:
        context.close()


def test_public_results_page(page, live_server):
    barometer = water()
    response = page.goto(url(live_server, f"/barometres/{barometer.pk}/"))
    assert response.status == 200
    table = page.locator("table[data-criteria-table='2026']")
    assert table.is_visible()
    assert table.locator("tr[data-criterion]").count() == barometer.criteria.count()
    assert table.locator("tr[data-criterion='gout'] [data-mean]").is_visible()
    # every chart comes with its data table, with a caption
    for selector in ("table[data-gap]", "table[data-evolution]"):
        assert page.locator(selector).count() == 1, selector
        assert page.locator(f"{selector} caption").inner_text().strip()
    # the taste: perceived far below the technical conformity
    assert page.locator("table[data-gap] tr[data-criterion='gout'] [data-divergent]").count()
    assert "goût de chlore" in page.locator("#explanation-title + *").inner_text() or (
        "Pourquoi l'eau a un goût de chlore" in page.content()
    )
    assert page.locator("table[data-actions] tbody tr").count() >= 5


def test_transport_last_wave_is_not_public(page, live_server):
    from cocon.barometer.models import Barometer

    transport = Barometer.objects.get(slug="transports")
    page.goto(url(live_server, f"/barometres/{transport.pk}/"))
    assert page.locator("table[data-criteria-table='2024']").is_visible()
    assert page.locator("table[data-criteria-table='2026']").count() == 0


def test_manager_dashboard(page, live_server):
    barometer = water()
    login(page, live_server, "manager")
    response = page.goto(url(live_server, f"/espace/barometres/{barometer.pk}/"))
    assert response.status == 200
    assert page.locator("[data-error]").count() == 0
    assert page.locator("table[data-criteria-table='2026']").is_visible()
    assert page.locator("table[data-matrix] tbody tr").count() >= 1
    assert page.locator("[data-significant]").count() >= 1
