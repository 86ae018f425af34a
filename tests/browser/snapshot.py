"""Load the demo territory once, then give every browser test the same database again.

Browser tests need committed data (the live server reads it from another thread), so each
runs in a flushed database. Loading the demo takes ~3 s; with 250 browser tests that was
most of the suite's time. Instead, the first test loads the demo and takes a snapshot, and
every later test restores it before it starts:

- SQLite (the test database is in memory): the sqlite3 backup API copies every page into a
  second in-memory database and back (~0.1 s for the demo).
- PostgreSQL: the rows of every table are copied into UNLOGGED tables of a schema of their
  own, then put back with one ``INSERT … SELECT`` per table in one transaction (foreign keys
  are deferred; user triggers are switched off while the rows, which already hold what
  the triggers compute, go back; generated columns are left to the database).

Identity sequences are not rewound: a flushed database keeps its sequences where they
were, above every id of the snapshot, so new rows never collide with restored ones.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

SCHEMA = "cocon_test_snapshot"


class Snapshot:
    def __init__(self, summary: Any) -> None:
        self.summary = summary
        self.vendor = connection.vendor
        if self.vendor == "sqlite":
            self._memory = sqlite3.connect(":memory:", check_same_thread=False)
            connection.ensure_connection()
            connection.connection.backup(self._memory)
        elif self.vendor == "postgresql":
            self._tables = _pg_tables()
            self._columns = {table: _pg_columns(table) for table in self._tables}
            with connection.cursor() as cursor:
                cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
                cursor.execute(f"CREATE SCHEMA {SCHEMA}")
                for table in self._tables:
                    cursor.execute(
                        f'CREATE UNLOGGED TABLE {SCHEMA}."{table}" AS TABLE public."{table}"'
                    )
        else:  # pragma: no cover - the project supports these two
            raise NotImplementedError(self.vendor)

    def restore(self) -> None:
        if self.vendor == "sqlite":
            connection.ensure_connection()
            self._memory.backup(connection.connection)
        else:
            self._restore_pg()
        ContentType.objects.clear_cache()

    def _restore_pg(self) -> None:
        # DELETE, not TRUNCATE: after the flush the tables are nearly empty, and TRUNCATE
        # makes new files for every table and index (~0.4 s for 120 tables).
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            superuser = cursor.fetchone()[0]
            if superuser:  # skips user triggers and foreign-key checks in one setting
                cursor.execute("SET LOCAL session_replication_role = replica")
                triggered = []
            else:  # the owner of the test database may switch its triggers off
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                triggered = _pg_tables_with_user_triggers(cursor)
                for table in triggered:
                    cursor.execute(f'ALTER TABLE public."{table}" DISABLE TRIGGER USER')
            for table in self._tables:
                cursor.execute(f'DELETE FROM public."{table}"')
            for table in self._tables:
                columns = ", ".join(f'"{c}"' for c in self._columns[table])
                cursor.execute(
                    f'INSERT INTO public."{table}" ({columns}) '
                    f'SELECT {columns} FROM {SCHEMA}."{table}"'
                )
            if triggered:
                # check the foreign keys now: a table with pending checks cannot be altered
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for table in triggered:
                    cursor.execute(f'ALTER TABLE public."{table}" ENABLE TRIGGER USER')

    def drop(self) -> None:
        if self.vendor == "sqlite":
            self._memory.close()
        else:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")


def _pg_tables() -> list[str]:
    """Every table of the public schema (the models', their m2m tables, the cache table),
    but the migration log, which flushes leave alone."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'django_migrations' ORDER BY tablename"
        )
        return [row[0] for row in cursor.fetchall()]


def _pg_columns(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name = %s AND is_generated = 'NEVER' "
            "ORDER BY ordinal_position",
            [table],
        )
        return [row[0] for row in cursor.fetchall()]


def _pg_tables_with_user_triggers(cursor) -> list[str]:
    cursor.execute(
        "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE NOT t.tgisinternal AND n.nspname = 'public' ORDER BY c.relname"
    )
    return [row[0] for row in cursor.fetchall()]
