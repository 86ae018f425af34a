"""Paroles through the REST API (/api/v1/voices…): capture with idempotency, lists with
the feeds' visibility and filters, keyset pagination, one voice, status changes."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import Counter

import pytest
from django.core import mail
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cocon.accounts.models import Role, User
from cocon.api.models import ApiToken, IdempotencyKey
from cocon.core.models import Notification, StatusEvent
from cocon.voices import selectors, services
from cocon.voices.models import TEXT_MAX, Status, Voice, VoiceContact, VoiceProfile, VoiceShare
from tests.conftest import ROLES, make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/voices"
TEXT = "La fuite d'eau rue des Lilas n'est toujours pas réparée."


# --- helpers -------------------------------------------------------------------------------
def token_for(user, *scopes: str) -> str:
    return ApiToken.issue(user=user, scopes=list(scopes))[1]


def headers(raw: str | None, key: str | None = None) -> dict[str, str]:
    h = {}
    if raw is not None:
        h["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    if key is not None:
        h["HTTP_IDEMPOTENCY_KEY"] = key
    return h


def post(client, raw, body, key=None, url=URL):
    return client.post(url, body, content_type="application/json", **headers(raw, key))


def get(client, raw, url=URL, **params):
    return client.get(url, params, **headers(raw))


def error_of(response, status: int, code: str) -> dict:
    """The documented error body: {"error": {"code", "message", "details": [...]}}."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}, body
    assert body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["details"], list)
    for detail in body["error"]["details"]:
        assert detail["message"]
    return body["error"]


def fields_of(error: dict) -> set[str]:
    return {d["field"] for d in error["details"]}


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


@contextlib.contextmanager
def nothing_written():
    """Assert that the block wrote no voice nor anything a capture writes with it."""
    models = (Voice, VoiceContact, VoiceProfile, StatusEvent, Notification, IdempotencyKey)
    before = {m.__name__: m.objects.count() for m in models}
    yield
    after = {m.__name__: m.objects.count() for m in models}
    assert after == before


def body_for(world, **fields) -> dict:
    body = {"kind": "complaint", "text": TEXT, "service": world.water.pk}
    body.update(fields)
    return body


