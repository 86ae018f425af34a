"""Read and validate the barometer's survey files: responses (R.csv) and margins (M.csv).

No Django, so that the CLI (`cocon barometer compute`), the web import and the benchmark
share one reader. The responses file may hold a million rows, so it is read with polars
(every column as text) and checked column by column with vectorized expressions: no
Python loop over rows. Every problem is reported with the file's 1-based line number
(the header is line 1, the first data row line 2) and the column, the first
``MAX_ERRORS`` of them sorted by line, all in one exception, and nothing is returned when
any row is invalid.

Both files may be comma- or semicolon-separated (French Excel exports use ``;`` and a
decimal comma, accepted then), UTF-8 with or without BOM, else Latin-1. Fully empty lines
at the end of a file are ignored; an empty line in the middle is an error (it would shift
the row numbers of ``--weights-out``). A quoted field spanning several lines would shift
the line numbers of later rows: survey exports do not have any.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from cocon.lib.survey import Margins, Responses

MAX_ERRORS = 20
WAVE = "wave"
OVERALL = "overall"
IGNORED = ("respondent_id",)
RESERVED = (WAVE, OVERALL, *IGNORED)
MARGIN_COLUMNS = ("variable", "category", "population")
SCORE_MIN, SCORE_MAX = 0.0, 10.0

_MESSAGES = {
    "unreadable": "cannot read the file: {reason}",
    "empty_file": "the file is empty",
    "no_rows": "the file has a header but no data row",
    "missing_column": "missing column {column!r}",
    "duplicate_column": "column {column!r} appears more than once in the header",
    "no_criterion": "no criterion column (every column but wave, overall, respondent_id "
    "and the margin variables is a criterion score)",
    "wrong_field_count": "{found} fields where the header has {expected}",
    "empty_line": "empty line",
    "empty_wave": "the wave is empty",
    "empty_category": "no category given for the margin variable {column!r}",
    "unknown_category": "category {value!r} of {column!r} is not in the margins file "
    "(known: {known})",
    "not_a_number": "score {value!r} is not a number",
    "out_of_range": "score {value!r} is outside 0–10",
    "empty_field": "{column!r} is empty",
    "bad_population": "population {value!r} is not a positive number",
    "duplicate_category": "category {category!r} of variable {variable!r} already given "
    "on line {first_line}",
    "reserved_variable": "{value!r} cannot be a margin variable (reserved column name)",
}


@dataclass(frozen=True)
class RowError:
    """One problem in one file; ``code`` and ``params`` let a web page translate it."""

    file: str
    line: int  # 1-based, the header being line 1
    column: str
    code: str
    params: dict[str, object] = field(default_factory=dict)

    @property
    def message(self) -> str:
        text = _MESSAGES[self.code].format(column=self.column, **self.params)
        where = f"line {self.line}" + (f", column {self.column!r}" if self.column else "")
        return f"{self.file}: {where}: {text}"


class SurveyInputError(ValueError):
    """Invalid survey files: ``errors`` holds the first problems sorted by line, ``total``
    how many were found (at least ``len(errors)``; each check stops counting at
    ``MAX_ERRORS``)."""

    def __init__(self, errors: list[RowError], total: int | None = None):
        self.errors = sorted(errors, key=lambda e: (e.file, e.line))[:MAX_ERRORS]
        self.total = max(total or 0, len(errors))
        super().__init__(self.describe())

    def describe(self) -> str:
        lines = [e.message for e in self.errors]
        if self.total > len(self.errors):
            lines.append(f"… {self.total - len(self.errors)} more error(s) not shown")
        return "\n".join(lines)


# --- whole file ---------------------------------------------------------------------------


def _read_bytes(path: Path, label: str) -> bytes:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SurveyInputError(
            [RowError(label, 1, "", "unreadable", {"reason": exc.strerror or str(exc)})]
        ) from exc
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        data = data.decode("latin-1").encode("utf-8")
    if not data or data.isspace():
        raise SurveyInputError([RowError(label, 1, "", "empty_file")])
    return data


def _first_line(data: bytes) -> bytes:
    end = data.find(b"\n")
    return data if end < 0 else data[:end]


def _sniff(data: bytes) -> str:
    """``;`` when the header has more semicolons than commas, else ``,``."""
    first = _first_line(data)
    return ";" if first.count(b";") > first.count(b",") else ","


def _header(data: bytes, sep: str, label: str) -> list[str]:
    first = _first_line(data).decode("utf-8").rstrip("\r")
    names = [name.strip() for name in next(csv.reader([first], delimiter=sep))]
    seen: set[str] = set()
    errors = []
    for name in names:
        if name and name in seen:
            errors.append(RowError(label, 1, name, "duplicate_column"))
        seen.add(name)
    if errors:
        raise SurveyInputError(errors)
    return names


def _ragged_lines(data: bytes, sep: str, label: str, expected: int) -> SurveyInputError:
    """The slow path, only when polars refuses the file: which lines have too many fields."""
    reader = csv.reader(io.StringIO(data.decode("utf-8")), delimiter=sep)
    errors, total = [], 0
    for line, row in enumerate(reader, start=1):
        if row and len(row) > expected:
            total += 1
            if len(errors) < MAX_ERRORS:
                errors.append(
                    RowError(
                        label,
                        line,
                        "",
                        "wrong_field_count",
                        {"found": len(row), "expected": expected},
                    )
                )
    if not errors:  # polars failed for another reason
        errors.append(RowError(label, 1, "", "unreadable", {"reason": "malformed CSV"}))
    return SurveyInputError(errors, total)


# --- margins ------------------------------------------------------------------------------


def read_margins(path: Path | str, *, label: str | None = None) -> Margins:
    """``{variable: {category: population}}`` from a ``variable,category,population`` file."""
    label = label or Path(path).name
    data = _read_bytes(Path(path), label)
    sep = _sniff(data)
    header = _header(data, sep, label)
    missing = [c for c in MARGIN_COLUMNS if c not in header]
    if missing:
        raise SurveyInputError([RowError(label, 1, c, "missing_column") for c in missing])
    index = {name: header.index(name) for name in MARGIN_COLUMNS}
    rows = list(csv.reader(io.StringIO(data.decode("utf-8")), delimiter=sep))[1:]
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise SurveyInputError([RowError(label, 2, "", "no_rows")])
    margins: Margins = {}
    first_line: dict[tuple[str, str], int] = {}
    errors: list[RowError] = []
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            errors.append(RowError(label, line, "", "empty_line"))
            continue
        cells = {c: (row[i].strip() if i < len(row) else "") for c, i in index.items()}
        variable, category, raw = cells["variable"], cells["category"], cells["population"]
        bad = False
        for column in MARGIN_COLUMNS:
            if not cells[column]:
                errors.append(RowError(label, line, column, "empty_field"))
                bad = True
        if variable in RESERVED:
            errors.append(
                RowError(label, line, "variable", "reserved_variable", {"value": variable})
            )
            bad = True
        population = _positive_number(raw, decimal_comma=sep == ";")
        if raw and population is None:
            errors.append(RowError(label, line, "population", "bad_population", {"value": raw}))
            bad = True
        key = (variable, category)
        if variable and category and key in first_line:
            errors.append(
                RowError(
                    label,
                    line,
                    "category",
                    "duplicate_category",
                    {"variable": variable, "category": category, "first_line": first_line[key]},
                )
            )
            bad = True
        first_line.setdefault(key, line)
        if not bad:
            margins.setdefault(variable, {})[category] = population
    if errors:
        raise SurveyInputError(errors)
    return margins


def _positive_number(raw: str, *, decimal_comma: bool) -> float | None:
    text = raw.replace(" ", "").replace("\u202f", "").replace("\xa0", "")
    if decimal_comma:
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and value > 0 else None


# --- responses ----------------------------------------------------------------------------


def criterion_columns(header: list[str], margins: Margins) -> list[str]:
    """Every column but wave, overall, respondent_id and the margin variables, in file order."""
    return [c for c in header if c not in RESERVED and c not in margins and c]


def read_responses(path: Path | str, margins: Margins, *, label: str | None = None) -> Responses:
    """The responses of R.csv as arrays, checked against the margins."""
    label = label or Path(path).name
    data = _read_bytes(Path(path), label)
    sep = _sniff(data)
    header = _header(data, sep, label)
    errors = [RowError(label, 1, c, "missing_column") for c in (WAVE, *margins, OVERALL)]
    errors = [e for e in errors if e.column not in header]
    criteria = criterion_columns(header, margins)
    if not criteria:
        errors.append(RowError(label, 1, "", "no_criterion"))
    if errors:
        raise SurveyInputError(errors)

    used = [WAVE, *margins, OVERALL, *criteria]
    score_names = [OVERALL, *criteria]
    try:
        frame = pl.read_csv(data, separator=sep, infer_schema=False, raise_if_empty=False)
    except pl.exceptions.PolarsError:
        raise _ragged_lines(data, sep, label, len(header)) from None
    if frame.width != len(header):  # polars and the csv module disagree on the header
        raise SurveyInputError([RowError(label, 1, "", "unreadable", {"reason": "bad header"})])
    frame.columns = [name or f"\0{i}" for i, name in enumerate(header)]
    frame = _drop_trailing_empty(frame.select(used))
    if frame.height == 0:
        raise SurveyInputError([RowError(label, 2, "", "no_rows")])

    # Two parallel selects (labels, then numbers); the row masks of an error are only
    # built when a cheap count says the column has one.
    labels = frame.select(
        pl.all_horizontal(pl.col(c).is_null() for c in used).alias("\0empty"),
        *(pl.col(c).str.strip_chars() for c in (WAVE, *margins)),
    )
    codes = labels.select(
        pl.col(v).cast(pl.Enum(list(cats)), strict=False) for v, cats in margins.items()
    )
    numbers = frame.select(
        (pl.col(c).str.replace_all(",", ".", literal=True) if sep == ";" else pl.col(c))
        .cast(pl.Float64, strict=False)
        .alias(c)
        for c in score_names
    )
    outside = numbers.select(
        (~pl.col(c).is_between(SCORE_MIN, SCORE_MAX)).any().alias(c) for c in score_names
    ).row(0, named=True)

    errors: list[RowError] = []
    total = 0

    def flag(mask: pl.Series, column: str, code: str, with_value: bool = False, **params):
        nonlocal total
        rows = np.flatnonzero(mask.fill_null(False).to_numpy())
        total += len(rows)
        for r in rows[:MAX_ERRORS]:
            extra = dict(params)
            if with_value:
                extra["value"] = frame[column][int(r)].strip()
            errors.append(RowError(label, int(r) + 2, column, code, extra))

    empty_line = labels["\0empty"]
    if empty_line.any():
        flag(empty_line, "", "empty_line")
    not_empty = ~empty_line
    waves = labels[WAVE]
    if waves.null_count() or (waves == "").any():
        flag((waves.is_null() | (waves == "")) & not_empty, WAVE, "empty_wave")
    for variable, populations in margins.items():
        text = labels[variable]
        if codes[variable].null_count() == 0:
            continue
        missing = text.is_null() | (text == "")
        flag(missing & not_empty, variable, "empty_category")
        unknown = ~missing & codes[variable].is_null()
        flag(unknown, variable, "unknown_category", True, known=_short_list(list(populations)))
    for name in score_names:
        raw, value = frame[name], numbers[name]
        if value.null_count() > raw.null_count():  # rare: spaces are a blank, not an error
            flag(
                value.is_null() & raw.is_not_null() & (raw.str.strip_chars() != ""),
                name,
                "not_a_number",
                True,
            )
        if outside[name]:
            flag(~value.is_between(SCORE_MIN, SCORE_MAX), name, "out_of_range", True)

    if errors:
        raise SurveyInputError(errors, total)

    return Responses(
        wave=_strings(waves),
        margins={v: _codes_to_strings(codes[v], list(margins[v])) for v in margins},
        overall=numbers[OVERALL].to_numpy(),  # null -> NaN
        criteria={c: numbers[c].to_numpy() for c in criteria},
    )


def read_survey(responses: Path | str, margins: Path | str) -> tuple[Responses, Margins]:
    """Both files, the margins first (the responses are checked against them)."""
    m = read_margins(margins)
    return read_responses(responses, m), m


def _drop_trailing_empty(frame: pl.DataFrame) -> pl.DataFrame:
    filled = frame.select(pl.any_horizontal(pl.col(c).is_not_null() for c in frame.columns))
    nonempty = np.flatnonzero(filled.to_series().to_numpy())
    return frame.head(int(nonempty[-1]) + 1 if len(nonempty) else 0)


def _strings(column: pl.Series) -> np.ndarray:
    """A fixed-width unicode array (cheaper to sort and compare than Python objects)."""
    uniques = column.unique().sort().to_list()
    return _codes_to_strings(column.cast(pl.Enum(uniques)), uniques)


def _codes_to_strings(column: pl.Series, categories: list[str]) -> np.ndarray:
    codes = column.to_physical().to_numpy()
    return np.asarray(categories, dtype=str)[codes]


def _short_list(values: list[str], limit: int = 8) -> str:
    shown = ", ".join(values[:limit])
    return shown + (f", … ({len(values)} in all)" if len(values) > limit else "")
