"""Access-to-rights follow-up: pages, access control and the access journal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cocon.guichet import services_legal as services
from cocon.guichet.models import CaseAction, CaseReadLog, Indicator, LegalCase, TrainingSession
from tests.conftest import fr

TODAY = timezone.localdate()
OUTSIDERS = ["usager", "agent", "manager", "admin", "platform", "agent_b", "admin_b", "ref_b"]


@pytest.fixture
def case(guichet):
    return services.case_open(
        team=guichet.team, author=guichet["juriste"], number="EM-2026-0042", situation="DALO"
    )


def _urls(team, case):
    return {
        "home": reverse("guichet:legal_home", args=[team.slug]),
        "cases": reverse("guichet:legal_cases", args=[team.slug]),
        "case": reverse("guichet:legal_case", args=[team.slug, case.number]),
        "trainings": reverse("guichet:legal_trainings", args=[team.slug]),
        "indicators": reverse("guichet:legal_indicators", args=[team.slug]),
        "log": reverse("guichet:legal_access_log", args=[team.slug]),
        "new": reverse("guichet:legal_case_new", args=[team.slug]),
    }


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_get_404_and_a_logged_attempt(guichet, case, client, role):
    user = guichet[role]
    client.force_login(user)
    urls = _urls(guichet.team, case)
    missing = client.get(reverse("guichet:legal_home", args=["no-such-team"]))
    assert missing.status_code == 404
    for name in ("home", "cases", "case"):
        response = client.get(urls[name])
        assert response.status_code == 404, name
        # the same 404 page as a team that does not exist
        assert response.templates[0].name == missing.templates[0].name == "errors/404.html"
        assert fr("Page not found") in response.content.decode()
        assert "DALO" not in response.content.decode()
    attempts = CaseReadLog.objects.filter(allowed=False, team=guichet.team)
    assert attempts.count() == 3
    assert set(attempts.values_list("user_id", flat=True)) == {user.pk}
    assert set(attempts.values_list("path", flat=True)) == {
        urls["home"],
        urls["cases"],
        urls["case"],
    }
    assert attempts.get(path=urls["case"]).case_label == case.number
    # writes are refused the same way, and nothing is written
    response = client.post(urls["case"], {"kind": "information", "date": TODAY.isoformat()})
    assert response.status_code == 404
    assert not CaseAction.objects.exists()


def test_anonymous_gets_404_and_a_logged_attempt(guichet, case, client):
    response = client.get(_urls(guichet.team, case)["case"])
    assert response.status_code == 404
    attempt = CaseReadLog.objects.get()
    assert attempt.user_id is None and attempt.allowed is False


def test_member_reads_and_every_case_read_is_logged(guichet, case, client):
    client.force_login(guichet["juriste"])
    urls = _urls(guichet.team, case)
    for name, url in urls.items():
        assert client.get(url).status_code == 200, name
    read = CaseReadLog.objects.get()
    assert read.allowed and read.user == guichet["juriste"] and read.case == case
    client.get(urls["case"])
    assert CaseReadLog.objects.filter(allowed=True).count() == 2
    # another team's case number is not found here
    assert client.get(urls["case"].replace(case.number, "EM-2026-9999")).status_code == 404


def test_supervisor_reads_but_does_not_write(guichet, case, client):
    client.force_login(guichet["direction"])
    urls = _urls(guichet.team, case)
    response = client.get(urls["case"])
    assert response.status_code == 200
    assert fr("Record an action") not in response.content.decode()
    assert CaseReadLog.objects.filter(allowed=True, user=guichet["direction"]).count() == 1
    assert client.get(urls["log"]).status_code == 200
    for url, data in [
        (urls["case"], {"kind": "information", "date": TODAY.isoformat(), "outcome": "none"}),
        (urls["new"], {"opened_on": TODAY.isoformat()}),
        (urls["indicators"], {"name": "X", "formula": "count()"}),
        (
            reverse("guichet:legal_training_new", args=[guichet.team.slug]),
            {"title": "X", "date": TODAY.isoformat()},
        ),
        (reverse("guichet:legal_case_close", args=[guichet.team.slug, case.number]), {}),
    ]:
        assert client.post(url, data).status_code == 403, url
    assert not CaseAction.objects.exists() and not Indicator.objects.exists()
    assert not TrainingSession.objects.exists() and LegalCase.objects.count() == 1
    case.refresh_from_db()
    assert case.state == "open"


def test_open_a_case_with_contact_needs_consent(guichet, client):
    client.force_login(guichet["juriste"])
    url = reverse("guichet:legal_case_new", args=[guichet.team.slug])
    response = client.post(
        url, {"contact": "06 00 00 00 00", "situation": "x", "opened_on": TODAY.isoformat()}
    )
    assert response.status_code == 200
    page = response.content.decode()
    message = (
        "Keep a contact only if the person agrees to be contacted: tick the consent box or "
        "leave the contact empty."
    )
    assert fr(message) in page
    assert 'id="id_contact_error"' in page
    assert not LegalCase.objects.exists()
    response = client.post(
        url,
        {
            "contact": "06 00 00 00 00",
            "contact_consent": "on",
            "situation": "x",
            "opened_on": TODAY.isoformat(),
        },
    )
    case = LegalCase.objects.get()
    assert case.number == f"EM-{TODAY.year}-0001"
    assert response.url == reverse("guichet:legal_case", args=[guichet.team.slug, case.number])


def test_indicator_updates_right_after_an_action_is_recorded(guichet, case, client):
    client.force_login(guichet["juriste"])
    urls = _urls(guichet.team, case)
    response = client.post(
        urls["indicators"],
        {"name": "Recours gracieux", "formula": 'count(kind="recours_gracieux")', "target": "1"},
    )
    assert response.status_code == 302
    indicator = Indicator.objects.get()
    page = client.get(urls["home"]).content.decode()
    assert f'data-indicator="{indicator.pk}"' in page and 'data-met="no"' in page
    response = client.post(
        urls["case"],
        {
            "kind": "recours_gracieux",
            "date": (TODAY - dt.timedelta(days=2)).isoformat(),
            "outcome": "pending",
        },
    )
    assert response.status_code == 302
    page = client.get(urls["home"]).content.decode()
    assert 'data-met="yes"' in page
    assert services.indicators_compute(guichet.team)[0][1].value == 1


def test_bad_inputs_show_french_errors_next_to_the_field(guichet, case, client):
    client.force_login(guichet["juriste"])
    urls = _urls(guichet.team, case)
    response = client.post(
        urls["case"],
        {
            "kind": "recours_gracieux",
            "date": (TODAY + dt.timedelta(days=1)).isoformat(),
            "outcome": "obtained",
        },
    )
    assert response.status_code == 200
    assert fr("The date cannot be in the future.") in response.content.decode()
    assert 'id="id_date_error"' in response.content.decode()
    response = client.post(urls["indicators"], {"name": "X", "formula": 'count(kind="tea")'})
    page = response.content.decode()
    assert response.status_code == 200 and 'id="id_formula_error"' in page
    assert "Valeur inconnue" in page and "caractère" in page
    assert fr("Writing a formula") in page
    assert not CaseAction.objects.exists() and not Indicator.objects.exists()
    close = reverse("guichet:legal_case_close", args=[guichet.team.slug, case.number])
    response = client.post(close, {"close-closed_on": "2000-01-01"})
    assert response.status_code == 400
    assert fr("A case cannot be closed before it was opened.") in response.content.decode()


def test_close_from_the_page(guichet, case, client):
    client.force_login(guichet["juriste"])
    close = reverse("guichet:legal_case_close", args=[guichet.team.slug, case.number])
    response = client.post(close, {"close-closed_on": TODAY.isoformat()})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "closed" and case.erase_on is not None


def test_trainings_and_indicator_edit(guichet, client):
    client.force_login(guichet["juriste"])
    slug = guichet.team.slug
    response = client.post(
        reverse("guichet:legal_training_new", args=[slug]),
        {"title": "DALO", "date": TODAY.isoformat(), "attendance": "CCAS, AS\nCHRS, éducateur"},
    )
    assert response.status_code == 302
    assert TrainingSession.objects.get().attendees == 2
    assert "DALO" in client.get(reverse("guichet:legal_trainings", args=[slug])).content.decode()
    indicator = services.indicator_define(team=guichet.team, name="N", formula="count()")
    url = reverse("guichet:legal_indicator", args=[slug, indicator.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"name": "N2", "formula": "count() + 1"}).status_code == 302
    indicator.refresh_from_db()
    assert indicator.name == "N2" and indicator.formula == "count() + 1"
    delete = reverse("guichet:legal_indicator_delete", args=[slug, indicator.pk])
    assert client.post(delete).status_code == 302
    assert not Indicator.objects.exists()


def test_list_pages_query_counts(guichet, client, django_assert_max_num_queries):
    team = guichet.team
    for n in range(30):
        c = services.case_open(team=team, author=guichet["juriste"], situation="")
        services.action_record(case=c, author=None, kind="information", date=TODAY, outcome="none")
        services.log_read(team=team, case=c, user=guichet["juriste"], allowed=n % 2, path="/")
    for n in range(8):
        services.training_record(team=team, title=f"T{n}", date=TODAY)
        services.indicator_define(team=team, name=f"I{n}", formula="count()")
    client.force_login(guichet["juriste"])
    for name in ("legal_home", "legal_cases", "legal_trainings", "legal_indicators"):
        with django_assert_max_num_queries(16):
            response = client.get(reverse(f"guichet:{name}", args=[team.slug]))
        assert response.status_code == 200
    with django_assert_max_num_queries(16):
        response = client.get(reverse("guichet:legal_access_log", args=[team.slug]))
    assert response.content.decode().count("data-allowed=") == 30
    response = client.get(reverse("guichet:legal_access_log", args=[team.slug]) + "?refused=1")
    assert response.content.decode().count('data-allowed="no"') == 15
    response = client.get(reverse("guichet:legal_cases", args=[team.slug]) + "?number=0007")
    assert response.content.decode().count("data-case=") == 1
