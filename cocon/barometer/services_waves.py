"""Waves of a barometer: their life cycle, invitation codes, anonymous answers and the
import of responses collected by a polling firm.

Privacy: a response is created with no link to the invitation that let the person in.
Using a code is a conditional UPDATE (`used_on IS NULL`) in the same transaction as the
creation of the response, so a code can never give two responses, even when two people
submit it at the same instant; the response only keeps the day it was given.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cocon.barometer.models import (
    SURVEY_AGE_BANDS,
    Invitation,
    Occupation,
    Response,
    ResponseImport,
    ResponseSource,
    Wave,
    WaveStatus,
    hash_code,
)
from cocon.core import history
from cocon.lib.population import SEXES
from cocon.territory.models import Commune

#: No 0/O nor 1/I: a code read aloud or copied from a letter cannot be mistyped that way.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 10
MAX_CODES_PER_REQUEST = 20_000
MAX_IMPORT_BYTES = 10 * 1024 * 1024
MAX_IMPORT_ROWS = 100_000
MAX_STORED_ERRORS = 500

#: Which status may follow which (publishing can be undone, to correct a wave).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    WaveStatus.DRAFT: (WaveStatus.OPEN,),
    WaveStatus.OPEN: (WaveStatus.CLOSED,),
    WaveStatus.CLOSED: (WaveStatus.OPEN, WaveStatus.PUBLISHED),
    WaveStatus.PUBLISHED: (WaveStatus.CLOSED,),
}


# --- waves -------------------------------------------------------------------------------
def wave_create(barometer, *, actor, criteria=None, **fields) -> Wave:
    """A new wave in preparation; it asks the active criteria unless told otherwise."""
    with transaction.atomic():
        wave = Wave(barometer=barometer, **fields)
        wave.full_clean()
        wave.save()
        if criteria is None:
            criteria = barometer.criteria.filter(is_active=True)
        wave.criteria.set(criteria)
        history.record(wave, action="barometer.wave_created", actor=actor)
    return wave


def wave_update(wave: Wave, *, actor, criteria=None, **fields) -> Wave:
    """Edit a wave; its criteria can only change while it has no response."""
    with transaction.atomic():
        for name, value in fields.items():
            setattr(wave, name, value)
        wave.full_clean()
        wave.save()
        chosen = None if criteria is None else {c.pk for c in criteria}
        if chosen is not None and chosen != set(wave.criteria.values_list("pk", flat=True)):
            if wave.responses.exists():
                raise ValidationError(
                    {"criteria": _("The criteria cannot change once the wave has answers.")}
                )
            wave.criteria.set(criteria)
        history.record(wave, action="barometer.wave_updated", actor=actor)
    return wave


def wave_set_status(wave: Wave, status: str, *, actor) -> Wave:
    """Move a wave along draft → open → closed → published; publishing stamps the date."""
    if status not in TRANSITIONS.get(wave.status, ()):
        raise ValidationError(
            _("A wave cannot go from « %(old)s » to « %(new)s ».")
            % {
                "old": WaveStatus(wave.status).label,
                "new": WaveStatus(status).label if status in WaveStatus.values else status,
            }
        )
    if status == WaveStatus.OPEN and not wave.criteria.exists():
        raise ValidationError(_("Choose the criteria asked before opening the wave."))
    with transaction.atomic():
        old = wave.status
        wave.status = status
        if status == WaveStatus.PUBLISHED:
            wave.published_at = timezone.now()
        elif old == WaveStatus.PUBLISHED:
            wave.published_at = None
        wave.save(update_fields=["status", "published_at"])
        history.record(
            wave, action="barometer.wave_status", actor=actor, from_status=old, to_status=status
        )
    return wave


def waves_with_counts(barometer):
    """The waves of a barometer with their number of responses per source (one query)."""
    return (
        Wave.objects.filter(barometer=barometer)
        .annotate(
            n_total=Count("responses"),
            n_invitation=Count("responses", filter=Q(responses__source=ResponseSource.INVITATION)),
            n_open_link=Count("responses", filter=Q(responses__source=ResponseSource.OPEN_LINK)),
            n_import=Count("responses", filter=Q(responses__source=ResponseSource.IMPORT)),
        )
        .order_by("-opens_on", "-pk")
    )


# --- invitation codes --------------------------------------------------------------------
def new_code() -> str:
    """XXXXX-XXXXX: 50 random bits, unguessable behind the rate limit."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def generate_codes(wave: Wave, count: int, *, actor, batch: str = "") -> tuple[str, list[str]]:
    """Create `count` single-use codes and return (batch label, codes). Only the hashes
    are stored: the codes exist nowhere else once this returns."""
    if not 1 <= count <= MAX_CODES_PER_REQUEST:
        raise ValidationError(
            {"count": _("Between 1 and %(max)s codes at a time.") % {"max": MAX_CODES_PER_REQUEST}}
        )
    if wave.status in (WaveStatus.CLOSED, WaveStatus.PUBLISHED):
        raise ValidationError(_("This wave is closed: no more invitations."))
    label = batch.strip() or timezone.localtime().strftime("%Y-%m-%d %H:%M")
    codes: dict[str, str] = {}
    with transaction.atomic():
        while len(codes) < count:
            fresh = {}
            while len(fresh) < count - len(codes):
                code = new_code()
                digest = hash_code(code)
                if digest not in codes:
                    fresh[digest] = code
            taken = set(
                Invitation.objects.filter(code_hash__in=list(fresh)).values_list(
                    "code_hash", flat=True
                )
            )
            codes.update({h: c for h, c in fresh.items() if h not in taken})
        now = timezone.now()
        Invitation.objects.bulk_create(
            [Invitation(wave=wave, code_hash=h, batch=label, created_at=now) for h in codes],
            batch_size=2000,
        )
        history.record(
            wave,
            action="barometer.codes_generated",
            actor=actor,
            data={"batch": label, "count": count},
        )
    return label, sorted(codes.values())


