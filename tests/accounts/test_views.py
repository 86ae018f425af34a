import json
import re

import pytest
from django.core import mail
from django.urls import reverse

from cocon.accounts.models import User
from cocon.core.models import OutboxEmail
from tests.conftest import PASSWORD, ROLES, fr

pytestmark = pytest.mark.django_db
LOGIN = "/compte/connexion/"


def test_passwords_are_hashed_with_argon2(world):
    user = User.objects.create_user("new@test.fr", "neuf-mot-de-passe-77", full_name="N")
    assert user.password.startswith("argon2")
    assert world["agent"].password.startswith("argon2")


@pytest.mark.parametrize("role", ROLES)
def test_every_role_logs_in_and_sees_its_home(client, world, role):
    response = client.post(LOGIN, {"email": f"{role}@test.fr".upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:home")
    home = client.get(response["Location"])
    assert home.status_code == 200
    roles_shown = set(re.findall(r'data-role="([a-z]+)"', home.content.decode()))
    expected = {"usager"} if role == "usager" else {role, "usager"}
    if role not in ("usager", "elu"):
        expected.add("agent")
    assert expected <= roles_shown
    if role == "usager":
        assert roles_shown == {"usager"}


def test_login_errors_are_french_and_keep_the_email(client, world):
    response = client.post(LOGIN, {"email": "agent@test.fr", "password": "faux"})
    assert response.status_code == 400
    html = response.content.decode()
    assert fr("Incorrect email address or password.") in html
    assert 'value="agent@test.fr"' in html
    assert "error-summary" in html


def test_login_empty_form_lists_field_errors(client, world):
    html = client.post(LOGIN, {}).content.decode()
    assert 'id="id_email_error"' in html and 'id="id_password_error"' in html
    assert 'href="#id_email"' in html


def test_lockout_after_repeated_failures(client, world, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(LOGIN, {"email": "agent@test.fr", "password": "faux"})
    # even the right password is refused while locked
    response = client.post(LOGIN, {"email": "agent@test.fr", "password": PASSWORD})
    assert response.status_code == 429
    assert (
        fr(
            "Too many failed attempts: this account is locked for %(minutes)s minutes. "
            "You can reset your password meanwhile.",
            minutes=15,
        )
        in response.content.decode()
    )
    assert "_auth_user_id" not in client.session
    # another account is not affected
    ok = client.post(LOGIN, {"email": "manager@test.fr", "password": PASSWORD})
    assert ok.status_code == 302


def test_successful_login_resets_the_failure_count(client, world, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(2):
        client.post(LOGIN, {"email": "agent@test.fr", "password": "faux"})
    assert client.post(LOGIN, {"email": "agent@test.fr", "password": PASSWORD}).status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(2):
        client.post(LOGIN, {"email": "agent@test.fr", "password": "faux"})
    assert client.post(LOGIN, {"email": "agent@test.fr", "password": PASSWORD}).status_code == 302


def test_open_redirect_is_refused(client, world):
    response = client.post(
        LOGIN + "?next=https://evil.example/",
        {"email": "agent@test.fr", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("backoffice:home")


def test_logout_is_post_only(client, client_for):
    client = client_for("agent")
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("backoffice:home")).status_code == 302


class TestRegistration:
    url = "/compte/inscription/"
    good = {
        "full_name": "Rose Habitante",
        "email": "Rose@Exemple.fr",
        "password1": "un-mot-de-passe-solide",
        "password2": "un-mot-de-passe-solide",
        "accept_terms": "on",
    }

    def test_registration_creates_account_and_queues_verification(
        self, client, db, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(self.url, self.good)
        assert response.status_code == 302
        user = User.objects.get(email="rose@exemple.fr")
        assert user.check_password("un-mot-de-passe-solide")
        email = OutboxEmail.objects.get()
        assert email.to == ["rose@exemple.fr"]
        assert email.status == "sent" and len(mail.outbox) == 1
        link = re.search(r"http\S+/compte/verifier/\S+/", email.body).group(0)
        client.get(link.split("127.0.0.1:8000")[1])
        user.refresh_from_db()
        assert user.email_verified_at is not None

    def test_errors_in_french_beside_fields_and_nothing_lost(self, client, db):
        data = dict(self.good, password2="autre-chose-encore", accept_terms="")
        response = client.post(self.url, data)
        html = response.content.decode()
        assert response.status_code == 400
        assert fr("The two passwords differ.") in html
        assert 'id="id_password2_error"' in html and 'id="id_accept_terms_error"' in html
        assert 'value="Rose Habitante"' in html and 'value="Rose@Exemple.fr"' in html
        assert not User.objects.exists() and not OutboxEmail.objects.exists()

    def test_weak_password_and_duplicate_email(self, client, world):
        data = dict(self.good, email="agent@test.fr", password1="12345678", password2="12345678")
        html = client.post(self.url, data).content.decode()
        assert fr("An account already uses this address. Log in or reset your password.") in html
        assert 'id="id_password1_error"' in html

    def test_registration_is_rate_limited(self, client, db, settings):
        settings.PUBLIC_FORM_RATE_PER_HOUR = 2
        for i in range(2):
            client.post(self.url, dict(self.good, email=f"r{i}@exemple.fr"))
            client.post(reverse("accounts:logout"))
        response = client.post(self.url, dict(self.good, email="r9@exemple.fr"))
        assert response.status_code == 429
        assert not User.objects.filter(email="r9@exemple.fr").exists()


class TestProfile:
    def test_profile_update_and_language(self, client_for):
        client = client_for("usager")
        response = client.post(
            "/compte/profil/",
            {"full_name": "Ulysse U.", "email": "usager@test.fr", "language": "en"},
        )
        assert response.status_code == 302
        assert response.cookies["django_language"].value == "en"
        assert User.objects.get(email="usager@test.fr").full_name == "Ulysse U."

    def test_profile_errors(self, client_for):
        client = client_for("usager")
        response = client.post(
            "/compte/profil/", {"full_name": "", "email": "agent@test.fr", "language": "fr"}
        )
        html = response.content.decode()
        assert response.status_code == 400
        assert 'id="id_full_name_error"' in html
        assert fr("Another account already uses this address.") in html

    def test_email_change_requires_new_verification(self, client_for):
        client = client_for("usager")
        client.post(
            "/compte/profil/", {"full_name": "U", "email": "neuf@test.fr", "language": "fr"}
        )
        user = User.objects.get(email="neuf@test.fr")
        assert user.email_verified_at is None
        assert OutboxEmail.objects.filter(to=["neuf@test.fr"]).exists()

    def test_gdpr_export_contains_everything_about_the_person(self, world, client_for):
        from cocon.api.models import ApiToken

        ApiToken.issue(user=world["manager"], scopes=["account:read"], name="script")
        response = client_for("manager").get("/compte/profil/export.json")
        assert response["Content-Disposition"].startswith("attachment")
        data = json.loads(response.content)
        assert data["account"]["email"] == "manager@test.fr"
        assert data["agent_profile"]["organization"] == "Agglo de Test"
        assert data["roles"][0]["role"] == "manager"
        assert data["roles"][0]["services"] == ["Eau"]
        assert data["api_tokens"][0]["name"] == "script"
        assert "key_digest" not in json.dumps(data)

    def test_account_deletion_needs_password_then_erases(self, world, client_for):
        client = client_for("manager")
        wrong = client.post("/compte/profil/supprimer/", {"password": "nope"})
        assert wrong.status_code == 400
        assert fr("This is not your password.") in wrong.content.decode()
        assert User.objects.filter(email="manager@test.fr").exists()
        done = client.post("/compte/profil/supprimer/", {"password": PASSWORD})
        assert done.status_code == 302
        assert not User.objects.filter(email="manager@test.fr").exists()
        from cocon.accounts.models import AgentProfile, Role

        assert not AgentProfile.objects.filter(user__email="manager@test.fr").exists()
        assert not Role.objects.filter(user__email="manager@test.fr").exists()
        assert client.get("/compte/profil/").status_code == 302


class TestPasswordReset:
    def test_full_reset_flow_through_the_outbox(
        self, client, world, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/compte/mot-de-passe/", {"email": "agent@test.fr"})
        assert response.status_code == 302
        email = OutboxEmail.objects.get()
        assert email.status == "sent"
        path = re.search(r"https?://[^/]+(/compte/mot-de-passe/\S+/\S+/)", email.body).group(1)
        form_page = client.get(path, follow=True)
        assert form_page.status_code == 200
        new = "nouveau-mot-de-passe-88"
        done = client.post(
            form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
        )
        assert done.status_code == 302
        assert User.objects.get(email="agent@test.fr").check_password(new)

    def test_unknown_address_gives_same_answer_and_sends_nothing(self, client, world):
        response = client.post("/compte/mot-de-passe/", {"email": "inconnu@test.fr"})
        assert response.status_code == 302
        assert not OutboxEmail.objects.exists()

    def test_reset_is_rate_limited_per_email(self, client, world):
        for _ in range(7):
            client.post("/compte/mot-de-passe/", {"email": "agent@test.fr"})
        assert OutboxEmail.objects.count() == 5

    def test_invalid_email_shows_error(self, client, db):
        html = client.post("/compte/mot-de-passe/", {"email": "pas-un-email"}).content.decode()
        assert 'id="id_email_error"' in html


class TestRoles:
    url = "/compte/organisations/agglo/roles/"

    @pytest.mark.parametrize("role", ["usager", "agent", "manager", "direction", "elu", "admin_b"])
    def test_only_admins(self, client_for, role):
        assert client_for(role).get(self.url).status_code == 403

    def test_admin_gives_a_manager_role_and_grants_follow(self, world, client_for):
        from cocon.core.permissions import can

        assert not can(world["agent"], "territory.edit_service", world.waste)
        response = client_for("admin").post(
            self.url, {"email": "AGENT@test.fr", "kind": "manager", "services": [world.waste.pk]}
        )
        assert response.status_code == 302
        agent = User.objects.get(email="agent@test.fr")
        assert can(agent, "territory.edit_service", world.waste)

    def test_errors_are_beside_fields_and_cross_org_scope_refused(self, world, client_for):
        client = client_for("admin")
        html = client.post(
            self.url, {"email": "nobody@test.fr", "kind": "manager"}
        ).content.decode()
        assert 'id="id_email_error"' in html and 'id="id_services_error"' in html
        response = client.post(
            self.url, {"email": "agent@test.fr", "kind": "manager", "services": [world.social_b.pk]}
        )
        assert response.status_code == 400  # a service of another organization
        from cocon.accounts.models import Role

        assert not Role.objects.filter(user=world["agent"]).exists()

    def test_end_a_role(self, world, client_for):
        from cocon.accounts.models import Role
        from cocon.core.permissions import can

        role = Role.objects.get(user=world["manager"], kind="manager")
        Role.objects.filter(pk=role.pk).update(starts_on="2020-01-01")
        client_for("admin").post(self.url, {"end": role.pk})
        role.refresh_from_db()
        assert role.ends_on is not None
        import datetime as dt

        from django.utils import timezone

        world["manager"].forget_grants()
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(timezone, "localdate", lambda: dt.date.today() + dt.timedelta(days=1))
            assert not can(world["manager"], "territory.edit_service", world.water)
