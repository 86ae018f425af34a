"""Reading and validating the barometer's R.csv and M.csv (cocon.lib.survey_io)."""

from __future__ import annotations

import numpy as np
import pytest

from cocon.lib.survey_io import (
    MAX_ERRORS,
    SurveyInputError,
    read_margins,
    read_responses,
    read_survey,
)

MARGINS = """variable,category,population
age,18-34,100
age,35+,200
sex,F,160
sex,M,140
"""

RESPONSES = """respondent_id,wave,age,sex,overall,taste,price
r1,2023,18-34,F,7,8,
r2,2023,35+,M,5,,3.5
r3,2024, 18-34 ,M,9,10,9
"""


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def errors_of(exc_info) -> list[tuple[int, str, str]]:
    return [(e.line, e.column, e.code) for e in exc_info.value.errors]


def test_valid_files_give_arrays_and_margins(tmp_path):
    data, margins = read_survey(
        write(tmp_path, "R.csv", RESPONSES), write(tmp_path, "M.csv", MARGINS)
    )
    assert margins == {"age": {"18-34": 100.0, "35+": 200.0}, "sex": {"F": 160.0, "M": 140.0}}
    assert data.wave.tolist() == ["2023", "2023", "2024"]
    assert data.margins["age"].tolist() == ["18-34", "35+", "18-34"]  # spaces stripped
    assert data.margins["sex"].tolist() == ["F", "M", "M"]
    assert data.overall.tolist() == [7.0, 5.0, 9.0]
    assert list(data.criteria) == ["taste", "price"]  # respondent_id is not a criterion
    np.testing.assert_array_equal(data.criteria["taste"], [8.0, np.nan, 10.0])
    np.testing.assert_array_equal(data.criteria["price"], [np.nan, 3.5, 9.0])


def test_semicolons_decimal_comma_bom_and_latin1(tmp_path):
    responses = RESPONSES.replace(",", ";").replace("3.5", "3,5").replace("r3", "r3é")
    margins = MARGINS.replace(",", ";").replace("100", "100,5")
    data, m = read_survey(
        write(tmp_path, "R.csv", responses, "latin-1"),
        write(tmp_path, "M.csv", "\ufeff" + margins),
    )
    assert m["age"]["18-34"] == 100.5
    assert data.criteria["price"][1] == 3.5
    assert data.wave.tolist() == ["2023", "2023", "2024"]


def test_trailing_empty_lines_are_ignored(tmp_path):
    data, _ = read_survey(
        write(tmp_path, "R.csv", RESPONSES + "\n,,,,,,\n\n"),
        write(tmp_path, "M.csv", MARGINS + "\n\n"),
    )
    assert len(data.wave) == 3


def test_row_errors_name_line_and_column(tmp_path):
    bad = RESPONSES + (
        "r4,,18-34,F,7,8,1\n"  # line 5: no wave
        "r5,2024,50+,X,7,8,1\n"  # line 6: two unknown categories
        "r6,2024,35+,F,11,abc,-1\n"  # line 7: three bad scores
        "\n"  # line 8: empty line in the middle
        "r7,2024,35+,,nan,10.5,inf\n"  # line 9: no sex, three bad scores
        "r8,2024,35+,F,7,8,1\n"
    )
    with pytest.raises(SurveyInputError) as exc_info:
        read_responses(
            write(tmp_path, "R.csv", bad), read_margins(write(tmp_path, "M.csv", MARGINS))
        )
    assert errors_of(exc_info) == [
        (5, "wave", "empty_wave"),
        (6, "age", "unknown_category"),
        (6, "sex", "unknown_category"),
        (7, "overall", "out_of_range"),
        (7, "taste", "not_a_number"),
        (7, "price", "out_of_range"),
        (8, "", "empty_line"),
        (9, "sex", "empty_category"),
        (9, "overall", "out_of_range"),
        (9, "taste", "out_of_range"),
        (9, "price", "out_of_range"),
    ]
    message = str(exc_info.value)
    assert "R.csv: line 6, column 'age': category '50+' of 'age' is not in the margins" in message
    assert "R.csv: line 7, column 'taste': score 'abc' is not a number" in message