# --- POST /api/v1/voices -------------------------------------------------------------------
class TestCreate:
    def test_created_with_reference_tracking_code_and_service(self, client, world, routing):
        raw = token_for(world["usager"], "voices:write")
        response = post(client, raw, body_for(world, contact={"email": "p@ex.fr", "consent": True}))
        assert response.status_code == 201, response.content
        body = response.json()
        voice = Voice.objects.get()
        assert body["id"] == voice.reference
        assert body["service"] == {"id": world.water.pk, "name": "Eau", "organization": "agglo"}
        assert body["status"] == "received" and body["capture_mode"] == "self"
        assert voice.check_tracking_code(body["tracking_code"])
        assert body["tracking_url"].endswith(
            f"/paroles/suivi/{voice.reference}/?code={body['tracking_code']}"
        )
        assert voice.author == world["usager"] and voice.relay is None
        assert voice.contact.email == "p@ex.fr"
        assert "Idempotent-Replayed" not in response.headers

    def test_routed_from_organization_and_text_when_no_service(self, client, world, routing):
        raw = token_for(world["usager"], "voices:write")
        response = post(
            client,
            raw,
            {
                "kind": "complaint",
                "text": "La poubelle n'a pas été vidée.",
                "organization": "agglo",
            },
        )
        assert response.status_code == 201, response.content
        assert response.json()["service"]["id"] == world.waste.pk
        assert response.json()["theme"] == "dechets"
        other = post(
            client,
            raw,
            {"kind": "question", "text": "Où demander le RSA ?", "organization": "departement"},
        )
        assert other.status_code == 201, other.content
        assert other.json()["service"]["id"] == world.social_b.pk

    def test_agent_relays_a_voice(self, client, world, routing):
        raw = token_for(world["agent_b"], "voices:write")
        response = post(client, raw, body_for(world, capture_mode="relayed", channel="counter"))
        assert response.status_code == 201, response.content
        assert response.json()["relayed_by"] == world["agent_b"].full_name
        voice = Voice.objects.get()
        # guichet unique: an agent of org B relays for org A's water service
        assert voice.relay == world["agent_b"] and voice.author is None
        assert voice.relay_organization == world.org_b and voice.organization == world.org_a

    def test_text_of_exactly_the_maximum_length_is_accepted(self, client, world, routing):
        raw = token_for(world["usager"], "voices:write")
        response = post(client, raw, body_for(world, text="é" * TEXT_MAX))
        assert response.status_code == 201, response.content

    def test_without_token_401(self, client, world, routing):
        with nothing_written():
            error_of(post(client, None, body_for(world)), 401, "authentication_required")

    def test_with_unknown_token_401(self, client, world, routing):
        with nothing_written():
            error_of(post(client, "cocon_nope", body_for(world)), 401, "invalid_token")

    def test_without_write_scope_403(self, client, world, routing):
        raw = token_for(world["agent"], "voices:read")
        with nothing_written():
            error = error_of(
                post(client, raw, body_for(world), key="k1"), 403, "insufficient_scope"
            )
        assert "voices:write" in error["message"]

    @pytest.mark.parametrize(
        ("fields", "field"),
        [
            ({"text": ""}, "text"),
            ({"text": "   \n  "}, "text"),
            ({"text": "x" * (TEXT_MAX + 1)}, "text"),
            ({"service": 987654}, "service"),
            ({"commune": "99999"}, "commune"),
            ({"organization": "nowhere", "service": None}, "organization"),
            ({"theme": "nothing"}, "theme"),
            ({"kind": "rant"}, "kind"),
            ({"channel": "pigeon"}, "channel"),
            ({"contact": {"email": "not-an-email", "consent": True}}, "contact_email"),
            ({"contact": {"email": "p@ex.fr"}}, "contact_consent"),
            ({"contact": {"phone": "06 12 34 56 78", "consent": False}}, "contact_consent"),
            ({"latitude": 45.1}, "latitude"),
            ({"event_date": "2999-01-01"}, "event_date"),
        ],
    )
    def test_invalid_request_422_and_nothing_written(self, client, world, routing, fields, field):
        raw = token_for(world["usager"], "voices:write")
        with nothing_written():
            response = post(client, raw, body_for(world, **fields), key=f"bad-{field}")
            error = error_of(response, 422, "validation_error")
        assert field in fields_of(error)

    def test_missing_required_fields_422(self, client, world, routing):
        raw = token_for(world["usager"], "voices:write")
        with nothing_written():
            error = error_of(
                post(client, raw, {"service": world.water.pk}), 422, "validation_error"
            )
        assert {"kind", "text"} <= fields_of(error)

    def test_internal_service_refuses_the_public(self, client, world, routing):
        raw = token_for(world["usager"], "voices:write")
        with nothing_written():
            error = error_of(
                post(client, raw, body_for(world, service=world.hr.pk)), 422, "validation_error"
            )
        assert fields_of(error) == {"service"}

    @pytest.mark.parametrize("mode", ["relayed", "observation"])
    @pytest.mark.parametrize("role", ["usager", "elu"])
    def test_relaying_is_for_agents_only_403(self, client, world, routing, role, mode):
        raw = token_for(world[role], "voices:write")
        kind = "observation" if mode == "observation" else "complaint"
        with nothing_written():
            error_of(
                post(client, raw, body_for(world, capture_mode=mode, kind=kind), key="relay"),
                403,
                "forbidden",
            )


