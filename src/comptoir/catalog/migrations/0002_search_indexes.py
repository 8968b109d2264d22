"""List and search support on PostgreSQL: a covering partial index of published listings;
unaccent + pg_trgm, an immutable comptoir_unaccent(text) (lower-cased, accent-free) and
trigram GIN indexes on what product search reads.

On other databases (SQLite) this migration does nothing; search falls back to LIKE there.
"""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

FORWARD = [
    # unaccent() is only STABLE (it reads a dictionary), so it cannot appear in an index.
    # This wrapper pins the dictionary and is declared IMMUTABLE, the usual workaround.
    """
    CREATE OR REPLACE FUNCTION comptoir_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, lower($1)) $$
    """,
    # Published listings of a channel in catalog order, with what the list page and its
    # count read: both become index-only scans (the count no longer visits the table).
    "CREATE INDEX IF NOT EXISTS catalog_pcl_published_idx ON catalog_productchannellisting "
    "(channel_id, product_id) INCLUDE (published_at, price_from) WHERE is_published",
    "CREATE INDEX IF NOT EXISTS catalog_product_name_trgm ON catalog_product "
    "USING gin (comptoir_unaccent(name) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS catalog_product_brand_trgm ON catalog_product "
    "USING gin (comptoir_unaccent(brand) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS catalog_producttr_name_trgm ON catalog_producttranslation "
    "USING gin (comptoir_unaccent(name) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS catalog_variant_sku_trgm ON catalog_productvariant "
    "USING gin (comptoir_unaccent(sku) gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS catalog_variant_sku_trgm",
    "DROP INDEX IF EXISTS catalog_producttr_name_trgm",
    "DROP INDEX IF EXISTS catalog_product_brand_trgm",
    "DROP INDEX IF EXISTS catalog_product_name_trgm",
    "DROP INDEX IF EXISTS catalog_pcl_published_idx",
    "DROP FUNCTION IF EXISTS comptoir_unaccent(text)",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in FORWARD:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in BACKWARD:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        # Both are no-ops on databases other than PostgreSQL.
        UnaccentExtension(),
        TrigramExtension(),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
