"""What each database searches the index with.

PostgreSQL: text search configurations `comptoir_fr` and `comptoir_en` (French and English
stemming after `unaccent`), two generated `tsvector` columns with GIN indexes (names and
codes weigh A, text C), and trigram GIN indexes on the accent-free names for typo
tolerance. The `unaccent` and `pg_trgm` extensions and `comptoir_unaccent()` come from
catalog 0002.

SQLite: an FTS5 table over the documents (external content, kept in step by triggers),
accents removed and English Porter stemming.
"""

from django.db import migrations

POSTGRES_FORWARD = [
    "CREATE TEXT SEARCH CONFIGURATION comptoir_fr (COPY = pg_catalog.french)",
    "ALTER TEXT SEARCH CONFIGURATION comptoir_fr ALTER MAPPING FOR hword, hword_part, word "
    "WITH public.unaccent, french_stem",
    "CREATE TEXT SEARCH CONFIGURATION comptoir_en (COPY = pg_catalog.english)",
    "ALTER TEXT SEARCH CONFIGURATION comptoir_en ALTER MAPPING FOR hword, hword_part, word "
    "WITH public.unaccent, english_stem",
    """
    ALTER TABLE search_searchdocument ADD COLUMN vector_fr tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('comptoir_fr'::regconfig, name_fr), 'A')
        || setweight(to_tsvector('simple'::regconfig, comptoir_unaccent(codes)), 'A')
        || setweight(to_tsvector('comptoir_fr'::regconfig, text_fr), 'C')
    ) STORED
    """,
    """
    ALTER TABLE search_searchdocument ADD COLUMN vector_en tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('comptoir_en'::regconfig, coalesce(nullif(name_en, ''), name_fr)), 'A')
        || setweight(to_tsvector('simple'::regconfig, comptoir_unaccent(codes)), 'A')
        || setweight(to_tsvector('comptoir_en'::regconfig, coalesce(nullif(text_en, ''), text_fr)), 'C')
    ) STORED
    """,
    "CREATE INDEX search_document_fr_idx ON search_searchdocument USING gin (vector_fr)",
    "CREATE INDEX search_document_en_idx ON search_searchdocument USING gin (vector_en)",
    "CREATE INDEX search_name_fr_trgm ON search_searchdocument "
    "USING gin (comptoir_unaccent(name_fr) gin_trgm_ops)",
    "CREATE INDEX search_name_en_trgm ON search_searchdocument "
    "USING gin (comptoir_unaccent(name_en) gin_trgm_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_name_en_trgm",
    "DROP INDEX IF EXISTS search_name_fr_trgm",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS vector_en",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS vector_fr",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS comptoir_en",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS comptoir_fr",
]
_FTS_COLUMNS = "name_fr, name_en, codes, text_fr, text_en"
SQLITE_FORWARD = [
    f"CREATE VIRTUAL TABLE search_fts USING fts5({_FTS_COLUMNS}, "
    "content='search_searchdocument', content_rowid='product_id', "
    "tokenize='porter unicode61 remove_diacritics 2', prefix='2 3')",
    f"""CREATE TRIGGER search_fts_ai AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, {_FTS_COLUMNS})
        VALUES (new.product_id, new.name_fr, new.name_en, new.codes, new.text_fr, new.text_en);
    END""",
    f"""CREATE TRIGGER search_fts_ad AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, {_FTS_COLUMNS})
        VALUES ('delete', old.product_id, old.name_fr, old.name_en, old.codes, old.text_fr,
                old.text_en);
    END""",
    f"""CREATE TRIGGER search_fts_au AFTER UPDATE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, {_FTS_COLUMNS})
        VALUES ('delete', old.product_id, old.name_fr, old.name_en, old.codes, old.text_fr,
                old.text_en);
        INSERT INTO search_fts(rowid, {_FTS_COLUMNS})
        VALUES (new.product_id, new.name_fr, new.name_en, new.codes, new.text_fr, new.text_en);
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_fts_au",
    "DROP TRIGGER IF EXISTS search_fts_ad",
    "DROP TRIGGER IF EXISTS search_fts_ai",
    "DROP TABLE IF EXISTS search_fts",
]
STATEMENTS = {
    "postgresql": (POSTGRES_FORWARD, POSTGRES_BACKWARD),
    "sqlite": (SQLITE_FORWARD, SQLITE_BACKWARD),
}


def _run(schema_editor, index):
    statements = STATEMENTS.get(schema_editor.connection.vendor)
    if statements is None:
        return
    for statement in statements[index]:
        schema_editor.execute(statement)


def forwards(apps, schema_editor):
    _run(schema_editor, 0)


def backwards(apps, schema_editor):
    _run(schema_editor, 1)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
        ("catalog", "0002_search_indexes"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