# --- Idempotency-Key -------------------------------------------------------------------------
class TestIdempotency:
    def test_same_key_same_body_replays_the_first_response(self, client, world, routing):
        raw = token_for(world["agent"], "voices:write")
        body = body_for(world, capture_mode="relayed")
        first = post(client, raw, body, key="capture-0001")
        assert first.status_code == 201, first.content
        assert "Idempotent-Replayed" not in first.headers
        second = post(client, raw, body, key="capture-0001")
        assert second.status_code == 201, second.content
        assert second.headers["Idempotent-Replayed"] == "true"
        assert second.json()["id"] == first.json()["id"]
        assert second.json()["tracking_code"] == first.json()["tracking_code"]
        assert Voice.objects.count() == 1
        assert StatusEvent.objects.count() == 1  # history not written twice either

    def test_same_key_with_another_body_422(self, client, world, routing):
        raw = token_for(world["agent"], "voices:write")
        assert post(client, raw, body_for(world), key="k").status_code == 201
        with nothing_written():
            error = error_of(
                post(client, raw, body_for(world, text="Autre chose."), key="k"),
                422,
                "idempotency_key_reused",
            )
        assert fields_of(error) == {"Idempotency-Key"}

    def test_key_belongs_to_the_token(self, client, world, routing):
        first = post(client, token_for(world["agent"], "voices:write"), body_for(world), key="k")
        other = post(client, token_for(world["agent"], "voices:write"), body_for(world), key="k")
        assert first.status_code == other.status_code == 201
        assert "Idempotent-Replayed" not in other.headers
        assert first.json()["id"] != other.json()["id"]
        assert Voice.objects.count() == 2

    def test_without_key_each_request_creates(self, client, world, routing):
        raw = token_for(world["agent"], "voices:write")
        assert post(client, raw, body_for(world)).status_code == 201
        assert post(client, raw, body_for(world)).status_code == 201
        assert Voice.objects.count() == 2

    def test_a_refused_request_does_not_burn_its_key(self, client, world, routing):
        raw = token_for(world["agent"], "voices:write")
        error_of(post(client, raw, body_for(world, text=""), key="k"), 422, "validation_error")
        fixed = post(client, raw, body_for(world), key="k")
        assert fixed.status_code == 201, fixed.content
        assert "Idempotent-Replayed" not in fixed.headers
        assert Voice.objects.count() == 1

    def test_overlong_key_400(self, client, world, routing):
        raw = token_for(world["agent"], "voices:write")
        with nothing_written():
            error_of(post(client, raw, body_for(world), key="k" * 201), 400, "bad_idempotency_key")


# --- GET /api/v1/voices ----------------------------------------------------------------------
@pytest.fixture
def voices(world, capture):
    """Five voices spread over services and organizations, one minute apart (oldest
    first): three for water (one relayed by the agent, one by the usager as author, one
    acknowledged suggestion), one for waste, one for org B's social service."""
    start = timezone.now() - dt.timedelta(hours=1)
    at = [start + dt.timedelta(minutes=i) for i in range(5)]
    made = {
        "water_relayed": capture(
            capture_mode="relayed", relay=world["agent"], channel="counter", created_at=at[0]
        ).voice,
        "waste": capture(
            service=world.waste, text="Les encombrants traînent.", created_at=at[1]
        ).voice,
        "social_b": capture(
            service=world.social_b, kind="question", text="Aide sociale ?", created_at=at[2]
        ).voice,
        "water_own": capture(author=world["usager"], created_at=at[3]).voice,
        "water_suggestion": capture(
            kind="suggestion", text="Un point d'eau au parc.", created_at=at[4]
        ).voice,
    }
    services.voice_set_status(
        made["water_suggestion"], actor=world["manager"], status=Status.ACKNOWLEDGED
    )
    return made


def refs(voices_by_name, *names) -> list[str]:
    return [voices_by_name[n].reference for n in names]


