"""POST /api/v1/voices/batch: several voices in one request, each captured on its own
(transaction, idempotency key, result), as POST /voices would."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cocon.api.models import ApiToken, IdempotencyKey
from cocon.voices.models import Voice

pytestmark = pytest.mark.django_db
URL = "/api/v1/voices/batch"


def item(n: int, **fields) -> dict:
    return {
        "kind": "suggestion",
        "text": f"Post-it n° {n} de l'atelier : la collecte des poubelles passe trop tôt.",
        "channel": "workshop",
        "capture_mode": "relayed",
        "idempotency_key": f"atelier-{n}",
        **fields,
    }


@pytest.fixture
def raw(world, routing):
    _token, raw = ApiToken.issue(user=world["agent"], scopes=["voices:write"])
    return raw


def post(client, raw, items):
    return client.post(
        URL, {"items": items}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )


def test_each_item_is_created_with_its_own_result(client, raw):
    response = post(client, raw, [item(1), item(2), item(3)])
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["status"] for r in results] == [201, 201, 201]
    assert [r["index"] for r in results] == [0, 1, 2]
    refs = [r["voice"]["id"] for r in results]
    assert set(Voice.objects.values_list("reference", flat=True)) == set(refs)
    assert all(len(r["voice"]["tracking_code"]) == 8 for r in results)
    assert Voice.objects.filter(channel="workshop", capture_mode="relayed").count() == 3


def test_an_invalid_item_does_not_stop_the_others(client, raw):
    response = post(client, raw, [item(1), item(2, text="   "), item(3, service=999999)])
    results = response.json()["results"]
    assert [r["status"] for r in results] == [201, 422, 422]
    assert results[1]["error"]["code"] == "validation_error"
    assert results[1]["error"]["details"][0]["field"] == "text"
    assert results[2]["error"]["details"][0]["field"] == "service"
    assert Voice.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1  # failed items keep nothing: resend them


def test_a_retried_batch_creates_nothing_twice(client, raw):
    first = post(client, raw, [item(1), item(2)]).json()["results"]
    again = post(client, raw, [item(1), item(2), item(3)]).json()["results"]
    assert [r["replayed"] for r in again] == [True, True, False]
    assert [r["voice"]["id"] for r in again[:2]] == [r["voice"]["id"] for r in first]
    assert Voice.objects.count() == 3


def test_a_key_reused_for_another_item_is_refused(client, raw):
    post(client, raw, [item(1)])
    results = post(client, raw, [item(1, text="Autre chose")]).json()["results"]
    assert results[0]["status"] == 422
    assert results[0]["error"]["code"] == "idempotency_key_reused"
    assert Voice.objects.count() == 1


@pytest.mark.parametrize("count", [0, 101])
def test_batch_size_is_bounded(client, raw, count):
    response = post(client, raw, [item(n) for n in range(count)])
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "items"
    assert Voice.objects.count() == 0


def test_scope_and_token_are_required(client, world, routing):
    _token, read_only = ApiToken.issue(user=world["agent"], scopes=["voices:read"])
    assert post(client, read_only, [item(1)]).status_code == 403
    assert (
        client.post(URL, {"items": [item(1)]}, content_type="application/json").status_code == 401
    )
    assert Voice.objects.count() == 0


def test_statements_grow_per_item_not_per_batch_overhead(client, raw):
    """A batch costs the token once, then a constant number of statements per item."""
    with CaptureQueriesContext(connection) as five:
        post(client, raw, [item(n) for n in range(5)])
    with CaptureQueriesContext(connection) as fifteen:
        post(client, raw, [item(n) for n in range(100, 115)])
    per_item = (len(fifteen) - len(five)) / 10
    assert per_item <= 12
    assert len(five) <= 5 * per_item + 4