def invitation_batches(wave: Wave) -> list[dict]:
    """Per batch: how many codes, used and unused (one query)."""
    rows = (
        Invitation.objects.filter(wave=wave)
        .values("batch")
        .annotate(total=Count("pk"), used=Count("pk", filter=Q(used_on__isnull=False)))
        .order_by("batch")
    )
    return [{**r, "unused": r["total"] - r["used"]} for r in rows]


def codes_csv(codes: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["code"])
    writer.writerows([c] for c in codes)
    return out.getvalue()


# --- answering ---------------------------------------------------------------------------
class CodeError(ValidationError):
    """A code that does not let anyone answer; the message says why, and `wave` is the
    wave of a known code (so that the questionnaire can be shown again)."""

    def __init__(self, message, wave: Wave | None = None):
        super().__init__(message)
        self.wave = wave


def find_invitation(code: str, *, today: dt.date | None = None) -> Invitation:
    """The unused invitation of an answerable wave for `code`, else CodeError."""
    normalized = "".join(ch for ch in code.upper() if ch.isalnum())
    if len(normalized) != CODE_LENGTH:
        raise CodeError(_("A code has 10 letters and digits, e.g. ABCDE-23456."))
    invitation = (
        Invitation.objects.select_related("wave__barometer__service__organization")
        .filter(code_hash=hash_code(normalized))
        .first()
    )
    if invitation is None:
        raise CodeError(_("This code is unknown. Check it on your invitation letter."))
    if invitation.used_on is not None:
        raise CodeError(
            _("This code has already been used: each code gives one answer."), invitation.wave
        )
    if not invitation.wave.is_answerable(today):
        raise CodeError(_("This survey is not open for answers at the moment."), invitation.wave)
    return invitation


@dataclass
class Answers:
    age_band: str
    sex: str
    commune: Commune
    occupation: str
    overall: int | None
    scores: dict[str, int] = field(default_factory=dict)


def _new_response(wave: Wave, source: str, answers: Answers, today: dt.date) -> Response:
    return Response(
        wave=wave,
        source=source,
        submitted_on=today,
        age_band=answers.age_band,
        sex=answers.sex,
        commune=answers.commune,
        occupation=answers.occupation,
        overall=answers.overall,
        scores=answers.scores,
    )


def answer_with_code(code: str, answers: Answers) -> None:
    """Use the code and record the answers, both or neither."""
    today = timezone.localdate()
    with transaction.atomic():
        invitation = find_invitation(code, today=today)
        # the conditional update is what makes the code single-use under concurrency
        used = Invitation.objects.filter(pk=invitation.pk, used_on__isnull=True).update(
            used_on=today
        )
        if used != 1:
            raise CodeError(
                _("This code has already been used: each code gives one answer."), invitation.wave
            )
        _new_response(invitation.wave, ResponseSource.INVITATION, answers, today).save()


