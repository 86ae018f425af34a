"""The demo snapshot every browser test starts from (tests/browser/snapshot.py) gives back
exactly what `load_demo` wrote, whatever the previous test changed."""

from __future__ import annotations

import pytest
from django.db import connection

from .conftest import _SNAPSHOTS

pytestmark = pytest.mark.browser

CELL_COUNT = ("territory_id", "cell", "status", "n")


def table_counts() -> dict[str, int]:
    tables = sorted(connection.introspection.django_table_names(only_existing=True))
    with connection.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def test_restore_undoes_deletions_insertions_and_keeps_computed_columns(demo):
    from cocon.accounts.models import User
    from cocon.reports.models import CellCount, Report
    from cocon.voices.models import Voice

    snapshot = _SNAPSHOTS[(connection.vendor, str(connection.settings_dict["NAME"]))]
    before = table_counts()
    cells = sorted(Report.objects.values_list("voice_id", "cell"))
    cell_counts = sorted(CellCount.objects.values_list(*CELL_COUNT))
    assert before["voices_voice"] > 0 and cells and cell_counts

    Report.objects.all().delete()  # triggers update the cell counts
    Voice.objects.all().delete()
    User.objects.create_user(email="intrus@example.org", full_name="Intrus")
    assert table_counts() != before

    snapshot.restore()

    assert table_counts() == before
    # the generated column is the database's own again, and the triggers did not count twice
    assert sorted(Report.objects.values_list("voice_id", "cell")) == cells
    assert sorted(CellCount.objects.values_list(*CELL_COUNT)) == cell_counts
    assert not User.objects.filter(email="intrus@example.org").exists()
    # new rows do not collide with restored ones
    User.objects.create_user(email="nouveau@example.org", full_name="Nouveau")
