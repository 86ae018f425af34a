"""Counter and bus log pages: the phone-first entry form, my appointments, delete."""

from __future__ import annotations

import datetime as dt
from html import unescape

from django.urls import reverse
from django.utils import timezone

from cocon.guichet import services_log
from cocon.guichet.models import Appointment, Place
from cocon.guichet.models.log import AppointmentFacet, AppointmentMonthFacet
from tests.conftest import fr

NEW = reverse("guichet:log_new")
MINE = reverse("guichet:log_mine")


def _post(g, **over):
    data = {
        "place": g.bus_stop.pk,
        "date": timezone.localdate().isoformat(),
        "duration": "20",
        "outcome": "solved",
        "age_band": "75+",
        "occupation": "retired",
        "residence": g.world.communes[1].pk,
        "procedures": [g.grey_card.pk],
        "note": "Demande de carte grise.",
    }
    data.update(over)
    return data


def test_form_defaults_and_places(guichet, client_for):
    response = client_for("agent").get(NEW)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert f'value="{timezone.localdate().isoformat()}"' in html
    assert 'name="duration" value="15"' in html
    assert "Bus — place de l" in html and "Maison France services" in html
    assert 'type="radio" name="outcome"' in html and 'type="radio" name="age_band"' in html
    assert 'id="id_duration"' in html and 'for="id_duration"' in html


def test_log_then_last_place_is_default(guichet, client_for):
    g = guichet
    client = client_for("agent")
    response = client.post(NEW, _post(g, place=g.counter.pk))
    assert response.status_code == 302
    a = Appointment.objects.get()
    assert (a.place, a.duration, a.age_band, a.outcome) == (g.counter, 20, "75+", "solved")
    assert list(a.procedures.all()) == [g.grey_card]
    for model in (AppointmentFacet, AppointmentMonthFacet):
        assert model.objects.get(dimension="outcome", value="solved").count == 1
        assert model.objects.get(dimension="duration", value="20").count == 1
    page = client.get(response.url).content.decode()
    assert fr("The appointment is logged.") in page
    assert f'value="{g.counter.pk}" id="id_place_1" checked' in page or (
        f'value="{g.counter.pk}"' in page and "checked" in page
    )


def test_question_outcome_offers_the_ask_page(guichet, client_for):
    g = guichet
    client = client_for("agent")
    response = client.post(NEW, _post(g, outcome="question"))
    a = Appointment.objects.get()
    page = client.get(response.url).content.decode()
    assert "data-ask-question" in page
    assert f"appointment={a.pk}&amp;place={g.bus_stop.pk}" in page


def test_future_date_and_bad_duration_next_to_fields(guichet, client_for):
    g = guichet
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client_for("agent").post(NEW, _post(g, date=tomorrow, duration="600"))
    assert response.status_code == 400
    html = response.content.decode()
    assert fr("The date cannot be in the future.") in html
    assert fr("The duration is between %(min)s and %(max)s minutes.", min=1, max=480) in html
    assert 'id="id_date_error"' in html and 'id="id_duration_error"' in html
    assert not Appointment.objects.exists() and not AppointmentFacet.objects.exists()


def test_missing_outcome_and_garbage(guichet, client_for):
    g = guichet
    response = client_for("agent").post(
        NEW, _post(g, outcome="", duration="abc", place="999999", date="hier")
    )
    assert response.status_code == 400
    assert 'class="error-summary"' in response.content.decode()
    assert not Appointment.objects.exists()


def test_place_of_other_organization_not_offered(guichet, client_for):
    g = guichet
    place_b = Place.objects.create(
        organization=g.world.org_b, kind="counter", name="Accueil B", commune=g.world.communes[1]
    )
    client = client_for("agent")
    assert "Accueil B" not in client.get(NEW).content.decode()
    response = client.post(NEW, _post(g, place=place_b.pk))
    assert response.status_code == 400
    assert not Appointment.objects.exists()


def test_agent_without_places(guichet, client_for):
    response = client_for("agent_b").get(NEW)
    assert response.status_code == 200
    text = fr(
        "You are not named on any counter or bus stop: ask your organization's administrator."
    )
    assert unescape(text) in unescape(response.content.decode())


def test_non_agents_forbidden(guichet, client_for):
    for role in ("usager", "elu"):
        client = client_for(role)
        assert client.get(NEW).status_code == 403
        assert client.get(MINE).status_code == 403


def test_anonymous_redirected(guichet, client):
    assert client.get(NEW).status_code == 302


def _log(g, user="agent", **over):
    fields = {
        "agent": g[user],
        "place": g.bus_stop,
        "date": timezone.localdate(),
        "duration": 15,
        "outcome": "solved",
    }
    fields.update(over)
    return services_log.appointment_log(**fields)


def test_mine_lists_only_mine_and_deletes(guichet, client_for, django_assert_max_num_queries):
    g = guichet
    g.bus_stop.agents.add(g["manager"])
    mine = [_log(g, note=f"n{i}") for i in range(12)]
    _log(g, user="manager", note="pas à moi")
    client = client_for("agent")
    client.get(MINE)
    with django_assert_max_num_queries(14):
        response = client.get(MINE)
    html = response.content.decode()
    assert "pas à moi" not in html and "n11" in html
    assert html.count('data-appointment="') == 12
    response = client.post(reverse("guichet:log_delete", args=[mine[0].pk]))
    assert response.status_code == 302
    assert not Appointment.objects.filter(pk=mine[0].pk).exists()
    for model in (AppointmentFacet, AppointmentMonthFacet):  # 11 of mine + the manager's
        assert model.objects.get(dimension="outcome", value="solved").count == 12
        assert model.objects.get(dimension="duration", value="15").count == 12
    # someone else's appointment: 404, nothing deleted
    other = Appointment.objects.get(note="pas à moi")
    assert client.post(reverse("guichet:log_delete", args=[other.pk])).status_code == 404
    # too late
    Appointment.objects.filter(pk=mine[1].pk).update(
        created_at=timezone.now() - dt.timedelta(days=2)
    )
    response = client.post(reverse("guichet:log_delete", args=[mine[1].pk]), follow=True)
    assert fr("An appointment can be deleted only within 24 hours of logging it.") in (
        response.content.decode()
    )
    assert Appointment.objects.filter(pk=mine[1].pk).exists()
    assert client.get(reverse("guichet:log_delete", args=[mine[1].pk])).status_code == 405


def test_dashboard_defaults_to_an_organization_that_runs_places(guichet, client):
    """A platform administrator (no organization of their own) lands on an organization
    that has counters or bus stops, not on the first name of the list."""
    from cocon.territory.models import Organization

    g = guichet
    first = Organization.objects.create(
        territory=g.world.territory, kind=g.world.org_a.kind, name="AAA Commune", slug="aaa"
    )
    client.force_login(g["platform"])
    html = client.get(reverse("guichet:log_dashboard")).content.decode()
    assert f'<option value="{first.pk}">' in html
    assert f'<option value="{g.world.org_a.pk}" selected>' in html
