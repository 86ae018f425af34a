"""French full-text search on knowledge entries, as Idées does it (`ideas/0002_fulltext`):

PostgreSQL: a stored generated column `search_vector` (question weighted A, answer B)
with the `cocon_french` configuration created by the ideas migration, and a GIN index.
Typo tolerance, as pg_trgm's documentation suggests for spelling suggestions: a
vocabulary `guichet_knowledge_word` of the distinct words of the entries (lower case,
accents folded by `unaccent` when the ideas migration could create it) with a GIN
trigram index; a mistyped word is widened to its closest vocabulary words (`%`,
`similarity`) before the full-text search. The vocabulary is filled here and kept up to
date by triggers (new entries: one statement-level trigger over the inserted rows, so a
bulk load costs one INSERT; edited question or answer: a row trigger); it never shrinks
(a word of a deleted entry only widens a typo to a word that finds nothing). Needs
`pg_trgm` (a trusted extension shipped with PostgreSQL); without it, no typo tolerance.

SQLite: an FTS5 table with external content kept in step by triggers (accents removed,
each word as a prefix), and an `fts5vocab` view of its terms: a mistyped word is
replaced by the indexed terms whose trigrams are close (`cocon.lib.similar`)."""

from django.db import DatabaseError, migrations, transaction

# the words of a text as the vocabulary keeps them: the `simple` parser's words (d'adresse:
# d, adresse), 3 to 40 characters, without digits, URLs or e-mail pieces; {fold} is
# unaccent(lower(...)) or lower(...) (see `pg_vocabulary`)
PG_WORDS_FUNCTION = """CREATE FUNCTION guichet_knowledge_words(text) RETURNS SETOF text
    LANGUAGE sql STABLE AS $$
        SELECT DISTINCT t.lexeme FROM unnest(to_tsvector('simple', {fold})) AS t
        WHERE length(t.lexeme) BETWEEN 3 AND 40 AND t.lexeme !~ '[0-9_.@/:-]'
    $$"""
