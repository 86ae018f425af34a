"""Import of a polling firm's file: CSV and XLSX, row-by-row checks with line numbers,
all-or-nothing or valid rows only, file type and size, deleting an import."""

from __future__ import annotations

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from cocon.barometer import services_waves
from cocon.barometer.models import Response, ResponseImport, ResponseSource, WaveStatus
from cocon.core.models import StatusEvent
from tests.barometer.conftest import OUTSIDE_ROLES, VIEWING_ROLES
from tests.barometer.conftest_waves import *  # noqa: F403
from tests.barometer.conftest_waves import tr

HEADER = "respondent_id,wave,age_band,sex,commune,occupation,overall,gout,prix,accueil"
GOOD = [
    "1,2026,30-44,F,38601,employe,7,6,5,8",
    "2,2026,75+,M,Saint-Essai,,4,3,,2",  # commune by name, blanks = no answer
    "3,2026,15-29,homme,saint essai,Retraité,10,10,10,10",
]


def upload(text: str, name: str = "sondage.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def post(client, wave, file, **extra):
    return client.post(f"/espace/barometres/vagues/{wave.pk}/import/", {"file": file, **extra})


def test_a_valid_csv_is_imported(world, open_wave, client_for):
    response = post(client_for("manager"), open_wave, upload("\n".join([HEADER, *GOOD])))
    assert response.status_code == 302
    batch = ResponseImport.objects.get()
    assert (batch.rows_imported, batch.rows_rejected, batch.errors) == (3, 0, [])
    assert batch.imported_by == world["manager"] and batch.filename == "sondage.csv"
    rows = {r.overall: r for r in Response.objects.all()}
    assert all(r.source == ResponseSource.IMPORT and r.batch == batch for r in rows.values())
    assert rows[7].scores == {"gout": 6, "prix": 5, "accueil": 8}
    assert rows[7].commune == world.communes[0] and rows[7].occupation == "employe"
    assert rows[4].scores == {"gout": 3, "accueil": 2} and rows[4].occupation == ""
    assert rows[4].commune == world.communes[1] and rows[4].age_band == "75+"
    assert rows[10].sex == "M" and rows[10].occupation == "retraite"
    assert StatusEvent.objects.filter(action="barometer.responses_imported").exists()


BAD = [
    "4,2026,0-14,F,38601,,5,5,5,5",  # line 5: age band of children
    "5,2026,30-44,X,38601,,5,5,5,5",  # line 6: sex
    "6,2026,30-44,F,99999,,5,11,5,5",  # line 7: commune and score
    "7,2026,30-44,F,38601,pilote,5,5,7.5,abc",  # line 8: occupation, two scores
]


def test_any_invalid_row_means_nothing_is_imported(open_wave, client_for):
    response = post(client_for("manager"), open_wave, upload("\n".join([HEADER, *GOOD, *BAD])))
    assert response.status_code == 400
    assert Response.objects.count() == 0 and ResponseImport.objects.count() == 0
    problems = [(p.line, p.column) for p in response.context["problems"]]
    assert problems == [
        (5, "age_band"),
        (6, "sex"),
        (7, "commune"),
        (7, "gout"),
        (8, "occupation"),
        (8, "prix"),
        (8, "accueil"),
    ]
    html = response.content.decode()
    assert 'data-line="7"' in html and "99999" in html
    nothing = tr(
        "Nothing was imported: %(r)s of %(n)s rows are invalid (see the list below).", r=4, n=7
    )
    assert nothing in response.context["form"].errors["file"]


def test_valid_rows_only_when_asked(open_wave, client_for):
    text = "\n".join([HEADER, *GOOD, *BAD])
    response = post(client_for("manager"), open_wave, upload(text), valid_only="on")
    assert response.status_code == 302
    batch = ResponseImport.objects.get()
    assert (batch.rows_imported, batch.rows_rejected) == (3, 4)
    assert [(e["line"], e["column"]) for e in batch.errors][:3] == [
        (5, "age_band"),
        (6, "sex"),
        (7, "commune"),
    ]
    assert Response.objects.filter(batch=batch).count() == 3
    detail = client_for("manager").get(f"/espace/barometres/vagues/{open_wave.pk}/")
    assert "99999" in detail.content.decode()


def test_valid_only_with_no_valid_row_imports_nothing(open_wave, client_for):
    response = post(
        client_for("manager"), open_wave, upload("\n".join([HEADER, *BAD])), valid_only="on"
    )
    assert response.status_code == 400
    assert ResponseImport.objects.count() == 0


def test_semicolons_and_latin1(world, open_wave, client_for):
    text = HEADER.replace(",", ";") + "\n" + "1;2026;45-59;F;Villebourg;employé;8;7;6;5\n"
    file = SimpleUploadedFile("export.csv", text.encode("latin-1"))
    assert post(client_for("manager"), open_wave, file).status_code == 302
    assert Response.objects.get().occupation == "employe"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("age_band,sex,commune,gout,prix,accueil", "overall"),  # missing column
        ("age_band,sex,commune,overall,gout,prix", "accueil"),  # criterion of the wave missing
        (HEADER + ",gout2", "gout2"),  # typo in a criterion code
        ("age_band,sex,commune,overall,gout,prix,accueil,gout", "« gout »"),
    ],
)
def test_header_problems(header, expected, open_wave, client_for):
    response = post(client_for("manager"), open_wave, upload(header + "\n" + "x" * 3))
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors["file"])
    assert expected in errors
    assert Response.objects.count() == 0


