"""`cocon territory import-margins FILE.csv`."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cocon.territory import selectors, services


class Command(BaseCommand):
    help = "Territory data: import population margins (commune_insee,age_band,sex,population)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        margins = sub.add_parser("import-margins", help="Replace margins from a CSV file.")
        margins.add_argument("file", type=Path)

    def handle(self, *args, action, **options):
        if action == "import-margins":
            self.import_margins(options["file"])

    def import_margins(self, path: Path):
        territory = selectors.current_territory()
        if territory is None:
            raise CommandError("No territory exists yet (load one, e.g. `cocon demo load`).")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
        try:
            result = services.margins_import_file(territory=territory, data=data)
        except services.MarginImportError as exc:
            for line, column, message in exc.errors:
                where = f"line {line}" + (f", column {column}" if column else "")
                self.stderr.write(f"{path}:{line}: {where}: {message}")
            raise CommandError(
                f"{len(exc.errors)} error(s) in {path}; nothing was imported."
            ) from exc
        self.stdout.write(
            f"{result.imported} rows imported for {result.communes} communes from {path}."
        )
