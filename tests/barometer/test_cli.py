"""`cocon barometer compute`: JSON on stdout, weights file, and all-or-nothing failures
(exit code 2, message naming line and column on stderr, nothing on stdout, no weights file).

Most cases go through `call_command` (no database access is allowed in these tests, which
also proves the command does not query it); two run the real `cocon` entry point in a
subprocess for the exit code and the streams.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from cocon.lib.survey import Responses, compute

AGES = ["18-34", "35-59", "60+"]
SEXES = ["F", "M"]
MARGINS = {"age": {"18-34": 300.0, "35-59": 450.0, "60+": 250.0}, "sex": {"F": 520.0, "M": 480.0}}
CRITERIA = ["taste", "price", "contact"]


def make_rows(n_per_wave: int = 60, seed: int = 3) -> list[dict[str, str]]:
    """Two waves; every age × sex cell has respondents, ~10 % blanks per criterion."""
    rng = np.random.default_rng(seed)
    rows = []
    for wave, shift in (("2023", 0.0), ("2024", 1.0)):
        for i in range(n_per_wave):
            row = {
                "respondent_id": f"{wave}-{i}",
                "wave": wave,
                "age": AGES[i % 3],
                "sex": SEXES[(i // 3) % 2],
                "overall": str(int(np.clip(rng.normal(6 + shift, 2), 0, 10))),
            }
            for j, c in enumerate(CRITERIA):
                score = int(np.clip(rng.normal(5 + j + shift, 2.5), 0, 10))
                row[c] = "" if rng.random() < 0.1 else str(score)
            rows.append(row)
    return rows


def to_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def margins_csv(margins=MARGINS) -> str:
    lines = ["variable,category,population"]
    lines += [f"{v},{c},{p:g}" for v, cats in margins.items() for c, p in cats.items()]
    return "\n".join(lines) + "\n"


def responses_of(rows: list[dict[str, str]]) -> Responses:
    """The same data built directly, without the CSV reader."""

    def scores(name):
        return np.array([float(r[name]) if r[name] else np.nan for r in rows])

    return Responses(
        wave=np.array([r["wave"] for r in rows]),
        margins={v: np.array([r[v] for r in rows]) for v in MARGINS},
        overall=scores("overall"),
        criteria={c: scores(c) for c in CRITERIA},
    )


@pytest.fixture
def files(tmp_path):
    rows = make_rows()
    r = tmp_path / "R.csv"
    m = tmp_path / "M.csv"
    r.write_text(to_csv(rows))
    m.write_text(margins_csv())
    return rows, r, m


def run(*args: str) -> tuple[dict | None, str, int]:
    """(parsed stdout or None when empty, stderr, exit code) of call_command."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("barometer", "compute", *args, stdout=out, stderr=err)
        code = 0
    except CommandError as exc:
        err.write(str(exc))
        code = exc.returncode
    text = out.getvalue()
    return (json.loads(text) if text.strip() else None), err.getvalue(), code