class TestList:
    @pytest.mark.parametrize(
        ("role", "expected"),
        [
            ("manager", ["water_suggestion", "water_own", "water_relayed"]),
            ("agent", ["water_suggestion", "water_own", "water_relayed"]),
            ("elu", ["water_suggestion", "water_own", "water_relayed"]),
            ("direction", ["water_suggestion", "water_own", "waste", "water_relayed"]),
            ("agent_b", ["social_b"]),
            ("usager", ["water_own"]),
            ("expert", ["water_suggestion", "water_own", "water_relayed"]),  # agent of water
            ("admin_b", ["social_b"]),
        ],
    )
    def test_visibility_follows_the_feeds(self, client, world, voices, role, expected):
        raw = token_for(world[role], "voices:read")
        assert ids(get(client, raw)) == refs(voices, *expected)

    def test_platform_administrator_sees_everything(self, client, world, voices):
        raw = token_for(world["platform"], "voices:read")
        assert ids(get(client, raw)) == refs(
            voices, "water_suggestion", "water_own", "social_b", "waste", "water_relayed"
        )

    def test_no_cross_organization_leak_through_filters(self, client, world, voices):
        raw = token_for(world["agent_b"], "voices:read")
        assert ids(get(client, raw, service=world.water.pk)) == []
        assert ids(get(client, raw, organization=world.org_a.pk)) == []
        manager = token_for(world["manager"], "voices:read")
        assert ids(get(client, manager, service=world.social_b.pk)) == []

    def test_a_shared_voice_reaches_the_partner_service(self, client, world, voices):
        VoiceShare.objects.create(voice=voices["water_own"], service=world.social_b)
        raw = token_for(world["agent_b"], "voices:read")
        assert ids(get(client, raw)) == refs(voices, "water_own", "social_b")

    def test_filters(self, client, world, voices):
        raw = token_for(world["manager"], "voices:read")
        assert ids(get(client, raw, kind="suggestion")) == refs(voices, "water_suggestion")
        assert ids(get(client, raw, status="acknowledged")) == refs(voices, "water_suggestion")
        assert ids(get(client, raw, status="received")) == refs(
            voices, "water_own", "water_relayed"
        )
        assert ids(get(client, raw, status="open")) == refs(
            voices, "water_suggestion", "water_own", "water_relayed"
        )
        assert ids(get(client, raw, relayed="yes")) == refs(voices, "water_relayed")
        assert ids(get(client, raw, relayed="no")) == refs(voices, "water_suggestion", "water_own")
        assert ids(get(client, raw, service=world.water.pk, kind="complaint")) == refs(
            voices, "water_own", "water_relayed"
        )
        director = token_for(world["direction"], "voices:read")
        assert ids(get(client, director, service=world.waste.pk)) == refs(voices, "waste")

    def test_since_and_until_are_whole_local_days(self, client, world, capture):
        day = dt.date(2026, 3, 10)
        local = timezone.get_current_timezone()

        def at(d, hour, minute):
            return dt.datetime.combine(d, dt.time(hour, minute), tzinfo=local)

        before = capture(created_at=at(day - dt.timedelta(days=1), 23, 59)).voice
        first = capture(created_at=at(day, 0, 0)).voice
        last = capture(created_at=at(day, 23, 59)).voice
        after = capture(created_at=at(day + dt.timedelta(days=1), 0, 0)).voice
        raw = token_for(world["manager"], "voices:read")
        assert ids(get(client, raw, since="2026-03-10", until="2026-03-10")) == [
            last.reference,
            first.reference,
        ]
        assert ids(get(client, raw, since="2026-03-11")) == [after.reference]
        assert ids(get(client, raw, until="2026-03-09")) == [before.reference]

    def test_unknown_status_422(self, client, world, voices):
        raw = token_for(world["manager"], "voices:read")
        error = error_of(get(client, raw, status="lost"), 422, "validation_error")
        assert fields_of(error) == {"status"}

    @pytest.mark.parametrize("limit", ["0", "201", "many"])
    def test_bad_limit_422(self, client, world, voices, limit):
        raw = token_for(world["manager"], "voices:read")
        error_of(get(client, raw, limit=limit), 422, "validation_error")

    def test_item_shape(self, client, world, voices):
        raw = token_for(world["manager"], "voices:read")
        item = get(client, raw, relayed="yes").json()["items"][0]
        assert item["id"] == voices["water_relayed"].reference
        assert item["relayed_by"] == world["agent"].full_name
        assert item["service"] == {"id": world.water.pk, "name": "Eau", "organization": "agglo"}
        assert item["theme"] == "eau"
        assert "tracking_code" not in item and "contact" not in item

    def test_without_token_401_without_read_scope_403(self, client, world, voices):
        error_of(get(client, None), 401, "authentication_required")
        raw = token_for(world["manager"], "voices:write")
        error_of(get(client, raw), 403, "insufficient_scope")


