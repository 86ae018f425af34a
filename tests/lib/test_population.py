import pytest

from cocon.lib.population import CsvFileError, is_insee_code, parse_margin_rows, read_csv_text

KNOWN = {"38601", "38602"}


def row(insee="38601", band="0-14", sex="F", population="10"):
    return {"commune_insee": insee, "age_band": band, "sex": sex, "population": population}


@pytest.mark.parametrize(
    "code,ok",
    [
        ("38185", True),
        ("2A004", True),
        ("2B033", True),
        ("3818", False),
        ("AB123", False),
        ("381850", False),
    ],
)
def test_insee_codes(code, ok):
    assert is_insee_code(code) is ok


def test_valid_rows_are_parsed_with_aliases():
    parsed = parse_margin_rows([row(), row(sex="homme", population="1 234")], KNOWN)
    assert parsed.ok
    assert [(r.sex, r.population) for r in parsed.rows] == [("F", 10), ("M", 1234)]


def test_every_error_is_reported_with_its_line():
    rows = [
        row(),
        row(insee="99999"),
        row(band="12-20"),
        row(sex="X"),
        row(population="-3"),
        row(insee="38A01"),
        row(),
    ]
    parsed = parse_margin_rows(rows, KNOWN)
    got = [(e.line, e.column, e.code) for e in parsed.errors]
    assert got == [
        (3, "commune_insee", "unknown_commune"),
        (4, "age_band", "bad_age_band"),
        (5, "sex", "bad_sex"),
        (6, "population", "bad_population"),
        (7, "commune_insee", "bad_insee"),
        (8, "commune_insee", "duplicate"),
    ]
    assert parsed.errors[-1].params["first_line"] == 2


def test_csv_reading_semicolon_and_bom():
    data = "\ufeffcommune_insee;age_band;sex;population\n38601;0-14;F;12\n".encode()
    assert read_csv_text(data) == [row(population="12")]


def test_csv_reading_latin1():
    data = "commune_insee,age_band,sex,population\n38601,75+,Femme,3\n".encode("latin-1")
    assert read_csv_text(data)[0]["sex"] == "Femme"


def test_csv_missing_columns():
    with pytest.raises(CsvFileError) as exc:
        read_csv_text(b"insee,band\n1,2\n")
    assert exc.value.code == "missing_columns"
    assert "commune_insee" in exc.value.params["missing"]


def test_csv_empty():
    with pytest.raises(CsvFileError) as exc:
        read_csv_text(b"   \n")
    assert exc.value.code == "empty"


def test_pure_modules_do_not_import_django():
    import ast
    from pathlib import Path

    lib = Path(__file__).parents[2] / "cocon" / "lib"
    for path in lib.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n.split(".")[0] == "django" for n in names), path
