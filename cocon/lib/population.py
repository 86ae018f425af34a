"""Population margins: the age bands and sexes Cocon uses, and CSV row validation.

Pure Python (no Django) so that the survey statistics can reuse it and it can be
tested alone. Age bands follow INSEE's usual six bands.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

AGE_BANDS: tuple[str, ...] = ("0-14", "15-29", "30-44", "45-59", "60-74", "75+")
SEXES: tuple[str, ...] = ("F", "M")
MARGIN_COLUMNS: tuple[str, ...] = ("commune_insee", "age_band", "sex", "population")
_SEX_ALIASES = {
    "f": "F",
    "femme": "F",
    "femmes": "F",
    "m": "M",
    "h": "M",
    "homme": "M",
    "hommes": "M",
}


@dataclass(frozen=True)
class MarginRow:
    commune_insee: str
    age_band: str
    sex: str
    population: int


@dataclass
class RowError:
    line: int  # 1-based line number in the file, header being line 1
    column: str
    code: str  # see the messages in cocon.territory.services
    params: dict[str, object] = field(default_factory=dict)


@dataclass
class MarginParse:
    rows: list[MarginRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def is_insee_code(code: str) -> bool:
    """Five characters: two digits (or 2A/2B for Corsica) then three digits."""
    return (
        len(code) == 5 and (code[:2].isdigit() or code[:2] in ("2A", "2B")) and code[2:].isdigit()
    )


class CsvFileError(ValueError):
    """The file as a whole cannot be read; ``code`` and ``params`` describe why."""

    def __init__(self, code: str, **params: object):
        super().__init__(code)
        self.code = code
        self.params = params


def read_csv_text(data: bytes) -> list[dict[str, str]]:
    """Decode a CSV upload (UTF-8 with or without BOM, else Latin-1; comma or semicolon)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    if not text.strip():
        raise CsvFileError("empty")
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in MARGIN_COLUMNS if name not in header]
    if missing:
        raise CsvFileError(
            "missing_columns", missing=", ".join(missing), expected=",".join(MARGIN_COLUMNS)
        )
    reader.fieldnames = header
    return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]


def parse_margin_rows(rows: Iterable[dict[str, str]], known_insee: set[str]) -> MarginParse:
    """Validate every row; collect all errors rather than stopping at the first one."""
    result = MarginParse()
    seen: dict[tuple[str, str, str], int] = {}
    for index, raw in enumerate(rows):
        line = index + 2
        errors: list[RowError] = []
        code = (raw.get("commune_insee") or "").upper()
        if not is_insee_code(code):
            errors.append(RowError(line, "commune_insee", "bad_insee", {"value": code}))
        elif code not in known_insee:
            errors.append(RowError(line, "commune_insee", "unknown_commune", {"value": code}))
        band = (raw.get("age_band") or "").replace(" ", "")
        if band not in AGE_BANDS:
            errors.append(
                RowError(
                    line,
                    "age_band",
                    "bad_age_band",
                    {"value": band, "allowed": ", ".join(AGE_BANDS)},
                )
            )
        sex = _SEX_ALIASES.get((raw.get("sex") or "").lower(), "")
        if not sex:
            errors.append(RowError(line, "sex", "bad_sex", {"value": raw.get("sex", "")}))
        text = (raw.get("population") or "").replace(" ", "").replace("\u202f", "")
        if not text.isdigit():
            errors.append(
                RowError(line, "population", "bad_population", {"value": raw.get("population", "")})
            )
        if errors:
            result.errors.extend(errors)
            continue
        key = (code, band, sex)
        if key in seen:
            result.errors.append(
                RowError(
                    line,
                    "commune_insee",
                    "duplicate",
                    {"first_line": seen[key], "value": "/".join(key)},
                )
            )
            continue
        seen[key] = line
        result.rows.append(MarginRow(code, band, sex, int(text)))
    return result