def close(a, b, rel=1e-12):
    """Same structure, numbers equal to rel (JSON round trip of floats)."""
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            close(a[k], b[k], rel)
    elif isinstance(a, list | tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            close(x, y, rel)
    elif isinstance(a, float) and isinstance(b, float):
        assert a == pytest.approx(b, rel=rel, abs=1e-15)
    else:
        assert a == b


def test_json_matches_the_engine_called_directly(files, tmp_path):
    rows, r, m = files
    weights_out = tmp_path / "w.csv"
    result, err, code = run(
        "--responses", str(r), "--margins", str(m), "--weights-out", str(weights_out)
    )
    assert code == 0, err
    assert set(result) == {"waves", "changes", "importance", "quadrants"}
    assert set(result["waves"]) == {"2023", "2024"}
    wave = result["waves"]["2023"]
    assert {"n", "n_eff", "deff", "overall", "criteria"} <= set(wave)
    assert wave["n"] == 60
    assert set(wave["criteria"]) == set(CRITERIA)
    stats = wave["criteria"]["taste"]
    assert {"n", "mean", "se", "ci95", "satisfied", "satisfied_se", "net"} <= set(stats)
    assert stats["ci95"][0] < stats["mean"] < stats["ci95"][1]
    assert [c["criterion"] for c in result["changes"]] == CRITERIA
    assert all(c["from"] == "2023" and c["to"] == "2024" for c in result["changes"])

    expected, weights = compute(responses_of(rows), MARGINS, return_weights=True)
    close(result, json.loads(json.dumps(expected)))

    with weights_out.open() as fh:
        table = list(csv.reader(fh))
    assert table[0] == ["row", "weight"]
    assert [int(row) for row, _ in table[1:]] == list(range(1, len(rows) + 1))
    written = np.array([float(w) for _, w in table[1:]])
    np.testing.assert_allclose(written, weights, rtol=1e-15)
    total = sum(MARGINS["age"].values())
    for wave_label in ("2023", "2024"):
        in_wave = np.array([row["wave"] == wave_label for row in rows])
        assert written[in_wave].sum() == pytest.approx(total, rel=1e-9)
        ages = np.array([row["age"] for row in rows])
        for age, population in MARGINS["age"].items():
            assert written[in_wave & (ages == age)].sum() == pytest.approx(population, rel=1e-9)


def test_options_change_the_output(files):
    _, r, m = files
    base, _, _ = run("--responses", str(r), "--margins", str(m))
    low, _, _ = run("--responses", str(r), "--margins", str(m), "--threshold", "3")
    taste = base["waves"]["2023"]["criteria"]["taste"]
    assert low["waves"]["2023"]["criteria"]["taste"]["satisfied"] > taste["satisfied"]
    assert low["waves"]["2023"]["criteria"]["taste"]["mean"] == taste["mean"]

    assert taste["n"] < 100
    big, _, _ = run("--responses", str(r), "--margins", str(m), "--min-cell", "100")
    suppressed = big["waves"]["2023"]["criteria"]["taste"]
    assert suppressed["mean"] is None and suppressed["se"] is None
    assert all(c["diff"] is None for c in big["changes"])

    trimmed, err, code = run("--responses", str(r), "--margins", str(m), "--trim", "1.2")
    assert code == 0, err
    assert trimmed["waves"]["2023"]["deff"] < base["waves"]["2023"]["deff"]


INVALID = [
    # (what to do to the rows or margins, expected line, expected column)
    ("score_out_of_range", 7, "price"),
    ("score_not_a_number", 12, "taste"),
    ("unknown_category", 9, "age"),
    ("empty_wave", 4, "wave"),
    ("missing_column", 1, "overall"),
    ("margin_population", 2, "population"),
    ("margin_duplicate", 4, "category"),
    ("margin_variable_missing_in_responses", 1, "region"),
]


def break_files(case: str, rows: list[dict[str, str]]) -> tuple[str, str]:
    rows = [dict(row) for row in rows]
    margins = margins_csv()
    if case == "score_out_of_range":
        rows[5]["price"] = "10.5"
    elif case == "score_not_a_number":
        rows[10]["taste"] = "sept"
    elif case == "unknown_category":
        rows[7]["age"] = "15-17"
    elif case == "empty_wave":
        rows[2]["wave"] = ""
    elif case == "missing_column":
        for row in rows:
            del row["overall"]
    elif case == "margin_population":
        margins = margins.replace("18-34,300", "18-34,-300")
    elif case == "margin_duplicate":
        margins = margins.replace("60+,250", "35-59,250")
    elif case == "margin_variable_missing_in_responses":
        margins += "region,north,600\nregion,south,400\n"
    return to_csv(rows), margins


@pytest.mark.parametrize("case,line,column", INVALID)
def test_invalid_input_exits_2_without_output(files, tmp_path, case, line, column):
    rows, r, m = files
    text, margins = break_files(case, rows)
    r.write_text(text)
    m.write_text(margins)
    weights_out = tmp_path / "w.csv"
    result, err, code = run(
        "--responses", str(r), "--margins", str(m), "--weights-out", str(weights_out)
    )
    assert code == 2
    assert result is None
    assert f"line {line}, column '{column}'" in err
    assert not weights_out.exists()
    assert set(tmp_path.iterdir()) == {m, r}  # no temporary file left either


def test_non_convergence_exits_2(files, tmp_path):
    """A wave without any man cannot reach the sex margin."""
    rows, r, m = files
    for row in rows:
        if row["wave"] == "2024":
            row["sex"] = "F"
    r.write_text(to_csv(rows))
    weights_out = tmp_path / "w.csv"
    result, err, code = run(
        "--responses", str(r), "--margins", str(m), "--weights-out", str(weights_out)
    )
    assert (result, code) == (None, 2)
    assert "2024" in err
    assert not weights_out.exists()


def test_bad_options_exit_2(files):
    _, r, m = files
    for option, value in (("--trim", "0.5"), ("--min-cell", "-1"), ("--threshold", "11")):
        result, err, code = run("--responses", str(r), "--margins", str(m), option, value)
        assert (result, code) == (None, 2), option
        assert option in err
    absent = r.parent / "absent" / "w.csv"
    result, err, code = run(
        "--responses", str(r), "--margins", str(m), "--weights-out", str(absent)
    )
    assert (result, code) == (None, 2)
    assert "--weights-out" in err
    assert not absent.parent.exists()


def cocon(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cocon.settings"}
    env.pop("DATABASE_URL", None)  # the command must not need a database at all
    return subprocess.run(
        [sys.executable, "-m", "cocon.cli", "barometer", "compute", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
        timeout=120,
    )


def test_entry_point_prints_only_json(files, tmp_path):
    rows, r, m = files
    weights_out = tmp_path / "w.csv"
    done = cocon("--responses", str(r), "--margins", str(m), "--weights-out", str(weights_out))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)  # nothing else on stdout
    assert result["waves"]["2024"]["n"] == 60
    assert len(weights_out.read_text().splitlines()) == len(rows) + 1


def test_entry_point_exit_code_and_stderr(files, tmp_path):
    rows, r, m = files
    text, _ = break_files("score_out_of_range", rows)
    r.write_text(text)
    weights_out = tmp_path / "w.csv"
    done = cocon("--responses", str(r), "--margins", str(m), "--weights-out", str(weights_out))
    assert done.returncode == 2
    assert done.stdout == ""
    assert "R.csv: line 7, column 'price': score '10.5' is outside 0–10" in done.stderr
    assert not weights_out.exists()
