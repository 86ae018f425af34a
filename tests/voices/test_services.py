"""Paroles services: capture, routing, due dates, answer back, circulation, retention."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cocon.core import history
from cocon.core.models import Attachment, Notification, NotificationPreference, StatusEvent
from cocon.core.notifications import send_digests
from cocon.voices import services
from cocon.voices.models import Status, Voice, VoiceContact, VoiceProfile, VoiceShare

from ..conftest import fr
from .conftest import image_bytes

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def upload(name="photo.jpg", data=None, content_type="image/jpeg"):
    return SimpleUploadedFile(name, data if data is not None else image_bytes(), content_type)


# --- capture and validation ---------------------------------------------------------------
def test_capture_records_voice_history_and_tells_the_service(world, capture):
    captured = capture()
    voice = captured.voice
    assert voice.status == Status.RECEIVED
    assert voice.organization == world.org_a
    assert len(voice.reference) == 9 and voice.reference[4] == "-"
    assert voice.check_tracking_code(captured.tracking_code)
    assert not voice.check_tracking_code("00000000")
    assert [e.action for e in history.history_of(voice)] == ["received"]
    told = set(
        Notification.objects.filter(object_id=voice.pk).values_list("recipient__email", flat=True)
    )
    # agents of the service, its manager, the direction (no direction restriction), the élu
    assert {"agent@test.fr", "manager@test.fr", "direction@test.fr", "elu@test.fr"} <= told
    assert "agent_b@test.fr" not in told and "usager@test.fr" not in told
    # staff default to the daily digest: no email flood at capture
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"text": "   "}, "text"),
        ({"text": "x" * 5001}, "text"),
        ({"kind": "rumour"}, "kind"),
        ({"channel": "pigeon"}, "channel"),
        ({"service": None}, "service"),
        ({"contact_email": "pas-une-adresse", "contact_consent": True}, "contact_email"),
        ({"contact_phone": "12", "contact_consent": True}, "contact_phone"),
        ({"contact_email": "a@b.fr"}, "contact_consent"),
        ({"latitude": 45.1}, "latitude"),
        ({"kind": "observation"}, "kind"),
        ({"capture_mode": "relayed"}, "capture_mode"),
    ],
)
def test_bad_input_is_refused_with_a_french_message_and_nothing_saved(
    world, capture, fields, field
):
    from django.utils import translation

    before = (Voice.objects.count(), StatusEvent.objects.count(), Notification.objects.count())
    with translation.override("fr"), pytest.raises(ValidationError) as excinfo:
        capture(**fields)
    assert field in excinfo.value.message_dict
    message = excinfo.value.message_dict[field][0]
    assert message and message[0].isupper()
    assert (
        Voice.objects.count(),
        StatusEvent.objects.count(),
        Notification.objects.count(),
    ) == before
    assert VoiceContact.objects.count() == 0


def test_french_messages(world, capture):
    from django.utils import translation

    with translation.override("fr"), pytest.raises(ValidationError) as excinfo:
        capture(text="")
    assert "vide" in excinfo.value.message_dict["text"][0]


def test_public_cannot_send_to_an_internal_service_but_an_agent_can(world, capture):
    with pytest.raises(ValidationError) as excinfo:
        capture(service=world.hr)
    assert "service" in excinfo.value.message_dict
    relayed = capture(
        service=world.hr, relay=world["agent"], capture_mode="relayed", channel="counter"
    )
    assert relayed.voice.service == world.hr


def test_agent_relays_for_a_service_of_another_organization(world, capture):
    captured = capture(
        service=world.social_b,
        relay=world["agent"],
        capture_mode="relayed",
        channel="counter",
        text="Ma demande de RSA est bloquée depuis deux mois.",
    )
    voice = captured.voice
    assert voice.organization == world.org_b
    assert voice.relay == world["agent"]
    assert voice.relay_organization == world.org_a  # recorded as relay, from org A
    assert voice.author is None  # the person's words stay theirs
    assert voice.is_relayed


def test_contact_and_profile_are_stored_apart(world, capture):
    captured = capture(
        contact_email="lea@exemple.fr",
        contact_phone="06 12 34 56 78",
        contact_consent=True,
        profile={
            "age_band": "30-44",
            "sex": "F",
            "occupation": "employee",
            "commune": world.communes[0],
        },
    )
    voice = captured.voice
    contact = VoiceContact.objects.get(voice=voice)
    assert contact.email == "lea@exemple.fr" and contact.erase_after is None
    profile = VoiceProfile.objects.get(voice=voice)
    assert (profile.age_band, profile.sex, profile.occupation) == ("30-44", "F", "employee")
    assert profile.commune == world.communes[0]
    assert not hasattr(profile, "email")


def test_profile_with_unknown_values_is_cleaned_not_stored(world, capture):
    voice = capture(profile={"age_band": "999", "sex": "X"}).voice
    assert not VoiceProfile.objects.filter(voice=voice).exists()


# --- photos ---------------------------------------------------------------------------------
def test_photos_are_reencoded_and_metadata_stripped(world, capture):
    original = image_bytes(exif_gps=True, size=(3000, 2000))
    with Image.open(io.BytesIO(original)) as img:
        assert img.getexif()  # the upload carries EXIF (device, GPS)
    voice = capture(photos=[upload(data=original)]).voice
    attachment = Attachment.objects.get(object_id=voice.pk)
    with attachment.file.open("rb") as stored, Image.open(stored) as img:
        assert not img.getexif()
        assert "exif" not in img.info
        assert max(img.size) == 2560  # shrunk
    assert attachment.mime_type == "image/jpeg"


@pytest.mark.parametrize(
    "photo",
    [
        SimpleUploadedFile("virus.jpg", b"MZ\x90\x00 not an image", "image/jpeg"),
        SimpleUploadedFile(
            "logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml"
        ),
    ],
)
def test_non_images_are_refused(world, capture, photo):
    with pytest.raises(ValidationError) as excinfo:
        capture(photos=[photo])
    assert "photos" in excinfo.value.message_dict
    assert Voice.objects.count() == 0 and Attachment.objects.count() == 0


def test_photos_over_10_mb_are_refused(world, capture):
    big = upload(data=image_bytes() + b"\0" * (10 * 1024 * 1024))
    with pytest.raises(ValidationError) as excinfo:
        capture(photos=[big])
    assert "photos" in excinfo.value.message_dict


def test_at_most_five_photos(world, capture):
    with pytest.raises(ValidationError):
        capture(photos=[upload(f"p{i}.jpg") for i in range(6)])


# --- routing --------------------------------------------------------------------------------
def test_routing_suggests_from_text_and_kind(world, routing):
    route = services.suggest_route(
        territory=world.territory, text="Les poubelles ne sont pas ramassées", kind="complaint"
    )
    assert route.theme == routing["waste"] and route.service == world.waste
    route = services.suggest_route(
        territory=world.territory, text="Une question sur mon RSA", kind="question"
    )
    assert route.service == world.social_b  # another organization
    route = services.suggest_route(territory=world.territory, text="Bonjour à tous", kind="thanks")
    assert route.service is None  # nothing themed: the caller falls back
    route = services.suggest_route(
        territory=world.territory, text="Bonjour à tous", kind="thanks", organization=world.org_a
    )
    assert route.service == world.water  # the organization's catch-all


def test_more_specific_rule_wins(world, routing):
    from cocon.voices.models import RoutingRule

    RoutingRule.objects.create(
        organization=world.org_a, kind="thanks", theme=routing["waste"], service=world.hr
    )
    route = services.suggest_route(
        territory=world.territory, text="Merci pour la collecte des poubelles", kind="thanks"
    )
    assert route.service == world.hr


def test_reroute_keeps_reason_in_history_and_tells_the_new_service(world, capture):
    voice = capture().voice
    services.voice_reroute(
        voice, actor=world["manager"], service=world.social_b, reason="Relève du social"
    )
    voice.refresh_from_db()
    assert voice.service == world.social_b and voice.organization == world.org_b
    event = history.history_of(voice).last()
    assert event.action == "rerouted" and event.internal_text == "Relève du social"
    assert Notification.objects.filter(object_id=voice.pk, recipient=world["agent_b"]).exists()
    with pytest.raises(ValidationError) as excinfo:
        services.voice_reroute(voice, actor=world["manager"], service=world.water, reason="")
    assert "reason" in excinfo.value.message_dict


# --- due dates ------------------------------------------------------------------------------
def test_due_dates_count_working_days_and_french_holidays(world, capture):
    from cocon.voices.models import Commitment

    # Thursday 30 April 2026, 10:00: 1 May (Friday) is a holiday, then the weekend
    created = dt.datetime(2026, 4, 30, 10, 0, tzinfo=PARIS)
    voice = capture(created_at=created).voice
    assert voice.acknowledge_due.astimezone(PARIS) == dt.datetime(2026, 5, 5, 10, 0, tzinfo=PARIS)
    # 15 working days: May 8 and Ascension (May 14) are holidays too
    assert voice.answer_due.astimezone(PARIS).date() == dt.date(2026, 5, 27)
    Commitment.objects.create(service=world.waste, acknowledge_days=1, answer_days=5)
    other = capture(service=world.waste, created_at=created).voice
    assert other.acknowledge_due.astimezone(PARIS).date() == dt.date(2026, 5, 4)
    assert other.answer_due.astimezone(PARIS).date() == dt.date(2026, 5, 11)


def test_overdue(world, capture):
    created = dt.datetime(2026, 1, 5, 9, 0, tzinfo=PARIS)  # a Monday
    voice = capture(created_at=created).voice
    assert voice.overdue(dt.datetime(2026, 1, 6, 9, 0, tzinfo=PARIS)) == ""
    assert voice.overdue(dt.datetime(2026, 1, 8, 9, 0, tzinfo=PARIS)) == "acknowledge"
    services.voice_set_status(voice, actor=world["manager"], status="acknowledged")
    voice.refresh_from_db()
    assert voice.overdue(dt.datetime(2026, 1, 8, 9, 0, tzinfo=PARIS)) == ""
    assert voice.overdue(dt.datetime(2026, 2, 1, 9, 0, tzinfo=PARIS)) == "answer"


# --- the answer back -------------------------------------------------------------------------
def test_answer_is_emailed_to_the_person_and_history_is_visible(
    world, capture, django_capture_on_commit_callbacks
):
    voice = capture(contact_email="lea@exemple.fr", contact_consent=True).voice
    services.voice_set_status(voice, actor=world["agent"], status="acknowledged")
    with django_capture_on_commit_callbacks(execute=True):
        services.voice_set_status(
            voice,
            actor=world["manager"],
            status="answered",
            text="La fuite sera réparée jeudi.",
            signed_by=world["elu"],
        )
    voice.refresh_from_db()
    assert voice.status == Status.ANSWERED and voice.answer == "La fuite sera réparée jeudi."
    assert voice.answer_signature.startswith("Élise Élue, Vice-présidente")
    assert voice.acknowledged_at <= voice.answered_at
    [email] = mail.outbox
    assert email.to == ["lea@exemple.fr"] and voice.reference in email.subject
    assert "La fuite sera réparée jeudi." in email.body
    events = list(history.history_of(voice))
    assert [(e.from_status, e.to_status) for e in events[1:]] == [
        ("received", "acknowledged"),
        ("acknowledged", "answered"),
    ]
    assert events[-1].actor == world["manager"]


def test_answer_needs_a_text_and_transitions_are_checked(world, capture):
    voice = capture().voice
    with pytest.raises(ValidationError) as excinfo:
        services.voice_set_status(voice, actor=world["manager"], status="answered", text=" ")
    assert "text" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        services.voice_set_status(voice, actor=world["manager"], status="closed")
    assert "status" in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        services.voice_set_status(voice, actor=world["manager"], status="not_for_us")
    voice.refresh_from_db()
    assert voice.status == Status.RECEIVED and voice.acknowledged_at is None


def test_only_an_elu_covering_the_service_may_sign(world, capture):
    voice = capture(service=world.waste).voice
    with pytest.raises(ValidationError) as excinfo:
        services.voice_set_status(
            voice, actor=world["manager"], status="answered", text="Ok", signed_by=world["elu"]
        )
    assert "signed_by" in excinfo.value.message_dict


def test_author_with_account_is_notified_in_app_and_by_email(
    world, capture, django_capture_on_commit_callbacks
):
    voice = capture(author=world["usager"]).voice
    with django_capture_on_commit_callbacks(execute=True):
        services.voice_set_status(
            voice, actor=world["manager"], status="answered", text="Merci, c'est fait."
        )
    note = Notification.objects.get(recipient=world["usager"], kind="voices.answer")
    assert note.emailed_at is not None
    assert [m.to for m in mail.outbox] == [["usager@test.fr"]]


def test_merged_voices_keep_their_authors_and_all_get_the_answer(
    world, capture, django_capture_on_commit_callbacks
):
    primary = capture(contact_email="a@exemple.fr", contact_consent=True).voice
    dup1 = capture(
        contact_email="b@exemple.fr", contact_consent=True, text="Fuite rue des Lilas !"
    ).voice
    dup2 = capture(author=world["usager"], text="Encore la fuite rue des Lilas").voice
    services.voice_merge(primary, [dup1, dup2], actor=world["manager"])
    for dup in (dup1, dup2):
        dup.refresh_from_db()
        assert dup.status == Status.MERGED and dup.merged_into == primary
    assert Voice.objects.get(pk=dup2.pk).author == world["usager"]
    with django_capture_on_commit_callbacks(execute=True):
        services.voice_set_status(
            primary, actor=world["manager"], status="answered", text="Réparé."
        )
    assert sorted(m.to[0] for m in mail.outbox) == [
        "a@exemple.fr",
        "b@exemple.fr",
        "usager@test.fr",
    ]
    with pytest.raises(ValidationError):
        services.voice_merge(capture().voice, [dup1], actor=world["manager"])  # already merged


def test_not_for_us_refers_the_person(world, capture, django_capture_on_commit_callbacks):
    voice = capture(contact_email="a@exemple.fr", contact_consent=True).voice
    with django_capture_on_commit_callbacks(execute=True):
        services.voice_set_status(
            voice, actor=world["manager"], status="not_for_us", text="Contactez la CAF au 3230."
        )
    voice.refresh_from_db()
    assert voice.closed_at is not None
    assert "CAF" in mail.outbox[0].body
    assert VoiceContact.objects.get(voice=voice).erase_after is not None


# --- circulation --------------------------------------------------------------------------------
def test_escalation_tells_the_elus_at_once(world, capture, django_capture_on_commit_callbacks):
    voice = capture().voice
    with django_capture_on_commit_callbacks(execute=True):
        services.voice_escalate(voice, actor=world["agent"], note="Troisième fois ce mois-ci")
    voice.refresh_from_db()
    assert voice.escalated_at is not None
    note = Notification.objects.get(recipient=world["elu"], kind="voices.escalated")
    assert "Troisième fois" in note.body
    assert [m.to for m in mail.outbox] == [["elu@test.fr"]]  # escalation: immediate by default


def test_share_with_another_service_makes_it_visible_there(world, capture):
    from cocon.core.permissions import can

    voice = capture().voice
    assert not can(world["agent_b"], "voices.view", voice)
    services.voice_share(voice, actor=world["manager"], service=world.social_b)
    voice = Voice.objects.get(pk=voice.pk)
    world["agent_b"].forget_grants()
    assert can(world["agent_b"], "voices.view", voice)
    assert not can(world["agent_b"], "voices.act", voice)
    assert VoiceShare.objects.filter(voice=voice).count() == 1
    with pytest.raises(ValidationError):
        services.voice_share(voice, actor=world["manager"], service=world.social_b)


def test_thanks_reach_the_relaying_agent_and_the_team(world, capture):
    voice = capture(
        kind="thanks",
        text="Merci à l'agent d'accueil pour son aide",
        relay=world["agent_b"],
        capture_mode="relayed",
        channel="counter",
    ).voice
    told = set(
        Notification.objects.filter(object_id=voice.pk).values_list("recipient__email", flat=True)
    )
    assert {"agent_b@test.fr", "agent@test.fr", "manager@test.fr"} <= told
    prefix = fr("Thanks received for %(service)s (%(ref)s)").split("%")[0]
    titles = Notification.objects.filter(object_id=voice.pk).values_list("title", flat=True)
    assert titles and all(title.startswith(prefix) for title in titles)


def test_read_receipts_are_recorded_once(world, capture):
    voice = capture().voice
    assert services.voice_seen(voice, world["manager"]) is True
    assert services.voice_seen(voice, world["manager"]) is False
    assert [r.user for r in history.readers_of(voice)] == [world["manager"]]


# --- notifications ---------------------------------------------------------------------------
def test_daily_digest_sends_one_email_per_person(
    world, capture, django_capture_on_commit_callbacks
):
    for _ in range(3):
        capture()
    NotificationPreference.objects.create(user=world["elu"], email="never")
    with django_capture_on_commit_callbacks(execute=True):
        sent = send_digests()
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert "elu@test.fr" not in recipients
    assert recipients.count("manager@test.fr") == 1
    assert sent == len(recipients)
    manager_mail = next(m for m in mail.outbox if m.to == ["manager@test.fr"])
    assert "3" in manager_mail.subject
    with django_capture_on_commit_callbacks(execute=True):
        assert send_digests() == 0  # nothing twice


# --- retention -----------------------------------------------------------------------------------
def test_contacts_are_erased_after_the_retention_period(world, capture, settings):
    settings.VOICE_CONTACT_RETENTION_MONTHS = 12
    voice = capture(contact_email="a@exemple.fr", contact_consent=True).voice
    services.voice_set_status(voice, actor=world["manager"], status="answered", text="Fait.")
    answered = Voice.objects.get(pk=voice.pk).answered_at
    # 31 days later: closed automatically, contact kept 12 more months
    closed, erased = services.purge_contacts(now=answered + dt.timedelta(days=31))
    assert (closed, erased) == (1, 0)
    assert Voice.objects.get(pk=voice.pk).status == Status.CLOSED
    assert VoiceContact.objects.filter(voice=voice).exists()
    closed, erased = services.purge_contacts(now=answered + dt.timedelta(days=31 + 366))
    assert erased == 1 and not VoiceContact.objects.filter(voice=voice).exists()
    assert Voice.objects.filter(pk=voice.pk).exists()  # the voice itself stays


def test_gdpr_erasure_keeps_the_skeleton_and_drops_the_words(world, capture):
    from cocon.core.gdpr import erase_person, export_person

    voice = capture(
        author=world["usager"], contact_email="u@exemple.fr", contact_consent=True
    ).voice
    exported = export_person(world["usager"])
    assert exported["voices"][0]["reference"] == voice.reference
    erase_person(world["usager"])
    voice = Voice.objects.get(pk=voice.pk)
    assert voice.author is None and "effacé" in voice.text
    assert not VoiceContact.objects.filter(voice=voice).exists()