class TestPagination:
    def walk(self, client, raw, limit, **params) -> tuple[list[str], int]:
        seen: list[str] = []
        after = None
        pages = 0
        while True:
            query = {"limit": limit, **params}
            if after:
                query["after"] = after
            response = get(client, raw, **query)
            assert response.status_code == 200, response.content
            page = response.json()
            assert len(page["items"]) <= limit
            seen += [item["id"] for item in page["items"]]
            pages += 1
            after = page["next"]
            assert pages <= 10, "pagination does not end"
            if after is None:
                return seen, pages

    def test_walk_every_page(self, client, world, capture):
        start = timezone.now() - dt.timedelta(hours=1)
        made = [capture(created_at=start + dt.timedelta(minutes=i)).voice for i in range(5)]
        capture(service=world.social_b)  # not the manager's
        raw = token_for(world["manager"], "voices:read")
        everything = ids(get(client, raw, limit=50))
        assert everything == [v.reference for v in reversed(made)]
        seen, pages = self.walk(client, raw, 2)
        assert seen == everything  # same order, no duplicate, none missing
        assert pages == 3

    def test_exact_multiple_of_the_page_size_ends_without_an_empty_page(
        self, client, world, voices
    ):
        raw = token_for(world["manager"], "voices:read")  # sees 3 voices
        seen, pages = self.walk(client, raw, 3)
        assert len(seen) == 3 and pages == 1

    def test_voices_with_the_same_timestamp(self, client, world, capture):
        when = timezone.now() - dt.timedelta(minutes=5)
        made = {capture(created_at=when).voice.reference for _ in range(5)}
        raw = token_for(world["manager"], "voices:read")
        seen, pages = self.walk(client, raw, 2)
        assert sorted(seen) == sorted(made) and len(seen) == 5 and pages == 3

    def test_pagination_with_filters(self, client, world, voices):
        raw = token_for(world["direction"], "voices:read")  # the whole organization A
        seen, pages = self.walk(client, raw, 1, status="received")
        assert seen == refs(voices, "water_own", "waste", "water_relayed")
        assert pages == 3

    @pytest.mark.parametrize(
        "cursor",
        [
            "garbage",
            "!!!",
            "MjAyNi0wMS0wMVQwMDowMDowMCswMDowMHx4",  # "2026-01-01T00:00:00+00:00|x"
            "MjAyNi0wMS0wMVQwMDowMDowMHwx",  # naive timestamp
            "bm90IGEgZGF0ZXwx",  # "not a date|1"
        ],
    )
    def test_invalid_cursor_422(self, client, world, voices, cursor):
        raw = token_for(world["manager"], "voices:read")
        error = error_of(get(client, raw, after=cursor), 422, "validation_error")
        assert fields_of(error) == {"after"}

    def test_constant_number_of_queries(self, client, world, voices, capture):
        # more voices with every relation the items show: relay, theme, commune, merge
        for i in range(6):
            capture(
                capture_mode="relayed",
                relay=world["agent"] if i % 2 else world["manager"],
                commune=world.communes[i % 2],
                channel="phone",
            )
        primary = capture().voice
        services.voice_merge(primary, [capture().voice], actor=world["manager"])
        raw = token_for(world["direction"], "voices:read")  # the whole organization A
        assert get(client, raw, limit=1).status_code == 200  # warm-up: token last use, caches

        def queries(**params) -> tuple[int, int]:
            with CaptureQueriesContext(connection) as ctx:
                response = get(client, raw, **params)
            assert response.status_code == 200, response.content
            return len(ctx.captured_queries), len(response.json()["items"])

        small, n_small = queries(limit=2)
        large, n_large = queries(limit=50)
        assert (n_small, n_large) == (2, 12)  # 4 + 6 + 2 voices of organization A
        assert small == large, (small, large)
        after = get(client, raw, limit=2).json()["next"]
        deep, _n = queries(limit=2, after=after)
        assert deep == small
        manager = token_for(world["manager"], "voices:read")
        get(client, manager, limit=1)
        assert queries_for(client, manager, limit=2) == queries_for(client, manager, limit=50)