def answer_open_link(wave: Wave, answers: Answers) -> None:
    today = timezone.localdate()
    if not (wave.open_link and wave.is_answerable(today)):
        raise ValidationError(_("This survey is not open for answers at the moment."))
    _new_response(wave, ResponseSource.OPEN_LINK, answers, today).save()


def survey_communes(barometer) -> list[Commune]:
    """The communes a respondent may live in: those served by the service's organization,
    else every commune of the territory."""
    organization = barometer.service.organization
    communes = list(organization.communes.order_by("name"))
    if not communes:
        communes = list(
            Commune.objects.filter(territory_id=organization.territory_id).order_by("name")
        )
    return communes


# --- import of a polling firm's file -----------------------------------------------------
PROFILE_COLUMNS = ("age_band", "sex", "commune", "occupation")
REQUIRED_COLUMNS = ("age_band", "sex", "commune", "overall")
IGNORED_COLUMNS = ("respondent_id", "wave")

_SEX_ALIASES = {"f": "F", "femme": "F", "m": "M", "h": "M", "homme": "M"}


class ImportFileError(ValidationError):
    """The file as a whole cannot be used (type, size, header)."""


@dataclass
class RowProblem:
    line: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "message": self.message}


@dataclass
class ParsedImport:
    answers: list[Answers]
    problems: list[RowProblem]
    rows: int
    rejected: int


def _fold(text: str) -> str:
    """Lower case without accents, spaces or dashes: « Saint-Étienne » = « saint etienne »."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_table(upload) -> list[list[str]]:
    """Rows of cells as text, from a CSV or XLSX upload, the content being what decides."""
    if upload.size > MAX_IMPORT_BYTES:
        raise ImportFileError(
            _("The file is too large (%(size)s KB, %(max)s KB at most).")
            % {"size": upload.size // 1024, "max": MAX_IMPORT_BYTES // 1024}
        )
    upload.seek(0)
    data = upload.read()
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data)
    if b"\x00" in data[:4096] or not data.strip():
        raise ImportFileError(
            _("This file is neither a CSV file nor an Excel workbook (.xlsx), or it is empty.")
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise ImportFileError(
            _("The CSV file cannot be read: %(reason)s") % {"reason": exc}
        ) from exc
    return [[c.strip() for c in row] for row in rows]


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise ImportFileError(_("This file is not a readable Excel workbook (.xlsx).")) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append([_cell(v) for v in values])
            if len(rows) > MAX_IMPORT_ROWS + 1:
                break
    finally:
        workbook.close()
    return rows


def parse_import(rows: list[list[str]], wave: Wave, communes: list[Commune]) -> ParsedImport:
    """Check every row; the problems come with the file's line number (header = line 1)."""
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        raise ImportFileError(_("The file is empty."))
    header = [h.strip().lower() for h in rows[0]]
    codes = [c.code for c in wave.criteria.all()]
    known = set(PROFILE_COLUMNS) | {"overall"} | set(IGNORED_COLUMNS) | set(codes)
    header_problems = []
    for name in (*REQUIRED_COLUMNS, *codes):
        if name not in header:
            header_problems.append(
                RowProblem(1, name, _("Missing column « %(column)s ».") % {"column": name})
            )
    seen: set[str] = set()
    for name in header:
        if name and name not in known:
            header_problems.append(
                RowProblem(
                    1,
                    name,
                    _(
                        "Unknown column « %(column)s »: neither a profile column nor a "
                        "criterion of this wave."
                    )
                    % {"column": name},
                )
            )
        if name and name in seen:
            header_problems.append(
                RowProblem(1, name, _("Column « %(column)s » appears twice.") % {"column": name})
            )
        seen.add(name)
    if header_problems:
        raise ImportFileError([p.message for p in header_problems])
    if len(rows) - 1 > MAX_IMPORT_ROWS:
        raise ImportFileError(
            _("The file has more than %(max)s rows: split it.") % {"max": MAX_IMPORT_ROWS}
        )
    index = {name: i for i, name in enumerate(header) if name}
    by_key: dict[str, Commune] = {}
    for commune in communes:
        by_key[commune.insee_code.upper()] = commune
        by_key.setdefault(_fold(commune.name), commune)
    occupations = {}
    for value, label in Occupation.choices:
        occupations[_fold(value)] = value
        occupations[_fold(str(label))] = value
    bands = {b.replace(" ", ""): b for b in SURVEY_AGE_BANDS}

    answers: list[Answers] = []
    problems: list[RowProblem] = []
    rejected = 0
    count = 0
    for line, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue
        count += 1

        def get(name: str, row=row) -> str:
            i = index.get(name)
            return row[i].strip() if i is not None and i < len(row) else ""

        mine: list[RowProblem] = []
        band = bands.get(get("age_band").replace(" ", "").replace("ans", ""))
        if band is None:
            mine.append(
                RowProblem(
                    line,
                    "age_band",
                    _("Age band « %(value)s » unknown (expected one of %(allowed)s).")
                    % {"value": get("age_band"), "allowed": ", ".join(SURVEY_AGE_BANDS)},
                )
            )
        raw_sex = get("sex")
        sex = raw_sex.upper() if raw_sex.upper() in SEXES else _SEX_ALIASES.get(raw_sex.lower())
        if sex is None:
            mine.append(
                RowProblem(
                    line, "sex", _("Sex « %(value)s » unknown (F or M).") % {"value": raw_sex}
                )
            )
        raw_commune = get("commune")
        commune = by_key.get(raw_commune.upper()) or by_key.get(_fold(raw_commune))
        if commune is None:
            mine.append(
                RowProblem(
                    line,
                    "commune",
                    _("Commune « %(value)s » is not one of the communes of the survey.")
                    % {"value": raw_commune}
                    if raw_commune
                    else _("The commune is missing."),
                )
            )
        raw_occupation = get("occupation")
        occupation = occupations.get(_fold(raw_occupation)) if raw_occupation else ""
        if occupation is None:
            mine.append(
                RowProblem(
                    line,
                    "occupation",
                    _("Occupation « %(value)s » unknown.") % {"value": raw_occupation},
                )
            )
        scores: dict[str, int] = {}
        overall = None
        for name in ("overall", *codes):
            raw = get(name)
            if not raw:
                continue
            value = _score(raw)
            if value is None:
                mine.append(
                    RowProblem(
                        line,
                        name,
                        _("Score « %(value)s » is not a whole number from 0 to 10.")
                        % {"value": raw},
                    )
                )
            elif name == "overall":
                overall = value
            else:
                scores[name] = value
        if mine:
            rejected += 1
            problems.extend(mine)
            continue
        answers.append(Answers(band, sex, commune, occupation, overall, scores))
    if count == 0:
        raise ImportFileError(_("The file has a header but no data row."))
    return ParsedImport(answers, problems, count, rejected)


