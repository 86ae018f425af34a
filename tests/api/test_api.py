import io
import json

import pytest
from django.core.management import CommandError, call_command

from cocon.api.models import ApiToken
from cocon.territory.models import PopulationMargin, Share

pytestmark = pytest.mark.django_db


def token_for(user, *scopes):
    return ApiToken.issue(user=user, scopes=list(scopes))[1]


def auth(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def assert_error_body(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["details"], list)
    return body["error"]


def test_openapi_document(client, db):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.")
    paths = doc["paths"]
    for path in [
        "/api/v1/me",
        "/api/v1/organizations",
        "/api/v1/territory/margins",
        "/api/v1/organizations/{slug}/agents",
    ]:
        assert path in paths, path
    error_schema = paths["/api/v1/territory/margins"]["post"]["responses"]["422"]
    assert "ErrorBody" in json.dumps(error_schema)
    assert "bearer" in json.dumps(doc["components"]["securitySchemes"]).lower()


def test_docs_page_is_served_locally(client, db):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html and "cdn" not in html.lower()


def test_public_reads_without_token(client, world):
    response = client.get("/api/v1/organizations")
    assert [o["slug"] for o in response.json()] == ["departement", "agglo"][::-1] or len(
        response.json()
    ) == 2
    services = client.get("/api/v1/organizations/agglo/services").json()
    assert {s["slug"] for s in services} == {"eau", "dechets"}  # not the internal HR service
    assert services[0]["opening_hours"] or services[1]["opening_hours"]


def test_margins_read(client, world):
    rows = client.get("/api/v1/communes/38601/margins").json()
    assert len(rows) == 12 and sum(r["population"] for r in rows) == 996
    assert_error_body(client.get("/api/v1/communes/99999/margins"), 404, "not_found")


class TestAuthentication:
    def test_bad_token_is_401_not_anonymous(self, client, world):
        err = assert_error_body(
            client.get("/api/v1/organizations", **auth("nope")), 401, "invalid_token"
        )
        assert "token" in err["message"].lower()

    def test_wrong_scheme(self, client, world):
        assert_error_body(
            client.get("/api/v1/organizations", HTTP_AUTHORIZATION="Basic abc"),
            401,
            "invalid_token",
        )

    def test_me_requires_a_token(self, client, world):
        assert_error_body(client.get("/api/v1/me"), 401, "authentication_required")

    def test_me_with_scope(self, client, world):
        raw = token_for(world["manager"], "account:read")
        data = client.get("/api/v1/me", **auth(raw)).json()
        assert data["email"] == "manager@test.fr"
        assert data["agent_of"] == "agglo"
        assert data["roles"] == [
            {"organization": "agglo", "kind": "manager", "title": "", "services": ["eau"]}
        ]
        assert ApiToken.objects.get().last_used_at is not None

    def test_missing_scope_is_403(self, client, world):
        raw = token_for(world["manager"], "territory:read")
        assert_error_body(client.get("/api/v1/me", **auth(raw)), 403, "insufficient_scope")

    def test_revoked_token(self, client, world):
        raw = token_for(world["manager"], "account:read")
        call_command("token", "revoke", raw[:12], stdout=io.StringIO())
        assert_error_body(client.get("/api/v1/me", **auth(raw)), 401, "invalid_token")

    def test_inactive_user_token(self, client, world):
        raw = token_for(world["manager"], "account:read")
        world["manager"].is_active = False
        world["manager"].save()
        assert_error_body(client.get("/api/v1/me", **auth(raw)), 401, "invalid_token")

    def test_session_cookie_does_not_authenticate_the_api(self, client_for, world):
        client = client_for("agent")
        assert_error_body(
            client.get("/api/v1/organizations/agglo/agents"), 401, "authentication_required"
        )


class TestIsolation:
    url = "/api/v1/organizations/agglo/agents"

    def test_own_organization(self, client, world):
        raw = token_for(world["agent"], "territory:read")
        names = {a["full_name"] for a in client.get(self.url, **auth(raw)).json()}
        assert "Manager" in names and "Agent B" not in names

    def test_other_organization_is_403_until_shared(self, client, world):
        raw = token_for(world["agent_b"], "territory:read")
        assert_error_body(client.get(self.url, **auth(raw)), 403, "forbidden")
        Share.objects.create(owner=world.org_a, partner=world.org_b, scope="directory")
        assert client.get(self.url, **auth(raw)).status_code == 200


class TestMarginsWrite:
    url = "/api/v1/territory/margins"
    rows = [
        {"commune_insee": "38602", "age_band": b, "sex": s, "population": 7}
        for b in ("0-14", "15-29", "30-44", "45-59", "60-74", "75+")
        for s in "FM"
    ]

    def post(self, client, raw, rows):
        return client.post(self.url, {"rows": rows}, content_type="application/json", **auth(raw))

    def test_import(self, client, world):
        raw = token_for(world["admin"], "territory:write")
        response = self.post(client, raw, self.rows)
        assert response.json() == {"imported": 12, "communes": 1}
        assert set(
            PopulationMargin.objects.filter(commune__insee_code="38602").values_list(
                "population", flat=True
            )
        ) == {7}

    def test_bad_rows_give_422_with_lines_and_write_nothing(self, client, world):
        raw = token_for(world["admin"], "territory:write")
        rows = [
            *self.rows,
            {"commune_insee": "38602", "age_band": "100+", "sex": "F", "population": 1},
        ]
        rows[0] = dict(rows[0], population="beaucoup")
        err = assert_error_body(self.post(client, raw, rows), 422, "validation_error")
        assert [(d["line"], d["field"]) for d in err["details"]] == [
            (2, "population"),
            (14, "age_band"),
        ]
        assert set(
            PopulationMargin.objects.filter(commune__insee_code="38602").values_list(
                "population", flat=True
            )
        ) == {41}

    def test_malformed_json_is_422(self, client, world):
        raw = token_for(world["admin"], "territory:write")
        response = client.post(
            self.url, {"lines": []}, content_type="application/json", **auth(raw)
        )
        err = assert_error_body(response, 422, "validation_error")
        assert err["details"][0]["field"] == "rows"

    def test_needs_write_scope_and_permission(self, client, world):
        read_only = token_for(world["admin"], "territory:read")
        assert_error_body(self.post(client, read_only, self.rows), 403, "insufficient_scope")
        not_admin = token_for(world["agent"], "territory:write")
        assert_error_body(self.post(client, not_admin, self.rows), 403, "forbidden")


class TestTokenCommand:
    def test_create_prints_a_working_token(self, client, world):
        out = io.StringIO()
        call_command(
            "token",
            "create",
            "--user",
            "MANAGER@test.fr",
            "--scope",
            "account:read,territory:read",
            stdout=out,
        )
        raw = out.getvalue().strip()
        assert raw.startswith("cocon_")
        token = ApiToken.objects.get()
        assert token.scopes == ["account:read", "territory:read"]
        assert raw not in (token.key_digest, token.prefix)
        assert client.get("/api/v1/me", **auth(raw)).status_code == 200

    def test_unknown_scope_and_user(self, world):
        with pytest.raises(CommandError, match="Unknown scope"):
            call_command("token", "create", "--user", "manager@test.fr", "--scope", "all")
        with pytest.raises(CommandError, match="No active user"):
            call_command("token", "create", "--user", "x@y.z", "--scope", "account:read")
        assert not ApiToken.objects.exists()
