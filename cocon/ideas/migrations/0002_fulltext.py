"""French full-text search on ideas (title, problem, proposal).

PostgreSQL: a text search configuration `cocon_french` — PostgreSQL's `french` (Snowball
stemmer, French stop words) with accents folded by the `unaccent` dictionary when that
extension can be created (it is a trusted extension shipped with PostgreSQL: people type
"megot" for "mégot"); without it, a plain copy of `french`. A stored generated column
`search_vector` (not a model field: the database computes it on every write, including
bulk loads and raw SQL) with a GIN index. SQLite: an FTS5 table with external content,
kept in step by triggers (accents removed; no French stemming: searches match each word
as a prefix instead)."""

from django.db import DatabaseError, migrations, transaction

PG_CONFIG = "CREATE TEXT SEARCH CONFIGURATION cocon_french (COPY = pg_catalog.french);"
PG_UNACCENT = [
    "CREATE EXTENSION IF NOT EXISTS unaccent;",
    "ALTER TEXT SEARCH CONFIGURATION cocon_french ALTER MAPPING FOR hword, hword_part, word "
    "WITH unaccent, french_stem;",
]
# a stored generated column: searching and re-checking rows read the vector instead of
# computing to_tsvector() again for every row (what made deep pages of a search slow)
PG_FORWARD = [
    """ALTER TABLE ideas_idea ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        to_tsvector('cocon_french'::regconfig,
            coalesce(title, '') || ' ' || coalesce(problem, '') || ' ' ||
            coalesce(proposal, ''))
    ) STORED""",
    "CREATE INDEX idea_fulltext_french ON ideas_idea USING gin (search_vector)",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS idea_fulltext_french;",
    "ALTER TABLE ideas_idea DROP COLUMN IF EXISTS search_vector;",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS cocon_french;",
]

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE ideas_idea_fts USING fts5(
        title, problem, proposal, content='ideas_idea', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER ideas_idea_fts_ai AFTER INSERT ON ideas_idea BEGIN
        INSERT INTO ideas_idea_fts(rowid, title, problem, proposal)
        VALUES (new.id, new.title, new.problem, new.proposal);
    END""",
    """CREATE TRIGGER ideas_idea_fts_ad AFTER DELETE ON ideas_idea BEGIN
        INSERT INTO ideas_idea_fts(ideas_idea_fts, rowid, title, problem, proposal)
        VALUES ('delete', old.id, old.title, old.problem, old.proposal);
    END""",
    """CREATE TRIGGER ideas_idea_fts_au AFTER UPDATE OF title, problem, proposal ON ideas_idea
    BEGIN
        INSERT INTO ideas_idea_fts(ideas_idea_fts, rowid, title, problem, proposal)
        VALUES ('delete', old.id, old.title, old.problem, old.proposal);
        INSERT INTO ideas_idea_fts(rowid, title, problem, proposal)
        VALUES (new.id, new.title, new.problem, new.proposal);
    END""",
    "INSERT INTO ideas_idea_fts(ideas_idea_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS ideas_idea_fts_au",
    "DROP TRIGGER IF EXISTS ideas_idea_fts_ad",
    "DROP TRIGGER IF EXISTS ideas_idea_fts_ai",
    "DROP TABLE IF EXISTS ideas_idea_fts",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_CONFIG)
        try:
            with transaction.atomic(using=schema_editor.connection.alias):
                for statement in PG_UNACCENT:
                    schema_editor.execute(statement)
        except DatabaseError:
            pass  # no unaccent here: French stemming without accent folding
        for statement in PG_FORWARD:
            schema_editor.execute(statement)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for statement in PG_BACKWARD:
            schema_editor.execute(statement)
    elif vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("ideas", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
