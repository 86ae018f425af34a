"""`cocon barometer compute --responses R.csv --margins M.csv [--threshold 7] [--trim 5]
[--min-cell 10] [--weights-out FILE.csv]`: the barometer's statistics as JSON on stdout.

The interface is fixed by issue 6 and documented in the README. The command never touches
the database (no system checks, no query): it runs on a fresh checkout and on a machine
that only has the files. Either everything is written or nothing: the JSON goes to stdout
only once the computation succeeded, the weights file is written under a temporary name
and renamed into place. Invalid input (or a raking that cannot converge) prints the
messages on stderr and exits with code 2.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

EXIT_INVALID = 2


class Command(BaseCommand):
    help = "Satisfaction barometer: compute (survey statistics of a responses file, as JSON)."
    requires_system_checks: list[str] = []  # no database, no checks: files in, JSON out

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        compute = sub.add_parser(
            "compute",
            help="Rake each wave to the margins and print the estimates as JSON on stdout.",
        )
        compute.add_argument(
            "--responses",
            type=Path,
            required=True,
            help="R.csv: wave, one column per margin variable, overall, criteria (0-10).",
        )
        compute.add_argument(
            "--margins", type=Path, required=True, help="M.csv: variable,category,population."
        )
        compute.add_argument(
            "--threshold",
            type=float,
            default=7,
            help="score from which a respondent is satisfied (default 7)",
        )
        compute.add_argument(
            "--trim",
            type=float,
            default=None,
            help="trim weights at this multiple of the mean weight, then rake again",
        )
        compute.add_argument(
            "--min-cell",
            type=int,
            default=10,
            help="suppress figures computed from fewer respondents (default 10)",
        )
        compute.add_argument(
            "--weights-out",
            type=Path,
            default=None,
            help="also write the final weight of each row as CSV (row,weight)",
        )

    def handle(self, *args, action, **options):
        if action == "compute":
            self.compute(**options)

    def compute(
        self,
        *,
        responses: Path,
        margins: Path,
        threshold: float,
        trim: float | None,
        min_cell: int,
        weights_out: Path | None,
        **_options,
    ) -> None:
        # Imported here: numpy and polars are only paid for by this subcommand.
        from cocon.lib.survey import SurveyError, compute
        from cocon.lib.survey_io import SurveyInputError, read_survey

        if trim is not None and not trim > 1:
            raise CommandError(
                "--trim must be a multiple of the mean weight above 1", returncode=EXIT_INVALID
            )
        if min_cell < 0:
            raise CommandError("--min-cell must be >= 0", returncode=EXIT_INVALID)
        if not 0 <= threshold <= 10:
            raise CommandError("--threshold must be between 0 and 10", returncode=EXIT_INVALID)
        if weights_out is not None and not weights_out.parent.is_dir():
            raise CommandError(
                f"--weights-out: directory {weights_out.parent} does not exist",
                returncode=EXIT_INVALID,
            )
        try:
            data, margin_table = read_survey(responses, margins)
            result, weights = compute(
                data,
                margin_table,
                threshold=threshold,
                trim=trim,
                min_cell=min_cell,
                return_weights=True,
            )
        except SurveyInputError as exc:
            raise CommandError(exc.describe(), returncode=EXIT_INVALID) from exc
        except SurveyError as exc:
            raise CommandError(f"{responses}: {exc}", returncode=EXIT_INVALID) from exc
        text = json.dumps(_finite(result), ensure_ascii=False)
        if weights_out is not None:
            _write_weights(weights_out, weights)
        self.stdout.write(text)


def _finite(value):
    """NaN and infinities become null: JSON has no such numbers."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    if hasattr(value, "item"):  # numpy scalar
        return _finite(value.item())
    return value


def _write_weights(path: Path, weights) -> None:
    """``row,weight`` with row the 1-based data row of R.csv, written under a temporary
    name in the same directory and renamed, so that a failure leaves no partial file."""
    import numpy as np
    import polars as pl

    weights = np.asarray(weights, dtype=float)
    frame = pl.DataFrame({"row": np.arange(1, len(weights) + 1), "weight": weights})
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc.strerror}", returncode=EXIT_INVALID) from exc
    try:
        with os.fdopen(fd, "wb") as out:
            frame.write_csv(out)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # as an ordinary new file, not mkstemp's 0600
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise CommandError(
                f"cannot write {path}: {exc.strerror}", returncode=EXIT_INVALID
            ) from exc
        raise
