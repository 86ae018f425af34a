import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from cocon.territory.models import Organization, PopulationMargin, Share, ShareScope
from tests.conftest import fr

pytestmark = pytest.mark.django_db


def test_public_pages(client, world):
    for url in [
        "/",
        "/territoire/",
        "/territoire/communes/38601/",
        "/organisations/",
        world.org_a.get_absolute_url(),
        world.water.get_absolute_url(),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
    home = client.get("/").content.decode()
    assert "Agglo de Test" in home and "Département de Test" in home


def test_unknown_pages_are_styled_404(client, world):
    for url in [
        "/nulle-part/",
        "/organisations/inconnue/",
        "/territoire/communes/99999/",
        "/organisations/agglo/services/inconnu/",
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "skip-link" in response.content.decode()


def test_internal_service_is_hidden_from_public_and_other_organizations(client, world, client_for):
    url = world.hr.get_absolute_url()
    assert client.get(url).status_code == 404
    assert "Ressources humaines" not in client.get(world.org_a.get_absolute_url()).content.decode()
    assert client_for("agent_b").get(url).status_code == 404
    assert client_for("agent").get(url).status_code == 200


def test_internal_contact_shown_only_to_insiders(client, world, client_for):
    url = world.water.get_absolute_url()
    assert "1234" not in client.get(url).content.decode()
    assert "1234" not in client_for("agent_b").get(url).content.decode()
    assert "1234" in client_for("agent").get(url).content.decode()


def test_team_page_isolation_and_share(world, client_for):
    url = reverse("territory:team", args=["agglo"])
    assert client_for("agent").get(url).status_code == 200
    client = client_for("agent_b")
    assert client.get(url).status_code == 403
    Share.objects.create(owner=world.org_a, partner=world.org_b, scope=ShareScope.DIRECTORY)
    response = client.get(url)
    assert response.status_code == 200
    assert "Manager" in response.content.decode()


def test_team_page_requires_login(client, world):
    response = client.get(reverse("territory:team", args=["agglo"]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


class TestOrganizationSettings:
    url = "/organisations/agglo/reglages/"

    def post(self, client, **changes):
        data = {
            "name": "Agglo de Test",
            "short_name": "",
            "description": "",
            "website": "",
            "email": "",
            "phone": "",
            "address": "",
            "primary_color": "#1f4e79",
            "accent_color": "#e8f0f7",
        }
        data.update(changes)
        return client.post(self.url, data)

    @pytest.mark.parametrize("role", ["agent", "manager", "direction", "elu", "admin_b"])
    def test_forbidden_for_non_admins(self, world, client_for, role):
        assert client_for(role).get(self.url).status_code == 403

    def test_low_contrast_is_refused_in_french_and_nothing_saved(self, world, client_for):
        response = self.post(client_for("admin"), primary_color="#ffff00", name="Nouveau nom")
        assert response.status_code == 200
        html = response.content.decode()
        message = fr(
            "Insufficient contrast between the main colour %(primary)s and white: "
            "%(ratio)s:1, at least 4.5:1 is required (WCAG AA). Choose a darker shade."
        )
        assert message.split("%(")[0] in html  # French first
        assert "#ffff00" in html and "1,07:1" in html  # names the colour and the ratio
        assert 'id="id_primary_color_error"' in html
        assert 'aria-invalid="true"' in html
        assert "error-summary" in html
        org = Organization.objects.get(slug="agglo")
        assert (org.primary_color, org.name) == ("#1f4e79", "Agglo de Test")

    def test_good_colours_are_saved_and_theme_served(self, world, client, client_for):
        response = self.post(client_for("admin"), primary_color="#7A1F1F", accent_color="#FBEFEF")
        assert response.status_code == 302
        css = client.get("/theme/agglo.css")
        assert css["Content-Type"].startswith("text/css")
        assert b"--c-primary:#7a1f1f" in css.content

    def test_svg_logo_is_refused(self, world, client_for):
        from django.core.files.uploadedfile import SimpleUploadedFile

        logo = SimpleUploadedFile("logo.svg", b"<svg onload='alert(1)'/>", "image/svg+xml")
        client = client_for("admin")
        data = {
            "name": "Agglo de Test",
            "primary_color": "#1f4e79",
            "accent_color": "#e8f0f7",
            "logo": logo,
        }
        response = client.post(self.url, data)
        assert response.status_code == 200
        assert not Organization.objects.get(slug="agglo").logo

    def test_png_logo_is_accepted(self, world, client_for, settings, tmp_path):
        from django.core.files.uploadedfile import SimpleUploadedFile
        from PIL import Image

        settings.MEDIA_ROOT = tmp_path
        buffer = io.BytesIO()
        Image.new("RGB", (40, 20), "#1f4e79").save(buffer, "PNG")
        logo = SimpleUploadedFile("logo.png", buffer.getvalue(), "image/png")
        data = {
            "name": "Agglo de Test",
            "primary_color": "#1f4e79",
            "accent_color": "#e8f0f7",
            "logo": logo,
        }
        assert client_for("admin").post(self.url, data).status_code == 302
        assert Organization.objects.get(slug="agglo").logo.name.startswith("logos/")


class TestShares:
    url = "/organisations/agglo/partages/"

    def test_admin_creates_and_removes_a_share(self, world, client_for):
        client = client_for("admin")
        response = client.post(self.url, {"partner": world.org_b.pk, "scope": "directory"})
        assert response.status_code == 302
        share = Share.objects.get(owner=world.org_a, partner=world.org_b)
        again = client.post(self.url, {"partner": world.org_b.pk, "scope": "directory"})
        assert again.status_code == 200
        assert fr("This share already exists.") in again.content.decode()
        delete = client.post(f"{self.url}{share.pk}/supprimer/")
        assert delete.status_code == 302
        assert not Share.objects.exists()

    def test_admin_of_b_cannot_touch_a_shares(self, world, client_for):
        share = Share.objects.create(owner=world.org_a, partner=world.org_b, scope="services")
        client = client_for("admin_b")
        assert client.get(self.url).status_code == 403
        assert client.post(f"{self.url}{share.pk}/supprimer/").status_code == 403
        assert Share.objects.filter(pk=share.pk).exists()


CSV_OK = "commune_insee,age_band,sex,population\n" + "".join(
    f"38601,{band},{sex},{n}\n"
    for n, (band, sex) in enumerate(
        [(b, s) for b in ("0-14", "15-29", "30-44", "45-59", "60-74", "75+") for s in "FM"], 1
    )
)


class TestMarginsImport:
    url = "/territoire/marges/importer/"

    def upload(self, client, text: str):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return client.post(self.url, {"file": SimpleUploadedFile("m.csv", text.encode())})

    def test_web_import_replaces_margins(self, world, client_for):
        response = self.upload(client_for("admin"), CSV_OK)
        assert response.status_code == 302
        margins = PopulationMargin.objects.filter(commune__insee_code="38601")
        assert sorted(margins.values_list("population", flat=True)) == list(range(1, 13))
        # the other commune is untouched
        assert PopulationMargin.objects.filter(commune__insee_code="38602").count() == 12

    def test_bad_row_rejects_everything_with_line_numbers(self, world, client_for):
        before = list(PopulationMargin.objects.order_by("pk").values_list("pk", "population"))
        bad = CSV_OK + "38601,99+,F,3\n38609,0-14,F,1\n"
        response = self.upload(client_for("admin"), bad)
        html = response.content.decode()
        assert response.status_code == 200
        assert (
            fr("The file was rejected: %(count)s error(s). Nothing was imported.", count=2) in html
        )
        assert '<td class="num">14</td>' in html and '<td class="num">15</td>' in html
        after = list(PopulationMargin.objects.order_by("pk").values_list("pk", "population"))
        assert after == before

    @pytest.mark.parametrize("role", ["agent", "animateur", "admin_b", "usager"])
    def test_forbidden(self, world, client_for, role):
        assert client_for(role).get(self.url).status_code == 403

    def test_cli_import(self, world, tmp_path):
        path = tmp_path / "m.csv"
        path.write_text(CSV_OK)
        out = io.StringIO()
        call_command("territory", "import-margins", str(path), stdout=out)
        assert "12 rows imported for 1 communes" in out.getvalue()

    def test_cli_rejects_bad_file_and_writes_nothing(self, world, tmp_path):
        path = tmp_path / "m.csv"
        path.write_text(CSV_OK.replace("38601,75+,M,12", "38601,75+,M,douze"))
        err = io.StringIO()
        before = PopulationMargin.objects.filter(commune__insee_code="38601").count()
        with pytest.raises(CommandError, match="nothing was imported"):
            call_command("territory", "import-margins", str(path), stderr=err)
        assert ":13:" in err.getvalue()
        assert PopulationMargin.objects.filter(commune__insee_code="38601").count() == before
        assert set(
            PopulationMargin.objects.filter(commune__insee_code="38601").values_list(
                "population", flat=True
            )
        ) == {83}

    def test_cli_missing_file(self, world, tmp_path):
        with pytest.raises(CommandError, match="Cannot read"):
            call_command("territory", "import-margins", str(tmp_path / "absent.csv"))


def test_list_pages_do_not_grow_queries_with_data(client, world, django_assert_max_num_queries):
    from cocon.territory.models import Organization, Service

    def add_orgs(count, start):
        for i in range(start, start + count):
            org = Organization.objects.create(
                territory=world.territory, kind="commune", name=f"Commune {i}", slug=f"c{i}"
            )
            for j in range(3):
                Service.objects.create(organization=org, name=f"S{j}", slug=f"s{j}")

    add_orgs(3, 0)
    urls = ["/", "/organisations/", "/territoire/", world.org_a.get_absolute_url()]
    baseline = {}
    for url in urls:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        baseline[url] = len(ctx)
    add_orgs(30, 100)
    for url in urls:
        with django_assert_max_num_queries(baseline[url]):
            client.get(url)
    assert max(baseline.values()) <= 12


def test_refused_colours_are_not_shown_as_current(world, client_for):
    client = client_for("admin")
    html = client.post(
        "/organisations/agglo/reglages/",
        {"name": "Agglo de Test", "primary_color": "#ffff00", "accent_color": "#e8f0f7"},
    ).content.decode()
    current = html.split("swatch--primary")[1][:80]
    assert "#1f4e79" in current and "#ffff00" not in current


def test_theme_url_changes_on_every_save(world):
    org = world.org_a
    before = org.theme_version
    org.primary_color = "#7a1f1f"
    org.save()
    assert org.theme_version != before
