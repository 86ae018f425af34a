"""Open311 client keys: `cocon open311 key create|list|revoke` and the back-office page
(platform administrators and administrators of the host organization only; the key is
shown once; only its hash is stored)."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command

from cocon.api.models import digest
from cocon.reports.models import Open311Client
from cocon.territory.models import Territory

PAGE = "/espace/signalements/open311/"


def run(*args) -> str:
    out = io.StringIO()
    call_command("open311", *args, stdout=out)
    return out.getvalue()


# --- command ----------------------------------------------------------------------------------
def test_key_create_prints_a_key_that_works(world):
    raw = run("key", "create", "--name", "Appli de la ville").strip()
    assert len(raw) >= 30 and "\n" not in raw
    client = Open311Client.find(world.territory, raw)
    assert client is not None and client.name == "Appli de la ville"
    assert client.key_hash == digest(raw) and raw not in client.key_hash
    assert run("key", "create", "--name", "Autre", "--territory", "test").strip() != raw


def test_key_list_and_revoke(world):
    raw = run("key", "create", "--name", "Appli A").strip()
    run("key", "create", "--name", "Appli B")
    listing = run("key", "list")
    assert "Appli A" in listing and "Appli B" in listing and raw not in listing
    assert f"{raw[:8]}…" in listing and "active" in listing
    assert "Revoked: Appli A" in run("key", "revoke", f"--prefix={raw[:6]}")
    assert Open311Client.find(world.territory, raw) is None
    assert "revoked" in run("key", "list")
    with pytest.raises(CommandError, match="No active client key"):
        run("key", "revoke", f"--prefix={raw[:6]}")
    other = Open311Client.objects.get(name="Appli B")
    Open311Client.objects.filter(pk=other.pk).update(key_prefix="Xy7-abcd")
    assert "Appli B" in run("key", "revoke", str(other.pk))
    assert not Open311Client.objects.filter(is_active=True).exists()


def test_key_revoke_by_a_prefix_starting_with_a_hyphen(world):
    client, _raw = Open311Client.issue(territory=world.territory, name="Tiret")
    Open311Client.objects.filter(pk=client.pk).update(key_prefix="-Ab3cdef")
    assert "Tiret" in run("key", "revoke", "--prefix=-Ab3")
    with pytest.raises(CommandError, match="No active client key"):
        run("key", "revoke", "XYZW")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("key", "create", "--name", "  "), "cannot be empty"),
        (("key", "create", "--name", "x" * 121), "120"),
        (("key", "create", "--name", "A", "--territory", "nulle-part"), "No territory"),
        (("key", "revoke", "ab"), "at least 4"),
        (("key", "revoke"), "at least 4"),
    ],
)
def test_key_command_errors(world, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not Open311Client.objects.exists()


def test_key_create_needs_a_territory_choice_when_there_are_several(world):
    Territory.objects.create(name="Autre", slug="autre")
    with pytest.raises(CommandError, match="--territory"):
        run("key", "create", "--name", "A")
    run("key", "create", "--name", "A", "--territory", "autre")
    assert Open311Client.objects.get().territory.slug == "autre"


def test_cli_dispatches_the_command():
    """`cocon open311 …` is the management command (cocon.cli → Django's dispatch)."""
    import subprocess
    import sys
    from pathlib import Path

    cocon = Path(sys.executable).with_name("cocon")
    done = subprocess.run(
        [str(cocon), "open311", "key", "create", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "--name" in done.stdout and "--territory" in done.stdout


# --- back-office page -----------------------------------------------------------------------
@pytest.mark.parametrize("role", ["admin", "platform"])
def test_admins_create_list_and_revoke_keys(client_for, world, role):
    client = client_for(role)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "data-no-client" in page.content.decode()
    created = client.post(PAGE, {"action": "create", "name": "Appli de Montlise"})
    assert created.status_code == 200
    assert created["Cache-Control"] == "no-store"
    html = created.content.decode()
    raw = re.search(r'id="new-key" type="text" readonly value="([^"]+)"', html).group(1)
    client_row = Open311Client.find(world.territory, raw)
    assert client_row is not None and client_row.name == "Appli de Montlise"
    # listed, never shown again
    again = client.get(PAGE).content.decode()
    assert "Appli de Montlise" in again and raw not in again and raw[:8] in again
    revoked = client.post(PAGE, {"action": "revoke", "client": client_row.pk})
    assert revoked.status_code == 302
    assert Open311Client.find(world.territory, raw) is None
    assert "badge--closed" in client.get(PAGE).content.decode()


def test_key_page_errors(client_for, world):
    client = client_for("admin")
    empty = client.post(PAGE, {"action": "create", "name": "   "})
    assert empty.status_code == 400
    assert 'id="id_name_error"' in empty.content.decode()
    too_long = client.post(PAGE, {"action": "create", "name": "x" * 121})
    assert too_long.status_code == 400
    assert not Open311Client.objects.exists()
    missing = client.post(PAGE, {"action": "revoke", "client": "999"}, follow=True)
    assert missing.status_code == 200
    assert "message--error" in missing.content.decode()


@pytest.mark.parametrize("role", ["usager", "agent", "manager", "direction", "elu", "admin_b"])
def test_key_page_is_for_host_admins_only(client_for, world, role):
    _c, raw = Open311Client.issue(territory=world.territory, name="Appli")
    client = client_for(role)
    assert client.get(PAGE).status_code == 404
    assert client.post(PAGE, {"action": "create", "name": "Pirate"}).status_code == 404
    assert client.post(PAGE, {"action": "revoke", "client": _c.pk}).status_code == 404
    assert Open311Client.find(world.territory, raw) is not None
    assert Open311Client.objects.count() == 1


def test_key_page_needs_a_login(client, world):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/compte/connexion/" in response["Location"]


def test_key_page_query_count_does_not_grow(client_for, world, django_assert_max_num_queries):
    client = client_for("admin")
    client.get(PAGE)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(PAGE)
    for i in range(10):
        Open311Client.issue(territory=world.territory, name=f"Appli {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(PAGE).content.decode().count("data-client") == 10


def test_host_organization_page_links_to_the_keys_page(client_for, world):
    assert PAGE in client_for("admin").get("/organisations/agglo/").content.decode()
    # not from another organization's page, nor for people who cannot manage keys
    assert PAGE not in client_for("admin_b").get("/organisations/departement/").content.decode()
    assert PAGE not in client_for("manager").get("/organisations/agglo/").content.decode()