def _score(raw: str) -> int | None:
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        return None
    if not value.is_integer() or not 0 <= value <= 10:
        return None
    return int(value)


def import_responses(
    wave: Wave, parsed: ParsedImport, *, filename: str, actor, valid_only: bool
) -> ResponseImport | None:
    """Create the responses of a checked file in one transaction. With any invalid row,
    nothing is imported unless `valid_only`; returns None when nothing was imported."""
    if wave.status == WaveStatus.PUBLISHED:
        raise ValidationError(_("The results of this wave are published: unpublish it first."))
    if (parsed.problems and not valid_only) or not parsed.answers:
        return None
    today = timezone.localdate()
    with transaction.atomic():
        batch = ResponseImport.objects.create(
            wave=wave,
            filename=filename[:200],
            rows_imported=len(parsed.answers),
            rows_rejected=parsed.rejected,
            errors=[p.as_dict() for p in parsed.problems[:MAX_STORED_ERRORS]],
            imported_by=actor,
        )
        responses = []
        for answers in parsed.answers:
            response = _new_response(wave, ResponseSource.IMPORT, answers, today)
            response.batch = batch
            responses.append(response)
        Response.objects.bulk_create(responses, batch_size=1000)
        history.record(
            wave,
            action="barometer.responses_imported",
            actor=actor,
            data={"import": batch.pk, "rows": len(responses), "rejected": parsed.rejected},
        )
    return batch


def delete_import(batch: ResponseImport, *, actor) -> int:
    """Remove an import and its responses, while the wave's results are not published."""
    wave = batch.wave
    if wave.status == WaveStatus.PUBLISHED:
        raise ValidationError(_("The results of this wave are published: unpublish it first."))
    with transaction.atomic():
        n = batch.responses.count()
        history.record(
            wave,
            action="barometer.import_deleted",
            actor=actor,
            data={"filename": batch.filename, "rows": n},
        )
        batch.delete()
    return n
