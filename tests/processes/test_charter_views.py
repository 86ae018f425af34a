"""Charter pages: public page and signing, withdrawal, edit/revise/publish, versions,
diff; permissions for every role; constant query count; public section."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from cocon.accounts.models import User
from cocon.processes import selectors_charter
from cocon.processes import services_charter as services
from cocon.processes.models.charter import Charter, CharterVersion, Signature
from tests.conftest import ROLES, fr

TEXT = (
    "Les habitants s'engagent à respecter le parc.\n\n"
    "Les services s'engagent à informer les habitants chaque année.\n\n"
    "Les associations animent une balade par saison."
)
SLUG = "parc-des-berges"
MANAGERS = {"animateur", "admin", "platform"}
ALL = [*ROLES, "platform", "agent_b", "admin_b"]


@pytest.fixture
def charter(pworld) -> Charter:
    charter = services.charter_create(
        pworld.process, actor=pworld["animateur"], title="Charte du Parc des Berges", text=TEXT
    )
    services.charter_publish_version(charter.versions.get(), actor=pworld["animateur"])
    return charter


def _url(name, *args):
    return reverse(f"processes:{name}", args=[SLUG, *args])


def _revise(charter, pworld, text):
    v2 = services.charter_revise(charter, actor=pworld["animateur"], text=text, note="Trimestre")
    services.charter_publish_version(v2, actor=pworld["animateur"])
    return v2


# --- public page -------------------------------------------------------------------------
@pytest.mark.parametrize("role", ALL)
def test_every_role_reads_the_public_charter(client_for, charter, role):
    response = client_for(role).get(_url("charter"))
    assert response.status_code == 200
    assert "respecter le parc" in response.content.decode()
    assert 'action="' + _url("charter_sign") + '"' in response.content.decode()


def test_anonymous_reads_but_is_asked_to_log_in(client, charter):
    response = client.get(_url("charter"))
    assert response.status_code == 200
    body = response.content.decode()
    assert reverse("accounts:login") in body and _url("charter_sign") not in body
    assert client.post(_url("charter_sign"), {"signer_kind": "inhabitant"}).status_code == 403
    assert not Signature.objects.exists()


def test_no_published_charter_is_404_for_the_public_and_leads_managers_to_edit(client_for, pworld):
    services.charter_create(pworld.process, actor=pworld["animateur"], title="C", text=TEXT)
    assert client_for("usager").get(_url("charter")).status_code == 404
    response = client_for("animateur").get(_url("charter"))
    assert response.status_code == 302 and response["Location"] == _url("charter_edit")


def test_unpublished_process_charter_is_hidden(client_for, charter, pworld):
    pworld.process.published_at = None
    pworld.process.save()
    for role in ("usager", "agent", "agent_b", "admin_b", "elu"):
        assert client_for(role).get(_url("charter")).status_code == 404
    assert client_for("animateur").get(_url("charter")).status_code == 200


def test_sign_then_sign_again_shows_the_french_message(client_for, charter, pworld):
    client = client_for("usager")
    data = {"signer_kind": "inhabitant", "name": "Ulysse U."}
    response = client.post(_url("charter_sign"), data)
    assert response.status_code == 302
    signature = Signature.objects.get()
    assert signature.name == "Ulysse U." and signature.user == pworld["usager"]
    response = client.post(_url("charter_sign"), data, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    assert "Vous avez déjà signé cette version de la charte le" in response.content.decode()
    assert Signature.objects.count() == 1
    page = client.get(_url("charter")).content.decode()
    assert "Ulysse U." in page and _url("charter_withdraw", signature.pk) in page


def test_bad_sign_form_is_400(client_for, charter):
    response = client_for("usager").post(_url("charter_sign"), {"signer_kind": "king"})
    assert response.status_code == 400
    assert not Signature.objects.exists()


def test_organization_select_only_for_admins_and_forged_organization_refused(
    client_for, charter, pworld
):
    page = client_for("usager").get(_url("charter")).content.decode()
    assert 'name="organization"' not in page
    page = client_for("admin_b").get(_url("charter")).content.decode()
    assert 'name="organization"' in page and pworld.world.org_b.name in page
    # admin_b cannot sign for org_a by forging the value
    response = client_for("admin_b").post(
        _url("charter_sign"),
        {"signer_kind": "organization", "organization": pworld.world.org_a.pk},
    )
    assert response.status_code == 400
    assert not Signature.objects.exists()
    response = client_for("admin_b").post(
        _url("charter_sign"),
        {"signer_kind": "organization", "organization": pworld.world.org_b.pk, "name": ""},
    )
    assert response.status_code == 302
    assert Signature.objects.get().name == pworld.world.org_b.name


def test_withdraw_own_signature_only(client_for, charter, pworld):
    signature = services.charter_sign(
        charter.versions.get(), user=pworld["usager"], signer_kind="inhabitant", name="U"
    )
    url = _url("charter_withdraw", signature.pk)
    assert client_for("agent").post(url, {"reason": "x"}).status_code == 404
    assert client_for("animateur").post(url, {"reason": "x"}).status_code == 404
    signature.refresh_from_db()
    assert signature.withdrawn_at is None
    response = client_for("usager").post(url, {"reason": "Je déménage"})
    assert response.status_code == 302
    signature.refresh_from_db()
    assert signature.withdrawn_at is not None
    page = client_for("usager").get(_url("charter")).content.decode()
    assert "Je déménage" in page and "data-withdrawn" in page


def test_withdraw_reason_too_long_is_400(client_for, charter, pworld):
    signature = services.charter_sign(
        charter.versions.get(), user=pworld["usager"], signer_kind="inhabitant", name="U"
    )
    response = client_for("usager").post(
        _url("charter_withdraw", signature.pk), {"reason": "x" * 501}
    )
    assert response.status_code == 400
    signature.refresh_from_db()
    assert signature.withdrawn_at is None


# --- staff pages -------------------------------------------------------------------------
@pytest.mark.parametrize("role", ALL)
def test_edit_page_permissions(client_for, charter, role):
    status = client_for(role).get(_url("charter_edit")).status_code
    assert status == (200 if role in MANAGERS else 403)


def test_edit_page_anonymous_refused(client, charter):
    assert client.get(_url("charter_edit")).status_code == 403
    assert client.post(_url("charter_publish", 1)).status_code == 403


def test_create_revise_publish_through_the_pages(client_for, pworld):
    client = client_for("animateur")
    response = client.post(
        _url("charter_edit"), {"title": "", "text": "", "revision_every_months": 24}
    )
    assert response.status_code == 400 and not Charter.objects.exists()
    response = client.post(
        _url("charter_edit"),
        {"title": "", "text": "", "revision_every_months": 24},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert fr("Give the charter a title.") in response.content.decode()
    response = client.post(
        _url("charter_edit"), {"title": "Charte", "text": TEXT, "revision_every_months": 12}
    )
    assert response.status_code == 302
    charter = Charter.objects.get()
    assert charter.revision_every_months == 12
    assert client.post(_url("charter_publish", 1)).status_code == 302
    assert charter.versions.get().published_at is not None
    # revise: same text refused with 400, then a real change
    response = client.post(_url("charter_edit"), {"action": "revise", "text": TEXT, "note": ""})
    assert response.status_code == 400
    response = client.post(
        _url("charter_edit"),
        {"action": "revise", "text": TEXT.replace("année", "trimestre"), "note": "Plus souvent"},
    )
    assert response.status_code == 302
    draft = charter.versions.get(number=2)
    assert draft.published_at is None
    # a draft is not public
    assert client_for("usager").get(_url("charter_version", 2)).status_code == 404
    client = client_for("animateur")
    assert client.get(_url("charter_version", 2)).status_code == 200
    assert client.post(_url("charter_publish", 2)).status_code == 302
    draft.refresh_from_db()
    assert draft.published_at is not None
    response = client.post(
        _url("charter_edit"),
        {"action": "settings", "title": "Charte", "revision_every_months": 500},
    )
    assert response.status_code == 400


def test_publish_forbidden_for_non_managers(client_for, pworld):
    charter = services.charter_create(
        pworld.process, actor=pworld["animateur"], title="C", text=TEXT
    )
    for role in ("usager", "agent", "elu", "manager", "admin_b"):
        assert client_for(role).post(_url("charter_publish", 1)).status_code == 403
    assert charter.versions.get().published_at is None


# --- versions and diff -------------------------------------------------------------------
def test_version_page_and_diff_page(client_for, charter, pworld):
    services.charter_sign(
        charter.versions.get(), user=pworld["usager"], signer_kind="inhabitant", name="Ulysse"
    )
    _revise(
        charter, pworld, TEXT.replace("chaque année", "chaque trimestre") + "\n\nNouvel article."
    )
    client = client_for("usager")
    response = client.get(_url("charter_version", 1))
    assert response.status_code == 200 and "Ulysse" in response.content.decode()
    response = client.get(_url("charter_diff", 1, 2), HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<del>" in body and "année" in body and "<ins>" in body and "trimestre" in body
    assert "2 paragraphes modifiés" in body
    assert fr("added text") in body and fr("removed text") in body
    page = client.get(_url("charter"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "à renouveler" in page and _url("charter_diff", 1, 2) in page
    assert client.get(_url("charter_diff", 1, 9)).status_code == 404


def test_charter_page_query_count_is_constant(
    client_for, charter, pworld, django_assert_max_num_queries
):
    version = charter.versions.get()
    client = client_for("usager")
    client.get(_url("charter"))  # warm caches (territory, grants)

    def add(n, start):
        users = User.objects.bulk_create(
            [User(email=f"s{i}@test.fr", full_name=f"S {i}") for i in range(start, start + n)]
        )
        Signature.objects.bulk_create(
            [
                Signature(version=version, signer_kind="inhabitant", name=u.full_name, user=u)
                for u in users
            ]
        )

    add(5, 0)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(_url("charter")).status_code == 200
    add(195, 5)
    with django_assert_max_num_queries(len(few)):
        response = client.get(_url("charter"))
    assert response.content.decode().count("data-signature=") == 200


# --- public section ----------------------------------------------------------------------
def test_public_section(charter, pworld, django_assert_max_num_queries):
    services.charter_sign(
        charter.versions.get(), user=pworld["usager"], signer_kind="inhabitant", name="U"
    )
    with django_assert_max_num_queries(2):
        section = selectors_charter.public_section(pworld.process, pworld["usager"])
    assert section["charter_version"].number == 1
    assert section["charter_total"] == 1
    assert [(k, n) for k, _label, n in section["charter_counts"]] == [
        ("inhabitant", 1),
        ("association", 0),
        ("organization", 0),
    ]
    assert section["charter_url"] == _url("charter")
    from django.template.loader import render_to_string

    html = render_to_string("processes/charter/_public.html", section)
    assert _url("charter") in html


def test_public_section_empty_without_published_version(pworld):
    assert selectors_charter.public_section(pworld.process, None) == {}
    services.charter_create(pworld.process, actor=pworld["animateur"], title="C", text=TEXT)
    assert selectors_charter.public_section(pworld.process, None) == {}
    assert CharterVersion.objects.count() == 1
    assert timezone.now()


@pytest.mark.parametrize("role", ALL)
def test_every_account_may_sign_a_public_charter(client_for, charter, pworld, role):
    response = client_for(role).post(
        _url("charter_sign"), {"signer_kind": "inhabitant", "name": "Moi"}
    )
    assert response.status_code == 302
    assert Signature.objects.get().user == pworld[role]


def test_private_process_charter_for_involved_organizations_only(client_for, charter, pworld):
    pworld.process.is_public = False
    pworld.process.save()
    # an inhabitant without a role sees nothing; the élus and agents of the
    # organizations involved see it
    assert client_for("usager").get(_url("charter")).status_code == 404
    assert client_for("usager").post(_url("charter_sign"), {}).status_code == 404
    for role in ("agent", "elu", "agent_b", "admin_b", "animateur"):
        assert client_for(role).get(_url("charter")).status_code == 200
    assert not Signature.objects.exists()