PG_TRGM = "CREATE EXTENSION IF NOT EXISTS pg_trgm;"
PG_VOCABULARY = [
    "CREATE TABLE guichet_knowledge_word (word text PRIMARY KEY)",
    "CREATE INDEX guichet_knowledge_word_trgm ON guichet_knowledge_word "
    "USING gin (word gin_trgm_ops)",
    # new entries: one INSERT per statement (bulk loads), words in order (no deadlock
    # between two transactions adding the same words)
    """CREATE FUNCTION guichet_knowledge_words_added() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO guichet_knowledge_word (word)
        SELECT DISTINCT w.word FROM new_rows,
            guichet_knowledge_words(new_rows.question || ' ' || new_rows.answer) AS w(word)
        ORDER BY 1 ON CONFLICT DO NOTHING;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER guichet_knowledge_words_ai AFTER INSERT ON guichet_knowledgeentry
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION guichet_knowledge_words_added()""",
    """CREATE FUNCTION guichet_knowledge_words_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO guichet_knowledge_word (word)
        SELECT w.word FROM guichet_knowledge_words(NEW.question || ' ' || NEW.answer) AS w(word)
        ORDER BY 1 ON CONFLICT DO NOTHING;
        RETURN NULL;
    END $$""",
    # a row trigger (a statement trigger with transition tables cannot name columns):
    # only when the question or the answer changed, not on every usage count
    """CREATE TRIGGER guichet_knowledge_words_au AFTER UPDATE OF question, answer
    ON guichet_knowledgeentry FOR EACH ROW
    WHEN (old.question IS DISTINCT FROM new.question OR old.answer IS DISTINCT FROM new.answer)
    EXECUTE FUNCTION guichet_knowledge_words_changed()""",
    """INSERT INTO guichet_knowledge_word (word)
    SELECT DISTINCT w.word FROM guichet_knowledgeentry,
        guichet_knowledge_words(question || ' ' || answer) AS w(word)
    ORDER BY 1 ON CONFLICT DO NOTHING""",
]
PG_FORWARD = [
    """ALTER TABLE guichet_knowledgeentry ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('cocon_french'::regconfig, coalesce(question, '')), 'A') ||
        setweight(to_tsvector('cocon_french'::regconfig, coalesce(answer, '')), 'B')
    ) STORED""",
    "CREATE INDEX guichet_knowledge_fulltext ON guichet_knowledgeentry USING gin (search_vector)",
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS guichet_knowledge_words_au ON guichet_knowledgeentry;",
    "DROP TRIGGER IF EXISTS guichet_knowledge_words_ai ON guichet_knowledgeentry;",
    "DROP FUNCTION IF EXISTS guichet_knowledge_words_changed();",
    "DROP FUNCTION IF EXISTS guichet_knowledge_words_added();",
    "DROP FUNCTION IF EXISTS guichet_knowledge_words(text);",
    "DROP TABLE IF EXISTS guichet_knowledge_word;",
    "DROP INDEX IF EXISTS guichet_knowledge_fulltext;",
    "ALTER TABLE guichet_knowledgeentry DROP COLUMN IF EXISTS search_vector;",
]

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE guichet_knowledge_fts USING fts5(
        question, answer, content='guichet_knowledgeentry', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    "CREATE VIRTUAL TABLE guichet_knowledge_vocab USING fts5vocab(guichet_knowledge_fts, row)",
    """CREATE TRIGGER guichet_knowledge_fts_ai AFTER INSERT ON guichet_knowledgeentry BEGIN
        INSERT INTO guichet_knowledge_fts(rowid, question, answer)
        VALUES (new.id, new.question, new.answer);
    END""",
    """CREATE TRIGGER guichet_knowledge_fts_ad AFTER DELETE ON guichet_knowledgeentry BEGIN
        INSERT INTO guichet_knowledge_fts(guichet_knowledge_fts, rowid, question, answer)
        VALUES ('delete', old.id, old.question, old.answer);
    END""",
    """CREATE TRIGGER guichet_knowledge_fts_au AFTER UPDATE OF question, answer
    ON guichet_knowledgeentry BEGIN
        INSERT INTO guichet_knowledge_fts(guichet_knowledge_fts, rowid, question, answer)
        VALUES ('delete', old.id, old.question, old.answer);
        INSERT INTO guichet_knowledge_fts(rowid, question, answer)
        VALUES (new.id, new.question, new.answer);
    END""",
    "INSERT INTO guichet_knowledge_fts(guichet_knowledge_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS guichet_knowledge_fts_au",
    "DROP TRIGGER IF EXISTS guichet_knowledge_fts_ad",
    "DROP TRIGGER IF EXISTS guichet_knowledge_fts_ai",
    "DROP TABLE IF EXISTS guichet_knowledge_vocab",
    "DROP TABLE IF EXISTS guichet_knowledge_fts",
]


def pg_vocabulary(schema_editor) -> list[str]:
    """The statements of the typo-tolerance vocabulary, folding accents with `unaccent`
    when the ideas migration could create it (as `cocon_french` does)."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'unaccent'")
        fold = "unaccent(lower($1))" if cursor.fetchone() else "lower($1)"
    return [PG_TRGM, PG_WORDS_FUNCTION.format(fold=fold), *PG_VOCABULARY]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for statement in PG_FORWARD:
            schema_editor.execute(statement)
        try:
            with transaction.atomic(using=schema_editor.connection.alias):
                for statement in pg_vocabulary(schema_editor):
                    schema_editor.execute(statement)
        except DatabaseError:
            pass  # no pg_trgm here: full-text search without typo tolerance
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
    dependencies = [("guichet", "0001_initial"), ("ideas", "0002_fulltext")]

    operations = [migrations.RunPython(forward, backward)]