def test_xlsx_import(world, open_wave, client_for):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    sheet.append([1, "2026", "30-44", "F", 38601, "cadre", 9, 8.0, 7, None])
    sheet.append([2, "2026", "60-74", "M", "Saint-Essai", None, 3, 2, 1, 0])
    buffer = io.BytesIO()
    workbook.save(buffer)
    file = SimpleUploadedFile("sondage.xlsx", buffer.getvalue())
    response = post(client_for("manager"), open_wave, file)
    assert response.status_code == 302
    rows = {r.overall: r for r in Response.objects.all()}
    assert rows[9].scores == {"gout": 8, "prix": 7} and rows[9].commune == world.communes[0]
    assert rows[3].scores == {"gout": 2, "prix": 1, "accueil": 0}


def test_xlsx_errors_have_line_numbers(open_wave, client_for):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    sheet.append([1, "2026", "30-44", "F", 38601, "", 9, 8, 7, 6])
    sheet.append([2, "2026", "30-44", "F", 38601, "", 12, 8, 7, 6])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = post(
        client_for("manager"), open_wave, SimpleUploadedFile("s.xlsx", buffer.getvalue())
    )
    assert [(p.line, p.column) for p in response.context["problems"]] == [(3, "overall")]


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.csv"),
        (b"PK\x03\x04not really a workbook", "fake.xlsx"),
        (b"", "empty.csv"),
        (b"%PDF-1.4\x00\x01", "report.pdf"),
    ],
)
def test_wrong_file_types_are_refused_clearly(content, name, open_wave, client_for):
    response = post(client_for("manager"), open_wave, SimpleUploadedFile(name, content))
    assert response.status_code == 400
    assert response.context["form"].errors["file"]
    assert Response.objects.count() == 0


def test_header_only(open_wave, client_for):
    response = post(client_for("manager"), open_wave, upload(HEADER + "\n\n"))
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [tr("The file has a header but no data row.")]


def test_size_limit(open_wave, client_for, monkeypatch):
    monkeypatch.setattr(services_waves, "MAX_IMPORT_BYTES", 100)
    monkeypatch.setattr("cocon.barometer.forms_waves.MAX_IMPORT_BYTES", 100)
    response = post(client_for("manager"), open_wave, upload("\n".join([HEADER, *GOOD])))
    assert response.status_code == 400
    size = len("\n".join([HEADER, *GOOD])) // 1024
    too_large = tr("The file is too large (%(size)s KB, %(max)s KB at most).", size=size, max=0)
    assert response.context["form"].errors["file"] == [too_large]
    assert Response.objects.count() == 0