def queries_for(client, raw, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert get(client, raw, **params).status_code == 200
    return len(ctx.captured_queries)


class TestFeedCounts:
    """The feeds' counts per status (selectors.feed_counts) cut the visibility rule into
    parts PostgreSQL can count from indexes: they must equal a plain count of what the
    person sees, for every role, shares and relays included."""

    @pytest.fixture
    def director_of_environment(self, world):
        user = make_user("dir-env@test.fr", "Directrice Environnement")
        Role.objects.create(
            user=user, organization=world.org_a, kind="direction", direction=world.direction_a
        )
        return user

    @pytest.mark.parametrize("role", [*ROLES, "agent_b", "admin_b", "platform", "dir-env@test.fr"])
    def test_counts_agree_with_the_feed(
        self, world, voices, capture, director_of_environment, role
    ):
        VoiceShare.objects.create(voice=voices["social_b"], service=world.water)
        VoiceShare.objects.create(voice=voices["waste"], service=world.social_b)
        capture(service=world.social_b, capture_mode="relayed", relay=world["agent"])
        capture(created_at=timezone.now() - dt.timedelta(days=60))  # overdue
        capture(
            service=world.waste, kind="question", created_at=timezone.now() - dt.timedelta(days=40)
        )
        pk = director_of_environment.pk if "@" in role else world[role].pk
        for fields in ({}, {"kind": "complaint"}, {"relayed": "yes"}, {"relayed": "no"}):
            filters = selectors.FeedFilters(**fields)
            page = selectors.feed(User.objects.get(pk=pk), filters)
            seen = selectors.visible_voices(User.objects.get(pk=pk)).filter(filters.q())
            assert page.counts == dict(Counter(seen.values_list("status", flat=True)))
            assert page.total == seen.count()
            assert page.overdue == seen.filter(selectors.overdue_q()).count()
            if not fields and role in ("manager", "direction", "platform"):
                assert page.total > 0 and page.overdue > 0

    def test_closed_statuses_are_counted_up_to_a_cap_open_ones_exactly(
        self, world, voices, capture
    ):
        """Years of closed voices are not recounted at every page view: above the cap a
        closed status reads "cap+", open statuses stay exact (feed_counts)."""
        from cocon.voices.models import Voice

        for _ in range(3):
            capture()
        Voice.objects.filter(service=world.water).exclude(pk=voices["water_relayed"].pk).update(
            status="closed"
        )
        manager = User.objects.get(pk=world["manager"].pk)
        seen = selectors.visible_voices(manager)
        closed = seen.filter(status="closed").count()
        assert closed >= 3
        counts, _late, capped = selectors.feed_counts(manager, Q(), timezone.now(), cap=2)
        assert counts["closed"] == 2 and capped == {"closed"}
        assert counts["received"] == seen.filter(status="received").count() >= 1
        counts, _late, capped = selectors.feed_counts(manager, Q(), timezone.now(), cap=100)
        assert counts["closed"] == closed and capped == set()


# --- GET /api/v1/voices/{id} -----------------------------------------------------------------
class TestRead:
    def test_service_staff_read_it(self, client, world, voices):
        voice = voices["water_relayed"]
        for role in ("manager", "agent", "elu", "direction"):
            raw = token_for(world[role], "voices:read")
            response = get(client, raw, url=f"{URL}/{voice.reference}")
            assert response.status_code == 200, (role, response.content)
            assert response.json()["id"] == voice.reference
            assert response.json()["text"] == TEXT

    def test_other_organization_gets_404(self, client, world, voices):
        raw = token_for(world["agent_b"], "voices:read")
        error_of(get(client, raw, url=f"{URL}/{voices['water_own'].reference}"), 404, "not_found")
        admin_b = token_for(world["admin_b"], "voices:read")
        error_of(get(client, admin_b, url=f"{URL}/{voices['waste'].reference}"), 404, "not_found")
        manager = token_for(world["manager"], "voices:read")
        error_of(
            get(client, manager, url=f"{URL}/{voices['social_b'].reference}"), 404, "not_found"
        )

    def test_author_reads_their_own_voice_only(self, client, world, voices):
        raw = token_for(world["usager"], "voices:read")
        assert get(client, raw, url=f"{URL}/{voices['water_own'].reference}").status_code == 200
        error_of(get(client, raw, url=f"{URL}/{voices['waste'].reference}"), 404, "not_found")

    def test_unknown_reference_404(self, client, world, voices):
        raw = token_for(world["direction"], "voices:read")
        error_of(get(client, raw, url=f"{URL}/ZZZZ-ZZZZ"), 404, "not_found")

    def test_scope_and_token(self, client, world, voices):
        url = f"{URL}/{voices['water_own'].reference}"
        error_of(get(client, None, url=url), 401, "authentication_required")
        raw = token_for(world["manager"], "voices:write")
        error_of(get(client, raw, url=url), 403, "insufficient_scope")


# --- POST /api/v1/voices/{id}/status ---------------------------------------------------------
@pytest.fixture
def with_contact(world, capture):
    return capture(contact_email="personne@exemple.fr", contact_consent=True).voice


def status_url(voice) -> str:
    return f"{URL}/{voice.reference}/status"


class TestStatus:
    def test_manager_answers_and_the_person_gets_the_email(
        self, client, world, with_contact, django_capture_on_commit_callbacks
    ):
        raw = token_for(world["manager"], "voices:write")
        mail.outbox.clear()
        answer = "La fuite a été réparée le 20 novembre. Merci de nous l'avoir signalée."
        with django_capture_on_commit_callbacks(execute=True):
            response = post(
                client,
                raw,
                {"status": "answered", "text": answer},
                url=status_url(with_contact),
            )
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["status"] == "answered" and body["answer"] == answer
        assert body["answer_signature"] == "Eau" and body["answered_at"]
        with_contact.refresh_from_db()
        assert with_contact.status == Status.ANSWERED
        sent = [m for m in mail.outbox if m.to == ["personne@exemple.fr"]]
        assert len(sent) == 1
        assert with_contact.reference in sent[0].subject
        assert answer in sent[0].body
        event = StatusEvent.objects.filter(to_status="answered").get()
        assert event.actor == world["manager"] and event.public_text == answer

    def test_acknowledge_needs_no_text(self, client, world, with_contact):
        raw = token_for(world["agent"], "voices:write")
        response = post(client, raw, {"status": "acknowledged"}, url=status_url(with_contact))
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "acknowledged"
        assert response.json()["acknowledged_at"]

    @pytest.mark.parametrize("text", ["", "   "])
    def test_answer_without_text_422(self, client, world, with_contact, text):
        raw = token_for(world["manager"], "voices:write")
        with nothing_written():
            error = error_of(
                post(
                    client, raw, {"status": "answered", "text": text}, url=status_url(with_contact)
                ),
                422,
                "validation_error",
            )
        assert fields_of(error) == {"text"}
        with_contact.refresh_from_db()
        assert with_contact.status == Status.RECEIVED and with_contact.answer == ""

    @pytest.mark.parametrize("status", ["merged", "flying", "closed"])
    def test_unknown_or_forbidden_transition_422(self, client, world, with_contact, status):
        raw = token_for(world["manager"], "voices:write")
        error = error_of(
            post(client, raw, {"status": status, "text": "x"}, url=status_url(with_contact)),
            422,
            "validation_error",
        )
        assert fields_of(error) == {"status"}
        with_contact.refresh_from_db()
        assert with_contact.status == Status.RECEIVED

    def test_elu_sees_but_cannot_act_403(self, client, world, with_contact):
        raw = token_for(world["elu"], "voices:write", "voices:read")
        assert get(client, raw, url=f"{URL}/{with_contact.reference}").status_code == 200
        with nothing_written():
            error_of(
                post(
                    client,
                    raw,
                    {"status": "answered", "text": "Oui."},
                    url=status_url(with_contact),
                ),
                403,
                "forbidden",
            )
        with_contact.refresh_from_db()
        assert with_contact.status == Status.RECEIVED

    def test_other_organization_404(self, client, world, with_contact):
        raw = token_for(world["agent_b"], "voices:write")
        with nothing_written():
            error_of(
                post(
                    client,
                    raw,
                    {"status": "answered", "text": "Oui."},
                    url=status_url(with_contact),
                ),
                404,
                "not_found",
            )
        with_contact.refresh_from_db()
        assert with_contact.status == Status.RECEIVED

    def test_needs_write_scope(self, client, world, with_contact):
        raw = token_for(world["manager"], "voices:read")
        error_of(
            post(client, raw, {"status": "acknowledged"}, url=status_url(with_contact)),
            403,
            "insufficient_scope",
        )
        error_of(
            post(client, None, {"status": "acknowledged"}, url=status_url(with_contact)),
            401,
            "authentication_required",
        )


# --- OpenAPI -------------------------------------------------------------------------------
def test_openapi_lists_the_voice_operations(client, db):
    doc = client.get("/api/openapi.json").json()
    paths = doc["paths"]
    operations = {
        (path, method)
        for path, item in paths.items()
        if path.startswith("/api/v1/voices")
        for method in item
    }
    assert operations == {
        ("/api/v1/voices", "post"),
        ("/api/v1/voices/batch", "post"),
        ("/api/v1/voices", "get"),
        ("/api/v1/voices/{reference}", "get"),
        ("/api/v1/voices/{reference}/status", "post"),
    }
    create = paths["/api/v1/voices"]["post"]
    assert "ErrorBody" in str(create["responses"]["422"])
    assert "201" in create["responses"]
