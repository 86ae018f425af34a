"""The cheap capture path (docs/benchmarks.md, "Paroles: voice captures per second"): the
caches, the one-query staff fan-out, the lazy grants, the token check and the idempotency
record must behave exactly as the plain queries they replace."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cocon.accounts.grants import Grants
from cocon.accounts.models import Role, RoleKind
from cocon.api import idempotency
from cocon.api.models import ApiToken, IdempotencyKey
from cocon.core.models import Notification, NotificationPreference, OutboxEmail
from cocon.core.notifications import preference_set, recipients_of
from cocon.core.permissions import can
from cocon.voices import services
from cocon.voices.models import Commitment, RoutingRule, Theme, Voice
from tests.conftest import make_user

URL = "/api/v1/voices"


def post(client, raw, body, key=None):
    extra = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    if key:
        extra["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(URL, body, content_type="application/json", **extra)


BODY = {
    "kind": "complaint",
    "text": "Une fuite d'eau devant l'école depuis ce matin.",
    "channel": "counter",
    "capture_mode": "relayed",
    "organization": "agglo",
}


# --- staff fan-out ---------------------------------------------------------------------
def test_staff_recipients_equal_service_staff_for_every_service(world):
    today = timezone.localdate()
    director = make_user("dir-env@test.fr", "Aline Directrice")
    Role.objects.create(
        user=director, organization=world.org_a, kind="direction", direction=world.direction_a
    )
    former = make_user("ancien@test.fr", "Ancien Manager")
    Role.objects.create(
        user=former,
        organization=world.org_a,
        kind=RoleKind.MANAGER,
        starts_on=today - dt.timedelta(days=90),
        ends_on=today - dt.timedelta(days=1),
    ).services.add(world.water)
    future = make_user("futur@test.fr", "Futur Élu")
    Role.objects.create(
        user=future,
        organization=world.org_a,
        kind=RoleKind.ELU,
        starts_on=today + dt.timedelta(days=3),
    ).services.add(world.waste)
    gone = make_user("parti@test.fr", "Parti", is_active=False)
    Role.objects.create(user=gone, organization=world.org_a, kind=RoleKind.DIRECTION)
    preference_set(world["manager"], NotificationPreference.Email.IMMEDIATE)
    preference_set(world["elu"], NotificationPreference.Email.NEVER)
    for service in (world.water, world.waste, world.hr, world.social_b):
        assert services.staff_recipients(service) == recipients_of(
            services.service_staff(service)
        ), service
    water = services.staff_recipients(world.water)
    assert {r.email for r in water} >= {"manager@test.fr", "elu@test.fr", "agent@test.fr"}
    assert "ancien@test.fr" not in {r.email for r in water}
    prefs = {r.email: r.preference for r in water}
    assert prefs["manager@test.fr"] == "immediate" and prefs["agent@test.fr"] is None


def test_capture_notifies_the_same_people_with_their_preferences(world, capture, mailoutbox):
    preference_set(world["manager"], NotificationPreference.Email.IMMEDIATE)
    preference_set(world["direction"], NotificationPreference.Email.IMMEDIATE)
    preference_set(world["elu"], NotificationPreference.Email.NEVER)
    outbox_before = OutboxEmail.objects.count()
    voice = capture(relay=world["agent"], capture_mode="relayed", channel="phone").voice
    rows = {
        n.recipient.email: n
        for n in Notification.objects.filter(object_id=voice.pk).select_related("recipient")
    }
    expected = {u.email for u in services.service_staff(world.water)} - {"agent@test.fr"}
    assert set(rows) == expected  # the relaying agent is not told about their own capture
    assert rows["manager@test.fr"].emailed_at is not None
    assert not rows["manager@test.fr"].digest_pending
    assert rows["elu@test.fr"].emailed_at is None and not rows["elu@test.fr"].digest_pending
    assert rows["expert@test.fr"].digest_pending  # staff default: the daily digest
    emails = OutboxEmail.objects.order_by("pk")[outbox_before:]
    assert sorted(e.to[0] for e in emails) == ["direction@test.fr", "manager@test.fr"]
    assert all("Bonjour" in e.body or "Hello" in e.body for e in emails)


def test_thanks_relayed_by_an_agent_also_reach_the_agent(world, capture):
    voice = capture(
        kind="thanks", text="Merci à l'agent", relay=world["agent"], capture_mode="relayed"
    ).voice
    told = set(Notification.objects.filter(object_id=voice.pk).values_list("recipient", flat=True))
    assert world["agent"].pk in told and world["manager"].pk in told


# --- caches: changes apply at once -------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_reference_data_changes_apply_to_the_next_capture(world, routing, client):
    raw = ApiToken.issue(user=world["agent"], scopes=["voices:write"])[1]
    first = post(client, raw, BODY)
    assert first.status_code == 201, first.content
    assert first.json()["service"]["id"] == world.water.pk
    # a new rule for complaints about water, a renamed service, a commitment, a keyword
    RoutingRule.objects.create(
        organization=world.org_a, kind="complaint", theme=routing["water"], service=world.waste
    )
    world.waste.name = "Déchets et propreté"
    world.waste.save()
    Commitment.objects.create(service=world.waste, acknowledge_days=1, answer_days=3)
    second = post(client, raw, BODY).json()
    assert second["service"] == {
        "id": world.waste.pk,
        "name": "Déchets et propreté",
        "organization": "agglo",
    }
    voice = Voice.objects.get(reference=second["id"])
    assert voice.answer_due < Voice.objects.get(reference=first.json()["id"]).answer_due
    Theme.objects.filter(pk=routing["waste"].pk).get().delete()
    assert (
        post(client, raw, {**BODY, "text": "Poubelle pleine"}).json()["service"]["id"]
        == world.water.pk
    )  # the waste theme is gone: the catch-all rule decides


@pytest.mark.django_db(transaction=True)
def test_warm_capture_costs_few_queries(world, routing, client):
    raw = ApiToken.issue(user=world["agent"], scopes=["voices:write"])[1]
    assert post(client, raw, BODY, key="warm").status_code == 201
    with CaptureQueriesContext(connection) as ctx:
        assert post(client, raw, BODY, key="measured").status_code == 201
    # token, key check, (savepoint), voice, history, staff, notifications, (release), key
    # — plus BEGIN/COMMIT on PostgreSQL
    assert len(ctx.captured_queries) <= 11, [q["sql"][:80] for q in ctx.captured_queries]


# --- grants --------------------------------------------------------------------------------
def test_grants_from_a_token_user_need_no_query_for_capture(world, django_assert_num_queries):
    token, _raw = ApiToken.issue(user=world["agent"], scopes=["voices:write"])
    user = ApiToken.objects.select_related("user", "user__agent_profile").get(pk=token.pk).user
    with django_assert_num_queries(0):
        assert can(user, "voices.capture")
        assert user.grants.agent_organization_id == world.org_a.pk


@pytest.mark.parametrize("role", ["usager", "agent", "manager", "direction", "elu", "admin"])
def test_lazy_grants_equal_eager_ones(world, role):
    user = world[role]
    user.forget_grants()
    grants = Grants.for_user(user)
    assert grants.roles == eager_roles(user)
    assert grants.member_organization_ids == (
        {r.organization_id for r in grants.roles} | ({world.org_a.pk} if grants.is_agent else set())
    )


def eager_roles(user):
    """The roles as the four-query Grants loaded them (reference for the lazy one)."""
    from cocon.accounts.grants import RoleGrant
    from cocon.accounts.selectors import current_roles

    out = []
    for role in current_roles().filter(user=user).prefetch_related("services"):
        out.append(
            RoleGrant(
                kind=role.kind,
                organization_id=role.organization_id,
                direction_id=role.direction_id,
                service_ids=frozenset(s.pk for s in role.services.all()),
                title=role.title,
            )
        )
    return out


# --- token ---------------------------------------------------------------------------------
def test_revoked_or_expired_token_refused_at_once(world, routing, client):
    token, raw = ApiToken.issue(user=world["agent"], scopes=["voices:write"])
    assert post(client, raw, BODY).status_code == 201
    token.expires_at = timezone.now() - dt.timedelta(seconds=1)
    token.save()
    assert post(client, raw, BODY).status_code == 401
    token.expires_at = timezone.now() + dt.timedelta(days=1)
    token.save()
    assert post(client, raw, BODY).status_code == 201
    token.revoked_at = timezone.now()
    token.save()
    assert post(client, raw, BODY).status_code == 401


# --- idempotency -----------------------------------------------------------------------------
def test_a_duplicate_that_lost_the_race_writes_nothing_and_replays(
    world, routing, client, monkeypatch
):
    """Two copies in flight: both passed the key check before either committed. The second
    one's key INSERT fails on the unique constraint, which rolls back its voice too."""
    raw = ApiToken.issue(user=world["agent"], scopes=["voices:write"])[1]
    first = post(client, raw, BODY, key="same-key")
    assert first.status_code == 201
    real_filter = IdempotencyKey.objects.filter
    calls = []

    class Blind:
        def first(self):
            return None

    def filter_blind_once(*args, **kwargs):
        calls.append(1)
        return Blind() if len(calls) == 1 else real_filter(*args, **kwargs)

    monkeypatch.setattr(idempotency.IdempotencyKey.objects, "filter", filter_blind_once)
    second = post(client, raw, BODY, key="same-key")
    assert second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert second.json()["id"] == first.json()["id"]
    assert Voice.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1
    assert Notification.objects.exclude(object_id=Voice.objects.get().pk).count() == 0