def test_five_thousand_rows_in_a_few_seconds(open_wave, client_for):
    bands, communes = ("15-29", "45-59", "75+"), ("38601", "Saint-Essai")
    lines = [HEADER] + [
        f"{i},2026,{bands[i % 3]},{'FM'[i % 2]},{communes[i % 2]},"
        f",{i % 11},{(i * 3) % 11},{(i * 7) % 11},"
        for i in range(5000)
    ]
    client = client_for("manager")
    start = time.perf_counter()
    response = post(client, open_wave, upload("\n".join(lines)))
    elapsed = time.perf_counter() - start
    assert response.status_code == 302
    assert Response.objects.filter(wave=open_wave).count() == 5000
    assert elapsed < 5, f"{elapsed:.1f} s"


def test_published_wave_refuses_imports_and_deletions(world, open_wave, client_for):
    client = client_for("manager")
    assert post(client, open_wave, upload("\n".join([HEADER, *GOOD]))).status_code == 302
    batch = ResponseImport.objects.get()
    open_wave.status = WaveStatus.PUBLISHED
    open_wave.save()
    response = post(client, open_wave, upload("\n".join([HEADER, *GOOD])))
    published = tr("The results of this wave are published: unpublish it first.", html=True)
    assert response.status_code == 400 and published in response.content.decode()
    client.post(f"/espace/barometres/imports/{batch.pk}/supprimer/")
    assert Response.objects.count() == 3 and ResponseImport.objects.count() == 1


def test_delete_an_import_and_only_its_responses(world, open_wave, client_for):
    client = client_for("manager")
    post(client, open_wave, upload("\n".join([HEADER, *GOOD])))
    post(client, open_wave, upload("\n".join([HEADER, GOOD[0]]), name="second.csv"))
    Response.objects.create(
        wave=open_wave,
        source=ResponseSource.OPEN_LINK,
        age_band="30-44",
        sex="F",
        commune=world.communes[0],
    )
    first = ResponseImport.objects.get(filename="sondage.csv")
    response = client.post(f"/espace/barometres/imports/{first.pk}/supprimer/")
    assert response.status_code == 302
    assert not ResponseImport.objects.filter(pk=first.pk).exists()
    assert Response.objects.filter(source=ResponseSource.IMPORT).count() == 1
    assert Response.objects.filter(source=ResponseSource.OPEN_LINK).count() == 1
    assert StatusEvent.objects.filter(action="barometer.import_deleted").exists()


@pytest.mark.parametrize("role", VIEWING_ROLES)
def test_viewers_cannot_import_or_delete(role, world, open_wave, client_for):
    post(client_for("manager"), open_wave, upload("\n".join([HEADER, *GOOD])))
    batch = ResponseImport.objects.get()
    client = client_for(role)
    assert post(client, open_wave, upload("\n".join([HEADER, *GOOD]))).status_code == 403
    assert client.post(f"/espace/barometres/imports/{batch.pk}/supprimer/").status_code == 403
    assert Response.objects.count() == 3


@pytest.mark.parametrize("role", OUTSIDE_ROLES)
def test_outsiders_cannot_import_or_delete(role, world, open_wave, client_for):
    post(client_for("manager"), open_wave, upload("\n".join([HEADER, *GOOD])))
    batch = ResponseImport.objects.get()
    client = client_for(role)
    assert post(client, open_wave, upload("\n".join([HEADER, *GOOD]))).status_code == 404
    assert client.post(f"/espace/barometres/imports/{batch.pk}/supprimer/").status_code == 404
    assert Response.objects.count() == 3
