"""Writes of the territory module: validate, then write in one transaction."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cocon.lib.population import CsvFileError, RowError, parse_margin_rows, read_csv_text
from cocon.territory.models import Commune, Organization, PopulationMargin, Share, Territory

log = logging.getLogger("cocon.territory")

ROW_MESSAGES = {
    "bad_insee": _("“%(value)s” is not an INSEE commune code (5 characters, e.g. 38185)."),
    "unknown_commune": _("Commune %(value)s does not belong to this territory."),
    "bad_age_band": _("Unknown age band “%(value)s”. Allowed values: %(allowed)s."),
    "bad_sex": _("Unknown sex “%(value)s”. Allowed values: F, M."),
    "bad_population": _("Population “%(value)s”: a whole number, zero or more, is expected."),
    "duplicate": _("Duplicate: line %(first_line)s already gives %(value)s."),
}
FILE_MESSAGES = {
    "empty": _("The file is empty."),
    "missing_columns": _("Missing columns: %(missing)s. Expected columns: %(expected)s."),
}


def row_error_message(error: RowError) -> str:
    return str(ROW_MESSAGES[error.code] % error.params)


@dataclass
class MarginImportResult:
    imported: int
    communes: int
    errors: list[tuple[int, str, str]]  # (line, column, message)

    @property
    def ok(self) -> bool:
        return not self.errors


class MarginImportError(Exception):
    def __init__(self, errors: list[tuple[int, str, str]]):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


def margins_import(*, territory: Territory, rows: list[dict[str, str]]) -> MarginImportResult:
    """Replace the margins of every commune named in `rows`. All or nothing: any invalid
    row rejects the whole import (MarginImportError lists every problem with its line)."""
    known = set(territory.communes.values_list("insee_code", flat=True))
    parsed = parse_margin_rows(rows, known)
    if not parsed.ok:
        raise MarginImportError([(e.line, e.column, row_error_message(e)) for e in parsed.errors])
    if not parsed.rows:
        raise MarginImportError([(1, "", str(FILE_MESSAGES["empty"]))])
    communes = {
        c.insee_code: c
        for c in territory.communes.filter(insee_code__in={r.commune_insee for r in parsed.rows})
    }
    with transaction.atomic():
        PopulationMargin.objects.filter(commune__in=communes.values()).delete()
        PopulationMargin.objects.bulk_create(
            PopulationMargin(
                commune=communes[r.commune_insee],
                age_band=r.age_band,
                sex=r.sex,
                population=r.population,
            )
            for r in parsed.rows
        )
    log.info("margins imported", extra={"rows": len(parsed.rows), "communes": len(communes)})
    return MarginImportResult(imported=len(parsed.rows), communes=len(communes), errors=[])


def margins_import_file(*, territory: Territory, data: bytes) -> MarginImportResult:
    try:
        rows = read_csv_text(data)
    except CsvFileError as exc:
        raise MarginImportError([(1, "", str(FILE_MESSAGES[exc.code] % exc.params))]) from exc
    return margins_import(territory=territory, rows=rows)


def organization_update(*, organization: Organization, actor, **fields) -> Organization:
    """Change public information or theme; full validation (contrast included)."""
    for name, value in fields.items():
        setattr(organization, name, value)
    organization.full_clean()
    organization.save()
    log.info("organization updated", extra={"organization": organization.slug, "by": actor.pk})
    return organization


def share_create(*, owner: Organization, partner: Organization, scope: str, actor) -> Share:
    share = Share(owner=owner, partner=partner, scope=scope, created_by=actor)
    share.full_clean()
    share.save()
    return share


def share_delete(*, share: Share) -> None:
    share.delete()


def commune_get(territory: Territory, insee: str) -> Commune:
    try:
        return territory.communes.get(insee_code=insee)
    except Commune.DoesNotExist as exc:
        raise ValidationError(_("Unknown commune.")) from exc
