"""Pages of Paroles: public capture, agent capture, feeds, detail and actions, tracking."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cocon.core import history
from cocon.voices.models import Status, Voice, VoiceContact

from ..conftest import fr
from .conftest import image_bytes

pytestmark = pytest.mark.django_db


def public_post(**extra):
    data = {"kind": "complaint", "text": "Les poubelles de la rue Haute débordent.", "service": ""}
    data.update(extra)
    return data


# --- public page -------------------------------------------------------------------------
def test_public_page_routes_and_shows_the_receipt(world, routing, client):
    response = client.get("/paroles/")
    assert response.status_code == 200
    assert fr("I give my opinion, I report, I say thank you") in response.content.decode()
    response = client.post(
        "/paroles/", public_post(contact_email="lea@exemple.fr", contact_consent="on")
    )
    assert response.status_code == 302
    voice = Voice.objects.get()
    assert voice.service == world.waste and voice.channel == "web" and voice.author is None
    receipt = client.get(response["Location"]).content.decode()
    code = re.search(r"data-code>(\d{8})<", receipt).group(1)
    assert voice.check_tracking_code(code)
    assert VoiceContact.objects.get(voice=voice).email == "lea@exemple.fr"
    # the code is shown only in the session that wrote the message
    client.cookies.clear()
    assert client.get(response["Location"]).status_code == 404


def test_public_page_errors_are_next_to_the_field_and_keep_the_input(world, routing, client):
    response = client.post(
        "/paroles/", public_post(text="", contact_email="nope", address="12 rue Haute")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_text_error"' in page and 'id="id_contact_email_error"' in page
    assert fr("Write your message (this field cannot be empty).") in page
    assert 'value="12 rue Haute"' in page
    assert Voice.objects.count() == 0


def test_public_photo_that_is_not_an_image(world, routing, client):
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not an image", "image/jpeg")
    response = client.post("/paroles/", {**public_post(), "photos": [fake]})
    assert response.status_code == 400
    assert 'id="id_photos_error"' in response.content.decode()
    assert Voice.objects.count() == 0


def test_public_photo_is_accepted(world, routing, client):
    photo = SimpleUploadedFile("p.png", image_bytes("PNG"), "image/png")
    response = client.post("/paroles/", {**public_post(), "photos": [photo]})
    assert response.status_code == 302
    assert history.history_of(Voice.objects.get()).count() == 1


def test_honeypot(world, routing, client):
    assert client.post("/paroles/", public_post(website="http://spam")).status_code == 403
    assert Voice.objects.count() == 0


def test_anonymous_submissions_are_rate_limited_per_ip_and_device(world, routing, client):
    from cocon.voices.views import PUBLIC_LIMIT_PER_DEVICE

    client.get("/paroles/")  # receives the device cookie
    for _ in range(PUBLIC_LIMIT_PER_DEVICE):
        assert client.post("/paroles/", public_post()).status_code == 302
    response = client.post("/paroles/", public_post(text="Encore un message"))
    assert response.status_code == 429
    page = response.content.decode()
    assert (
        fr(
            "Too many messages were sent from this connection in the last hour. Your text is kept below: please try again later, or call the town hall."  # noqa: E501
        )[:40]
        in page
    )
    assert "Encore un message" in page  # nothing lost
    assert Voice.objects.count() == PUBLIC_LIMIT_PER_DEVICE


def test_logged_in_person_is_the_author_and_finds_it_in_my_messages(world, routing, client_for):
    client = client_for("usager")
    assert client.post("/paroles/", public_post()).status_code == 302
    voice = Voice.objects.get()
    assert voice.author == world["usager"]
    assert voice.reference in client.get("/paroles/mes-messages/").content.decode()
    assert client.get(voice.get_absolute_url()).status_code == 200


# --- agent capture -----------------------------------------------------------------------
def test_agent_captures_for_another_organization(world, routing, client_for):
    client = client_for("agent")
    assert client.get("/espace/paroles/saisir/").status_code == 200
    response = client.post(
        "/espace/paroles/saisir/",
        {
            "capture_mode": "relayed",
            "kind": "question",
            "channel": "counter",
            "text": "Madame demande où en est son dossier d'aide sociale.",
            "service": str(world.social_b.pk),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    voice = Voice.objects.get()
    assert (voice.relay, voice.service, voice.capture_mode) == (
        world["agent"],
        world.social_b,
        "relayed",
    )
    page = client.get(response["Location"]).content.decode()
    assert voice.reference in page and re.search(r"data-code>\d{8}<", page)


def test_agent_capture_error_keeps_input(world, routing, client_for):
    client = client_for("agent")
    response = client.post(
        "/espace/paroles/saisir/",
        {
            "capture_mode": "observation",
            "kind": "complaint",
            "channel": "maraude",
            "text": "Banc cassé",
        },
    )
    assert response.status_code == 400
    assert 'id="id_kind_error"' in response.content.decode()
    assert "Banc cassé" in response.content.decode()


@pytest.mark.parametrize("role", ["usager", "elu"])
def test_capture_screen_is_for_agents(world, client_for, role):
    assert client_for(role).get("/espace/paroles/saisir/").status_code == 403


# --- feeds ---------------------------------------------------------------------------------
def test_feeds_per_role(world, capture, client_for):
    water = capture().voice
    social = capture(service=world.social_b, text="Question RSA").voice
    for role, sees, not_sees in [
        ("manager", water, social),
        ("elu", water, social),
        ("agent_b", social, water),
    ]:
        page = client_for(role).get("/espace/paroles/").content.decode()
        assert sees.reference in page and not_sees.reference not in page, role


def test_feed_filters_and_counts(world, capture, client_for):
    capture(kind="thanks", text="Merci pour l'eau")
    capture(kind="complaint", relay=world["agent"], capture_mode="relayed", channel="counter")
    client = client_for("manager")
    page = client.get("/espace/paroles/?kind=thanks").content.decode()
    assert page.count('class="voice-item') == 1
    page = client.get("/espace/paroles/?relayed=yes").content.decode()
    assert page.count('class="voice-item') == 1 and "Merci pour" not in page
    assert 'data-count="total">1<' in page


def test_feed_shows_capped_counts_with_a_plus(world, capture, client_for, monkeypatch):
    from cocon.voices import selectors
    from cocon.voices.models import Voice

    for _ in range(3):
        capture()
    Voice.objects.update(status="closed")
    capture()
    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    page = client_for("manager").get("/espace/paroles/").content.decode()
    assert 'data-count="closed">2+<' in page
    assert 'data-count="total">3+<' in page and 'data-count="received">1<' in page


def test_feed_query_count_does_not_grow(world, capture, client_for):
    client = client_for("manager")
    capture()
    client.get("/espace/paroles/")  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/espace/paroles/").status_code == 200
    for i in range(30):
        capture(
            text=f"Fuite numéro {i}",
            commune=world.communes[i % 2],
            relay=world["agent"],
            capture_mode="relayed",
            channel="phone",
        )
    with CaptureQueriesContext(connection) as many:
        page = client.get("/espace/paroles/")
    assert page.status_code == 200
    assert len(many) == len(few)
    # keyset pagination: the second page costs the same
    cursor = re.search(r'apres=([\w-]+)"', page.content.decode()).group(1)
    with CaptureQueriesContext(connection) as second:
        client.get(f"/espace/paroles/?apres={cursor}")
    assert len(second) == len(few)


def test_feed_pages_walk_every_voice_once(world, capture, client_for):
    made = {capture(text=f"Message {i}").voice.reference for i in range(30)}
    client = client_for("manager")
    seen, url = [], "/espace/paroles/"
    while url:
        page = client.get(url).content.decode()
        seen += re.findall(r'data-reference="([A-Z0-9-]+)"', page)
        match = re.search(r'href="\?(?:[^"]*&amp;)?apres=([\w-]+)"', page)
        url = f"/espace/paroles/?apres={match.group(1)}" if match else None
    assert sorted(seen) == sorted(made)


def test_bad_cursor_and_filters_are_ignored(world, capture, client_for):
    capture()
    client = client_for("manager")
    assert client.get("/espace/paroles/?apres=%%%&since=notadate&service=abc").status_code == 200


# --- detail and actions -----------------------------------------------------------------------
def test_detail_is_404_for_people_who_may_not_see_it(world, capture, client_for, client):
    voice = capture().voice
    for role in ("agent_b", "admin_b", "usager"):
        response = client_for(role).get(voice.get_absolute_url())
        assert response.status_code == 404, role
        assert voice.text not in response.content.decode()
    client.logout()
    assert client.get(voice.get_absolute_url()).status_code == 302  # to the login page


def test_detail_records_read_receipts(world, capture, client_for):
    voice = capture().voice
    client_for("manager").get(voice.get_absolute_url())
    page = client_for("elu").get(voice.get_absolute_url()).content.decode()
    assert "Manager" in page and "Élise Élue" in page
    readers = [r.user.email for r in history.readers_of(voice)]
    assert readers == ["manager@test.fr", "elu@test.fr"]


def test_elu_sees_but_cannot_answer(world, capture, client_for):
    voice = capture().voice
    client = client_for("elu")
    page = client.get(voice.get_absolute_url()).content.decode()
    assert "status-status" not in page
    response = client.post(
        f"/espace/paroles/{voice.reference}/statut/", {"status-status": "acknowledged"}
    )
    assert response.status_code == 403


def test_answer_through_the_page_and_tracking_link(
    world, capture, client_for, client, django_capture_on_commit_callbacks
):
    captured = capture(contact_email="lea@exemple.fr", contact_consent=True)
    voice = captured.voice
    manager = client_for("manager")
    response = manager.post(
        f"/espace/paroles/{voice.reference}/statut/",
        {"status-status": "answered", "status-text": ""},
    )
    assert response.status_code == 400
    assert fr("Write the answer the person will receive.") in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(
            f"/espace/paroles/{voice.reference}/statut/",
            {"status-status": "answered", "status-text": "Réparation jeudi."},
        )
    assert response.status_code == 302
    assert mail.outbox[0].to == ["lea@exemple.fr"]
    client.logout()
    assert client.get(f"/paroles/suivi/{voice.reference}/?code=12345678").status_code == 404
    page = client.get(f"/paroles/suivi/{voice.reference}/?code={captured.tracking_code}")
    assert page.status_code == 200 and "Réparation jeudi." in page.content.decode()
    # the form redirects to the same page
    response = client.get(
        "/paroles/suivi/", {"reference": voice.reference.lower(), "code": captured.tracking_code}
    )
    assert response.status_code == 302


def test_reroute_share_note_escalate_merge_through_the_page(world, capture, client_for):
    voice = capture().voice
    dup = capture(text="Même fuite").voice
    manager = client_for("manager")
    base = f"/espace/paroles/{voice.reference}"
    assert manager.post(f"{base}/note/", {"note-text": "Appeler le fontainier"}).status_code == 302
    assert manager.post(f"{base}/alerter-elu/", {"escalate-note": ""}).status_code == 302
    assert manager.post(f"{base}/partager/", {"share-service": world.waste.pk}).status_code == 302
    assert (
        manager.post(f"{base}/fusionner/", {"merge-references": dup.reference}).status_code == 302
    )
    bad = manager.post(
        f"{base}/reorienter/", {"reroute-service": world.social_b.pk, "reroute-reason": ""}
    )
    assert bad.status_code == 400
    assert (
        manager.post(
            f"{base}/reorienter/",
            {"reroute-service": world.social_b.pk, "reroute-reason": "Compétence départementale"},
        ).status_code
        == 302
    )
    actions = [e.action for e in history.history_of(voice)]
    assert actions == ["received", "escalated", "shared", "merged_in", "rerouted"]
    assert Voice.objects.get(pk=dup.pk).status == Status.MERGED
    # after re-routing, the manager of org A no longer acts on it, but org B does
    assert manager.post(f"{base}/statut/", {"status-status": "acknowledged"}).status_code == 404
    assert (
        client_for("agent_b").post(f"{base}/statut/", {"status-status": "acknowledged"}).status_code
        == 302
    )


def test_merge_refuses_voices_of_other_services(world, capture, client_for):
    voice = capture().voice
    other = capture(service=world.social_b).voice
    response = client_for("manager").post(
        f"/espace/paroles/{voice.reference}/fusionner/", {"merge-references": other.reference}
    )
    assert response.status_code == 400
    assert Voice.objects.get(pk=other.pk).status == Status.RECEIVED


def test_photos_are_served_only_to_those_who_see_the_voice(world, capture, client_for):
    photo = SimpleUploadedFile("p.jpg", image_bytes(), "image/jpeg")
    voice = capture(photos=[photo]).voice
    from cocon.core.attachments import attachments_of

    pk = attachments_of(voice).get().pk
    url = f"/espace/paroles/{voice.reference}/photos/{pk}/"
    response = client_for("manager").get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert client_for("agent_b").get(url).status_code == 404


def test_dashboard(world, capture, client_for):
    capture()
    capture(kind="thanks", relay=world["agent"], capture_mode="relayed", channel="counter")
    page = client_for("manager").get(f"/espace/paroles/tableaux-de-bord/{world.water.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-stat="total">2<' in body and 'data-stat="relayed">50 %<' in body
    assert 'data-stat="thanks">1<' in body
    assert (
        client_for("agent_b").get(f"/espace/paroles/tableaux-de-bord/{world.water.pk}/").status_code
        == 404
    )


def test_suggest_endpoint(world, routing, client):
    data = client.get(
        "/paroles/suggestion/",
        {"text": "Le ramassage des poubelles est en retard", "kind": "complaint"},
    ).json()
    assert data["service"]["id"] == world.waste.pk
    assert client.get("/paroles/suggestion/", {"text": "court"}).json() == {"service": None}


def test_opening_a_voice_marks_its_notifications_read(world, capture, client_for):
    voice = capture().voice
    assert (
        __import__("cocon.core.models", fromlist=["Notification"])
        .Notification.objects.filter(recipient=world["manager"], read_at__isnull=True)
        .count()
        == 1
    )
    client_for("manager").get(voice.get_absolute_url())
    assert (
        __import__("cocon.core.models", fromlist=["Notification"])
        .Notification.objects.filter(recipient=world["manager"], read_at__isnull=True)
        .count()
        == 0
    )


def test_home_panels_and_entry_points(world, capture, client_for, client):
    from cocon.backoffice.panels import panels_for

    mine = capture(author=world["usager"]).voice
    panel = next(p for p in panels_for(world["usager"]) if p.key == "my-contributions")
    assert mine.reference in panel.items[0].label
    voices_panel = next(p for p in panels_for(world["manager"]) if p.key == "voices")
    assert voices_panel.role == "manager"
    assert not any(p.key == "voices" for p in panels_for(world["usager"]))
    home = client.get("/").content.decode()
    assert 'href="/paroles/"' in home and 'href="/paroles/suivi/"' in home


def test_routing_page_for_organization_admins(world, routing, client_for):
    from cocon.voices.models import Commitment, RoutingRule

    url = f"/organisations/{world.org_a.slug}/paroles/"
    assert client_for("manager").get(url).status_code == 404
    assert client_for("admin_b").get(url).status_code == 404
    client = client_for("admin")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "action": "add_rule",
            "rule-kind": "thanks",
            "rule-theme": routing["waste"].pk,
            "rule-service": world.hr.pk,
        },
    )
    assert response.status_code == 302
    assert RoutingRule.objects.filter(
        organization=world.org_a, kind="thanks", service=world.hr
    ).exists()
    # a service of another organization is refused, next to the field
    response = client.post(
        url,
        {
            "action": "add_rule",
            "rule-kind": "",
            "rule-theme": "",
            "rule-service": world.social_b.pk,
        },
    )
    assert response.status_code == 400 and 'id="id_rule-service_error"' in response.content.decode()
    response = client.post(
        url,
        {
            "action": "commitment",
            "commitment-service": world.water.pk,
            "commitment-acknowledge_days": 1,
            "commitment-answer_days": 10,
        },
    )
    assert response.status_code == 302
    assert Commitment.objects.get(service=world.water).answer_days == 10
    response = client.post(
        url,
        {
            "action": "commitment",
            "commitment-service": world.water.pk,
            "commitment-acknowledge_days": 20,
            "commitment-answer_days": 10,
        },
    )
    assert response.status_code == 400
    rule = RoutingRule.objects.filter(organization=world.org_a).first()
    assert client.post(url, {"action": "delete_rule", "rule": rule.pk}).status_code == 302
    assert not RoutingRule.objects.filter(pk=rule.pk).exists()


def test_per_ip_limit_without_device_cookie(world, routing, client, settings):
    settings.PUBLIC_FORM_RATE_PER_HOUR = 2
    for _ in range(2):
        assert client.post("/paroles/", public_post()).status_code == 302
        client.cookies.clear()
    assert client.post("/paroles/", public_post()).status_code == 429
    assert Voice.objects.count() == 2


def test_feed_escalated_filter(world, capture, client_for):
    from cocon.voices.services import voice_escalate

    first = capture(text="Premier message").voice
    capture(text="Second message")
    voice_escalate(first, actor=world["manager"])
    page = client_for("elu").get("/espace/paroles/?escalated=on").content.decode()
    assert page.count('class="voice-item') == 1 and first.reference in page


def test_dashboard_figures_match_the_data(world, capture):
    import datetime as dt
    import zoneinfo

    from cocon.voices.selectors import dashboard
    from cocon.voices.services import voice_set_status

    paris = zoneinfo.ZoneInfo("Europe/Paris")
    now = dt.datetime(2026, 6, 30, 12, tzinfo=paris)
    a = capture(created_at=dt.datetime(2026, 5, 4, 9, tzinfo=paris)).voice
    b = capture(
        created_at=dt.datetime(2026, 6, 1, 9, tzinfo=paris),
        kind="thanks",
        relay=world["agent"],
        capture_mode="relayed",
        channel="counter",
    ).voice
    capture(created_at=dt.datetime(2026, 6, 2, 9, tzinfo=paris), kind="question")
    voice_set_status(
        a,
        actor=world["manager"],
        status="acknowledged",
        now=dt.datetime(2026, 5, 4, 13, tzinfo=paris),
    )  # 4 h
    voice_set_status(
        a,
        actor=world["manager"],
        status="answered",
        text="Ok",
        now=dt.datetime(2026, 5, 14, 9, tzinfo=paris),
    )  # 10 days
    voice_set_status(
        b,
        actor=world["manager"],
        status="acknowledged",
        now=dt.datetime(2026, 6, 1, 11, tzinfo=paris),
    )  # 2 h
    data = dashboard(world.water, now=now)
    assert data.total == 3 and data.thanks == 1 and data.relayed_percent == 33
    assert data.median_hours_to_acknowledge == 3.0  # median of 4 h and 2 h
    assert data.median_days_to_answer == 10.0
    assert [(m.month, n, r) for m, n, r in data.by_month] == [(5, 1, 0), (6, 2, 1)]
    assert data.open == 2  # b acknowledged, the question received
    # the question's acknowledgement was due 4 June; b's answer was due 22 June
    assert data.overdue == 2
    assert dict(zip(data.kinds, data.month_kind[1][1], strict=True)) == {
        "complaint": 0,
        "thanks": 1,
        "question": 1,
    }


def test_thanks_are_passed_on_to_the_agent(world, capture, client_for):
    from cocon.core.models import Notification

    voice = capture(kind="thanks", text="Merci à Jérôme, le fontainier, très aimable.").voice
    client = client_for("manager")
    assert 'name="thank-agent"' in client.get(voice.get_absolute_url()).content.decode()
    url = f"/espace/paroles/{voice.reference}/remercier/"
    assert client.post(url, {"thank-agent": world["agent_b"].pk}).status_code == 400  # other org
    assert client.post(url, {"thank-agent": world["agent"].pk}).status_code == 302
    note = Notification.objects.get(recipient=world["agent"], kind="voices.thanks")
    assert "Jérôme" in note.body
    assert history.history_of(voice).last().action == "thanks_forwarded"
    other = capture().voice
    response = client.post(
        f"/espace/paroles/{other.reference}/remercier/", {"thank-agent": world["agent"].pk}
    )
    assert response.status_code == 400  # only thanks


def test_service_page_invites_to_write_to_that_service(world, routing, client, client_for):
    url = f"/organisations/{world.org_a.slug}/services/{world.waste.slug}/"
    page = client.get(url).content.decode()
    assert f'href="/paroles/?service={world.waste.pk}"' in page
    assert "tableaux-de-bord" not in page
    form = client.get(f"/paroles/?service={world.waste.pk}").content.decode()
    assert f'<option value="{world.waste.pk}" selected>' in form
    assert "tableaux-de-bord" in client_for("direction").get(url).content.decode()
