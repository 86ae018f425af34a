"""Public answering: invitation codes (single use, even concurrently), open link,
errors next to the fields with the answers kept, anonymity, rate limit."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from cocon.barometer import services_waves
from cocon.barometer.models import Invitation, Response, ResponseSource, WaveStatus, hash_code
from tests.barometer.conftest_waves import *  # noqa: F403
from tests.barometer.conftest_waves import answers, tr

USED = "This code has already been used: each code gives one answer."
NOT_OPEN = "This survey is not open for answers at the moment."

ANSWER = "/barometres/repondre/"


@pytest.fixture
def codes(world, open_wave) -> list[str]:
    return services_waves.generate_codes(open_wave, 3, actor=world["manager"])[1]


def send(client, code, data):
    return client.post(ANSWER, {"step": "answers", "code": code, **data})


# --- invitation codes ---------------------------------------------------------------------
def test_code_then_questionnaire_then_thanks(world, open_wave, codes, client):
    assert client.get(ANSWER).status_code == 200
    step1 = client.post(ANSWER, {"step": "code", "code": codes[0].lower().replace("-", " ")})
    assert step1.status_code == 200
    html = step1.content.decode()
    assert "Le goût de l&#x27;eau" in html and 'name="score_gout"' in html
    assert '<fieldset class="field-group"' in html and "<legend>" in html
    assert Invitation.objects.filter(used_on__isnull=False).count() == 0  # not used yet
    done = send(client, codes[0], answers(world))
    assert done.status_code == 302 and done.url == "/barometres/repondre/merci/"
    assert client.get(done.url).status_code == 200
    response = Response.objects.get()
    assert response.source == ResponseSource.INVITATION
    assert response.scores == {"gout": 3, "prix": 8}  # accueil: no opinion
    assert (response.overall, response.age_band, response.sex) == (6, "30-44", "F")
    assert response.commune == world.communes[0] and response.occupation == "employe"
    assert response.submitted_on == timezone.localdate()
    used = Invitation.objects.get(code_hash=hash_code(codes[0]))
    assert used.used_on == timezone.localdate()
    assert Invitation.objects.filter(used_on__isnull=True).count() == 2


def test_a_code_gives_one_answer_only(world, open_wave, codes, client):
    assert send(client, codes[0], answers(world)).status_code == 302
    again = send(client, codes[0], answers(world, overall="9"))
    assert again.status_code == 400
    assert tr(USED, html=True) in again.content.decode()
    assert again.context["code_form"].errors["code"]
    assert Response.objects.count() == 1
    step1 = client.post(ANSWER, {"step": "code", "code": codes[0]})
    assert step1.status_code == 400 and tr(USED, html=True) in step1.content.decode()


def test_the_service_refuses_a_used_code_even_after_the_check(world, open_wave, codes, monkeypatch):
    """Two people passed the check; the second conditional update finds the code used."""
    invitation = services_waves.find_invitation(codes[0])
    Invitation.objects.filter(pk=invitation.pk).update(used_on=timezone.localdate())
    monkeypatch.setattr(services_waves, "find_invitation", lambda code, today=None: invitation)
    with pytest.raises(services_waves.CodeError):
        services_waves.answer_with_code(codes[0], _answers(world))
    assert Response.objects.count() == 0


def _answers(world):
    return services_waves.Answers("30-44", "F", world.communes[0], "", 5, {"gout": 4})


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ZZZZZ-ZZZZZ", "This code is unknown. Check it on your invitation letter."),
        ("ABC", "A code has 10 letters and digits, e.g. ABCDE-23456."),
        ("", ""),
    ],
)
def test_bad_codes_are_explained_next_to_the_field(code, message, open_wave, codes, client):
    response = client.post(ANSWER, {"step": "code", "code": code})
    assert response.status_code == 400
    errors = response.context["form"].errors["code"]
    assert errors and (not message or errors == [tr(message)])
    assert 'id="id_code_error"' in response.content.decode()


@pytest.mark.parametrize("status", [WaveStatus.DRAFT, WaveStatus.CLOSED, WaveStatus.PUBLISHED])
def test_a_wave_not_open_refuses_codes(status, world, open_wave, codes, client):
    open_wave.status = status
    open_wave.save()
    response = client.post(ANSWER, {"step": "code", "code": codes[0]})
    assert response.status_code == 400 and tr(NOT_OPEN, html=True) in response.content.decode()
    sent = send(client, codes[0], answers(world))
    assert sent.status_code == 400 and tr(NOT_OPEN, html=True) in sent.content.decode()
    assert Response.objects.count() == 0
    assert not Invitation.objects.filter(used_on__isnull=False).exists()


def test_a_wave_past_its_closing_date_refuses_codes(world, open_wave, codes, client):
    open_wave.closes_on = timezone.localdate() - dt.timedelta(days=1)
    open_wave.opens_on = open_wave.closes_on - dt.timedelta(days=10)
    open_wave.save()
    assert send(client, codes[0], answers(world)).status_code == 400
    assert Response.objects.count() == 0


def test_missing_answers_are_flagged_and_what_was_typed_is_kept(world, open_wave, codes, client):
    data = answers(world, overall="", age_band="", commune="999999", score_gout="11")
    response = send(client, codes[0], data)
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"overall", "age_band", "commune", "score_gout"}
    html = response.content.decode()
    assert 'value="8" id="id_score_prix_8" checked' in html  # the score typed is kept
    assert 'value="F" id="id_sex_0" checked' in html
    assert codes[0] in html  # and the code
    assert Response.objects.count() == 0
    assert not Invitation.objects.filter(used_on__isnull=False).exists()


def test_commune_must_be_one_of_the_survey(world, open_wave, codes, client):
    from cocon.territory.models import Commune, Territory

    elsewhere = Territory.objects.create(name="Ailleurs", slug="ailleurs")
    far = Commune.objects.create(territory=elsewhere, insee_code="75056", name="Paris")
    response = send(client, codes[0], answers(world, commune=str(far.pk)))
    assert response.status_code == 400 and "commune" in response.context["form"].errors


def test_communes_of_the_organization_when_it_lists_them(world, bworld, open_wave, codes, client):
    world.org_a.communes.add(world.communes[1])
    step1 = client.post(ANSWER, {"step": "code", "code": codes[0]})
    choices = [value for value, _label in step1.context["form"].fields["commune"].choices]
    assert choices == ["", str(world.communes[1].pk)]
    assert send(client, codes[0], answers(world)).status_code == 400  # communes[0] not served


# --- anonymity ----------------------------------------------------------------------------
def test_no_column_of_a_response_links_it_to_a_person(db):
    fields = {f.name: f for f in Response._meta.get_fields()}
    relations = {name: f.related_model._meta.label for name, f in fields.items() if f.is_relation}
    assert relations == {
        "wave": "barometer.Wave",
        "commune": "territory.Commune",
        "batch": "barometer.ResponseImport",
    }
    assert {f.get_internal_type() for f in Response._meta.concrete_fields} & {
        "DateTimeField"
    } == set(), "a time of day would let one match responses with code uses"
    with connection.cursor() as cursor:
        columns = [
            c.name
            for c in connection.introspection.get_table_description(cursor, Response._meta.db_table)
        ]
    assert not [c for c in columns if "invitation" in c or "user" in c or "code" in c]
    invitation_fields = {f.name for f in Invitation._meta.get_fields()}
    assert not invitation_fields & {"response", "responses", "user", "email", "code"}


# --- open link ----------------------------------------------------------------------------
def test_open_link_answers_without_a_code(world, open_wave, client):
    url = f"/barometres/repondre/{open_wave.link_token}/"
    assert client.get(url).status_code == 200
    response = client.post(url, answers(world))
    assert response.status_code == 302
    assert Response.objects.get().source == ResponseSource.OPEN_LINK


def test_open_link_errors_keep_the_answers(world, open_wave, client):
    url = f"/barometres/repondre/{open_wave.link_token}/"
    response = client.post(url, answers(world, sex=""))
    assert response.status_code == 400 and "sex" in response.context["form"].errors
    assert 'value="3" id="id_score_gout_3" checked' in response.content.decode()
    assert Response.objects.count() == 0


def test_open_link_off_or_unknown_is_404(world, open_wave, client):
    assert client.get("/barometres/repondre/nope/").status_code == 404
    open_wave.open_link = False
    open_wave.save()
    url = f"/barometres/repondre/{open_wave.link_token}/"
    assert client.get(url).status_code == 404
    assert client.post(url, answers(world)).status_code == 404
    assert Response.objects.count() == 0


def test_open_link_of_a_closed_wave_says_so(world, open_wave, client):
    open_wave.status = WaveStatus.CLOSED
    open_wave.save()
    url = f"/barometres/repondre/{open_wave.link_token}/"
    response = client.post(url, answers(world))
    # closed.html writes it with {% translate %}, which does not escape the apostrophe
    assert response.status_code == 200 and tr(NOT_OPEN) in response.content.decode()
    assert Response.objects.count() == 0


# --- rate limit ---------------------------------------------------------------------------
def test_answers_are_rate_limited_and_kept(world, open_wave, client, settings):
    settings.SURVEY_ANSWER_RATE_PER_HOUR = 2
    url = f"/barometres/repondre/{open_wave.link_token}/"
    assert client.post(url, answers(world)).status_code == 302
    assert client.post(url, answers(world)).status_code == 302
    limited = client.post(url, answers(world, score_gout="7"))
    assert limited.status_code == 429
    assert 'value="7" id="id_score_gout_7" checked' in limited.content.decode()
    assert Response.objects.count() == 2
    guess = client.post(ANSWER, {"step": "code", "code": "ZZZZZ-ZZZZZ"})
    assert guess.status_code == 429  # codes cannot be guessed by brute force


def test_the_code_form_is_rate_limited_too(world, open_wave, codes, client, settings):
    settings.SURVEY_ANSWER_RATE_PER_HOUR = 1
    client.post(ANSWER, {"step": "code", "code": "ZZZZZ-ZZZZZ"})
    response = send(client, codes[0], answers(world))
    assert response.status_code == 429
    assert 'value="8" id="id_score_prix_8" checked' in response.content.decode()
    assert Response.objects.count() == 0


def test_accounts_are_not_rate_limited(world, open_wave, client, settings):
    settings.SURVEY_ANSWER_RATE_PER_HOUR = 1
    client.force_login(world["usager"])
    url = f"/barometres/repondre/{open_wave.link_token}/"
    for _ in range(3):
        assert client.post(url, answers(world)).status_code == 302


def test_csrf_is_required(world, open_wave, codes):
    client = Client(enforce_csrf_checks=True)
    assert (
        client.post(ANSWER, {"step": "answers", "code": codes[0], **answers(world)}).status_code
        == 403
    )
    assert Response.objects.count() == 0


# --- concurrency (PostgreSQL only) --------------------------------------------------------
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submissions_of_one_code(world, open_wave, codes):
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit():
        from django.db import connections

        try:
            barrier.wait()
            services_waves.answer_with_code(codes[0], _answers(world))
            outcomes.append("ok")
        except services_waves.CodeError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert Response.objects.count() == 1
