"""API creation: a profile needs consent; the creation answer writes dates as reads do."""

import pytest

from cocon.api.models import ApiToken
from cocon.voices.models import Voice, VoiceProfile

pytestmark = pytest.mark.django_db


def post(client, raw, body):
    return client.post(
        "/api/v1/voices", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )


def test_profile_needs_consent(world, routing, client):
    _token, raw = ApiToken.issue(user=world["agent"], scopes=["voices:write"])
    body = {
        "kind": "question",
        "text": "Où en est la réparation de la fuite d'eau ?",
        "channel": "counter",
        "capture_mode": "relayed",
        "profile": {"age_band": "30-44", "sex": "F"},
    }
    response = post(client, raw, body)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "profile.consent"
    assert Voice.objects.count() == 0
    body["profile"]["consent"] = True
    assert post(client, raw, body).status_code == 201
    assert VoiceProfile.objects.get().age_band == "30-44"


def test_creation_and_read_write_dates_alike(world, routing, client):
    _token, raw = ApiToken.issue(user=world["agent"], scopes=["voices:write", "voices:read"])
    created = post(
        client,
        raw,
        {
            "kind": "question",
            "text": "Une fuite d'eau rue Haute",
            "channel": "counter",
            "capture_mode": "relayed",
        },
    ).json()
    read = client.get(f"/api/v1/voices/{created['id']}", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    for field in ("created_at", "acknowledge_due", "answer_due"):
        assert created[field] == read[field]
        assert created[field].endswith("Z")
