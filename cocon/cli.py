"""The `cocon` command: Django management with Cocon's settings.

cocon serve [--host H] [--port P]     production server (gunicorn + whitenoise)
cocon demo load | accounts            demo territory
cocon token create --user EMAIL --scope SCOPE
cocon territory import-margins FILE.csv
cocon check [--deploy] · cocon migrate · cocon createsuperuser · …
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cocon.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["cocon", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