def test_errors_are_capped_and_counted(tmp_path):
    rows = "".join(f"r{i},2023,18-34,F,12,1,1\n" for i in range(50))
    with pytest.raises(SurveyInputError) as exc_info:
        read_responses(
            write(tmp_path, "R.csv", RESPONSES + rows),
            read_margins(write(tmp_path, "M.csv", MARGINS)),
        )
    err = exc_info.value
    assert len(err.errors) == MAX_ERRORS
    assert err.total == 50
    assert [e.line for e in err.errors] == list(range(5, 5 + MAX_ERRORS))
    assert "30 more error(s)" in str(err)


@pytest.mark.parametrize(
    "header,missing",
    [
        ("respondent_id,age,sex,overall,taste", ["wave"]),
        ("wave,age,overall,taste", ["sex"]),
        ("wave,age,sex,taste", ["overall"]),
        ("wave,sex,taste", ["age", "overall"]),
    ],
)
def test_missing_columns(tmp_path, header, missing):
    with pytest.raises(SurveyInputError) as exc_info:
        read_responses(
            write(tmp_path, "R.csv", header + "\n"),
            read_margins(write(tmp_path, "M.csv", MARGINS)),
        )
    assert errors_of(exc_info) == [(1, c, "missing_column") for c in missing]


def test_no_criterion_duplicate_column_and_no_rows(tmp_path):
    margins = read_margins(write(tmp_path, "M.csv", MARGINS))
    cases = {
        "respondent_id,wave,age,sex,overall\nx,1,35+,F,7\n": [(1, "", "no_criterion")],
        "wave,age,sex,overall,q,q\n1,35+,F,7,1,2\n": [(1, "q", "duplicate_column")],
        "wave,age,sex,overall,q\n": [(2, "", "no_rows")],
        "": [(1, "", "empty_file")],
    }
    for text, expected in cases.items():
        with pytest.raises(SurveyInputError) as exc_info:
            read_responses(write(tmp_path, "R.csv", text), margins)
        assert errors_of(exc_info) == expected, text


def test_rows_with_too_many_fields(tmp_path):
    text = RESPONSES + "r4,2024,35+,F,7,8,1,extra\n"
    with pytest.raises(SurveyInputError) as exc_info:
        read_responses(
            write(tmp_path, "R.csv", text), read_margins(write(tmp_path, "M.csv", MARGINS))
        )
    assert errors_of(exc_info) == [(5, "", "wrong_field_count")]


def test_margins_file_errors(tmp_path):
    text = (
        "variable,category,population\n"
        "age,18-34,100\n"
        "age,18-34,50\n"  # line 3: duplicate of line 2
        "age,35+,-3\n"  # line 4
        "sex,F,abc\n"  # line 5
        "sex,,10\n"  # line 6
        "wave,2023,10\n"  # line 7: reserved name
        "sex,M,0\n"  # line 8
    )
    with pytest.raises(SurveyInputError) as exc_info:
        read_margins(write(tmp_path, "M.csv", text))
    assert errors_of(exc_info) == [
        (3, "category", "duplicate_category"),
        (4, "population", "bad_population"),
        (5, "population", "bad_population"),
        (6, "category", "empty_field"),
        (7, "variable", "reserved_variable"),
        (8, "population", "bad_population"),
    ]
    assert "already given on line 2" in str(exc_info.value)


def test_margins_file_missing_columns(tmp_path):
    with pytest.raises(SurveyInputError) as exc_info:
        read_margins(write(tmp_path, "M.csv", "variable,cat,population\nage,1,2\n"))
    assert errors_of(exc_info) == [(1, "category", "missing_column")]


def test_unreadable_file(tmp_path):
    with pytest.raises(SurveyInputError) as exc_info:
        read_margins(tmp_path / "absent.csv")
    assert errors_of(exc_info) == [(1, "", "unreadable")]


def test_spaces_only_score_is_a_blank_but_spaces_around_a_word_are_not(tmp_path):
    margins = read_margins(write(tmp_path, "M.csv", MARGINS))
    ok = RESPONSES.replace("r1,2023,18-34,F,7,8,", "r1,2023,18-34,F,7,  ,")
    data = read_responses(write(tmp_path, "R.csv", ok), margins)
    assert np.isnan(data.criteria["taste"][0])
    bad = RESPONSES.replace("r1,2023,18-34,F,7,8,", "r1,2023,18-34,F,7, n/a ,")
    with pytest.raises(SurveyInputError) as exc_info:
        read_responses(write(tmp_path, "R.csv", bad), margins)
    assert errors_of(exc_info) == [(2, "taste", "not_a_number")]
    assert exc_info.value.errors[0].params["value"] == "n/a"
