"""Results pages: staff dashboard, public list and page, PDF report."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import translation

from cocon.barometer import selectors, views_results
from cocon.barometer.models import Barometer, WaveStatus
from cocon.core import pdf
from cocon.lib import survey
from tests.barometer.conftest_results import *  # noqa: F403
from tests.barometer.conftest_results import add_responses, to_arrays
from tests.barometer.test_selectors import _margins

pytestmark = pytest.mark.django_db

STAFF = ["agent", "manager", "direction", "elu", "expert", "animateur", "admin", "platform"]


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _cell(html: str, code: str, table: str, field: str) -> str:
    """Text of cell `data-<field>` of criterion `code` in table `data-criteria-table=<table>`."""
    block = html.split(f'data-criteria-table="{table}"', 1)[1].split("</table>", 1)[0]
    row = block.split(f'data-criterion="{code}"', 1)[1].split("</tr>", 1)[0]
    match = re.search(rf"<td data-{field}>(.*?)</td>", row, re.S)
    return match.group(1).strip() if match else ""


# --- dashboard --------------------------------------------------------------------------
@pytest.mark.parametrize("role", STAFF)
def test_dashboard_for_staff_of_the_organization(results_world, client_for, role):
    url = reverse("barometer:dashboard", args=[results_world.barometer.pk])
    response = client_for(role).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Vague 2025" in html  # staff see unpublished waves too
    assert "Action interne sur les réducteurs" in html  # and internal actions


@pytest.mark.parametrize("role", ["usager", "agent_b", "admin_b"])
def test_dashboard_hidden_from_others(results_world, client_for, role):
    url = reverse("barometer:dashboard", args=[results_world.barometer.pk])
    assert client_for(role).get(url).status_code == 404


def test_dashboard_links_to_the_other_barometer_pages(results_world, client_for):
    pk = results_world.barometer.pk
    html = client_for("manager").get(reverse("barometer:dashboard", args=[pk])).content.decode()
    links = html.split("data-links", 1)[1].split("</ul>", 1)[0]
    for name in ("construction", "actions", "wave_list"):
        assert f'href="{reverse(f"barometer:{name}", args=[pk])}"' in links


def test_dashboard_needs_login(results_world, client):
    url = reverse("barometer:dashboard", args=[results_world.barometer.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert "/compte/" in response["Location"]


def test_dashboard_numbers_equal_a_direct_compute(results_world, client_for, world):
    labels = {w.pk: f"{i:03d}" for i, w in enumerate(results_world.waves)}
    direct = survey.compute(
        to_arrays(results_world.rows, labels, ["taste", "pressure", "bill"]), _margins(world)
    )
    html = (
        client_for("manager")
        .get(reverse("barometer:dashboard", args=[results_world.barometer.pk]))
        .content.decode()
    )
    with translation.override("fr"):
        for wave, label in zip(results_world.waves, ("000", "001", "002"), strict=True):
            for code in ("taste", "pressure"):
                stats = direct["waves"][label]["criteria"][code]
                assert _cell(html, code, wave.code, "mean") == floatformat(stats["mean"], 2)
                assert _cell(html, code, wave.code, "n") == str(stats["n"])
                assert _cell(html, code, wave.code, "ci") == (
                    f"{floatformat(stats['ci95'][0], 2)} – {floatformat(stats['ci95'][1], 2)}"
                )
            n_eff = direct["waves"][label]["n_eff"]
            row = html.split(f'data-wave="{wave.code}"', 1)[1].split("</tr>", 1)[0]
            assert f"<td data-n-eff>{floatformat(n_eff, 1)}</td>" in row
    taste_change = next(
        c for c in direct["changes"] if c["criterion"] == "taste" and c["to"] == "001"
    )
    change_cell = _cell(html, "taste", "v2024", "change")
    assert ("data-significant" in change_cell) == taste_change["significant"]
    assert ("▲" if taste_change["diff"] > 0 else "▼") in change_cell
    # the charts and their tables; importance needs complete answers, and "bill" has 5
    assert html.count("<svg") == 2
    assert "data-gap" in html and "data-evolution" in html
    assert "data-matrix" not in html and "data-no-importance" in html


def test_importance_performance_matrix(results_world, client_for, world):
    results_world.criteria[2].delete()  # the rarely answered criterion
    labels = {w.pk: f"{i:03d}" for i, w in enumerate(results_world.waves)}
    direct = survey.compute(
        to_arrays(results_world.rows, labels, ["taste", "pressure"]), _margins(world)
    )
    html = (
        client_for("manager")
        .get(reverse("barometer:dashboard", args=[results_world.barometer.pk]))
        .content.decode()
    )
    assert html.count("<svg") == 3
    table = html.split("data-matrix", 1)[1].split("</table>", 1)[0]
    for code in ("taste", "pressure"):
        quadrant = direct["quadrants"]["002"][code]
        assert quadrant is not None
        assert f'data-quadrant="{quadrant}"' in table
    assert "Concentrate here" in html or "Concentrer" in html


def test_dashboard_shows_suppressed_cells_with_explanation(results_world, client_for):
    html = (
        client_for("agent")
        .get(reverse("barometer:dashboard", args=[results_world.barometer.pk]))
        .content.decode()
    )
    row = html.split('data-criteria-table="v2024"', 1)[1].split('data-criterion="bill"', 1)[1]
    row = row.split("</tr>", 1)[0]
    assert "data-suppressed" in row and "data-mean" not in row
    assert 'id="suppressed-note"' in html


def test_criterion_not_asked_in_a_wave(results_world, client_for):
    taste, pressure, _bill = results_world.criteria
    results_world.waves[0].criteria.set([taste, pressure])
    html = (
        client_for("agent")
        .get(reverse("barometer:dashboard", args=[results_world.barometer.pk]))
        .content.decode()
    )
    first = html.split('data-criteria-table="v2023"', 1)[1].split("</table>", 1)[0]
    assert "data-not-asked" in first.split('data-criterion="bill"', 1)[1].split("</tr>", 1)[0]
    assert "data-not-asked" not in first.split('data-criterion="bill"', 1)[0]
    later = html.split('data-criteria-table="v2024"', 1)[1].split("</table>", 1)[0]
    assert "data-not-asked" not in later


def test_min_cell_setting_changes_suppression(results_world, client_for):
    barometer = results_world.barometer
    barometer.min_cell = 100
    barometer.save()
    html = client_for("agent").get(reverse("barometer:dashboard", args=[barometer.pk])).content
    assert b"data-mean>" not in html
    barometer.min_cell = 3
    barometer.save()
    html = client_for("agent").get(reverse("barometer:dashboard", args=[barometer.pk])).content
    assert _cell(html.decode(), "bill", "v2024", "mean") != ""


def test_dashboard_query_count_is_constant(
    results_world, client_for, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("manager")
    url = reverse("barometer:dashboard", args=[results_world.barometer.pk])
    client.get(url)  # session, warm caches
    cache.clear()
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for wave in results_world.waves:
        add_responses(wave, [r["commune"] for r in results_world.rows[:2]], 30, seed=7)
    cache.clear()
    with django_assert_max_num_queries(len(before.captured_queries)):
        assert client.get(url).status_code == 200


def test_dashboard_reports_a_computation_error_without_500(results_world, client_for):
    from unittest import mock

    with mock.patch.object(
        selectors.survey, "compute", side_effect=survey.SurveyError("cannot converge")
    ):
        response = client_for("manager").get(
            reverse("barometer:dashboard", args=[results_world.barometer.pk])
        )
    assert response.status_code == 200
    assert "cannot converge" in response.content.decode()


# --- public pages ---------------------------------------------------------------------
def test_public_list_shows_published_barometers_only(
    results_world, client, world, django_assert_max_num_queries
):
    Barometer.objects.create(service=world.waste, title="Baromètre des déchets", slug="dechets")
    for i in range(5):
        Barometer.objects.create(
            service=world.social_b, title=f"Publié {i}", slug=f"p{i}", is_published=True
        )
    with django_assert_max_num_queries(8):
        response = client.get(reverse("barometer:public_list"))
    html = response.content.decode()
    assert "Baromètre de l&#x27;eau" in html and "Publié 4" in html
    assert "Baromètre des déchets" not in html


def test_public_page_uses_published_waves_only(results_world, client, world):
    html = client.get(
        reverse("barometer:public", args=[results_world.barometer.pk])
    ).content.decode()
    assert "Vague 2025" not in html
    assert 'data-criteria-table="v2024"' in html
    assert "goût de chlore" in html  # the service's explanation
    assert "Réduire le goût de chlore" in html
    assert "Action interne" not in html
    assert "data-margin-of-error" in html
    labels = {w.pk: f"{i:03d}" for i, w in enumerate(results_world.waves[:2])}
    published = [r for r in results_world.rows if r["wave"].pk in labels]
    direct = survey.compute(
        to_arrays(published, labels, ["taste", "pressure", "bill"]), _margins(world)
    )
    with translation.override("fr"):
        expected = floatformat(direct["waves"]["001"]["criteria"]["taste"]["mean"], 2)
    assert _cell(html, "taste", "v2024", "mean") == expected
    assert "data-suppressed" in html.split('data-criterion="bill"', 1)[1].split("</tr>")[0]
    assert "p = " not in html  # staff-only detail


def test_public_page_without_published_wave(results_world, client):
    results_world.barometer.waves.update(status=WaveStatus.CLOSED)
    response = client.get(reverse("barometer:public", args=[results_world.barometer.pk]))
    assert response.status_code == 200
    assert "data-no-results" in response.content.decode()
    assert "<svg" not in response.content.decode()


@pytest.mark.parametrize("role", [None, "usager", "agent_b", "admin_b"])
def test_unpublished_barometer_is_404_for_the_public(results_world, client_for, client, role):
    results_world.barometer.is_published = False
    results_world.barometer.save()
    http = client_for(role) if role else client
    assert (
        http.get(reverse("barometer:public", args=[results_world.barometer.pk])).status_code == 404
    )
    assert http.get(reverse("barometer:pdf", args=[results_world.barometer.pk])).status_code == 404


def test_unpublished_barometer_previewed_by_its_staff(results_world, client_for):
    results_world.barometer.is_published = False
    results_world.barometer.save()
    response = client_for("agent").get(
        reverse("barometer:public", args=[results_world.barometer.pk])
    )
    assert response.status_code == 200
    assert "Vague 2025" not in response.content.decode()


def test_unknown_barometer_is_404(db, client):
    assert client.get(reverse("barometer:public", args=[999999])).status_code == 404


# --- PDF ----------------------------------------------------------------------------------
def _pdf_text(pdf_html: str) -> str:
    from weasyprint import HTML

    document = HTML(string=pdf_html, url_fetcher=pdf.url_fetcher()).render()
    texts = []

    def walk(box):
        if hasattr(box, "text"):
            texts.append(box.text)
        for child in getattr(box, "children", []):
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    return " ".join(texts)


def test_pdf_report(results_world, client):
    response = client.get(reverse("barometer:pdf", args=[results_world.barometer.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    html = client.get(reverse("barometer:public", args=[results_world.barometer.pk])).content
    assert html  # same data as the public page
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    context = views_results._context(request, results_world.barometer, public=True)
    text = _pdf_text(render_to_string("barometer/results/pdf.html", context, request=request))
    assert "Le goût de l'eau" in text
    assert "Réduire le goût de chlore" in text
    assert "Vague 2025" not in text


def test_pdf_fetcher_serves_static_files_only(settings):
    css = pdf.static_url_fetcher("http://testserver/static/cocon/css/cocon.css")
    assert css["mime_type"] == "text/css" and css["string"]
    for url in (
        "https://example.org/static/cocon/css/cocon.css".replace("/static", "/x"),
        "file:///etc/passwd",
        "http://testserver/static/../../settings.py",
        "http://testserver/media/logos/a.png",
    ):
        with pytest.raises(ValueError):
            pdf.static_url_fetcher(url)
