"""Trigram (pg_trgm) GIN indexes for name and MRN search on PostgreSQL; nothing on SQLite.

`LIKE '%김민%'` and `LIKE '%kim min%'` cannot use a b-tree index; a GIN index over trigrams
can (for patterns of three characters or more). The Latin search column is already lower-cased,
so the search uses `LIKE` on it (not `UPPER(..) LIKE UPPER(..)`), which the index serves.
"""

from django.db import migrations

INDEXES = [
    ("patient_name_ko_trgm", "name_ko"),
    ("patient_name_en_trgm", "name_en_search"),
    ("patient_mrn_trgm", "mrn"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # Trusted extension since PostgreSQL 13: a database owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON patients_patient "
            f"USING gin ({column} gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("patients", "0008_break_glass_access")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
