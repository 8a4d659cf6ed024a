"""On PostgreSQL, forbid two stays of one room sharing a night (exclusion on date ranges).

Nights are the half-open range [check_in, check_out); an open-ended stay runs to infinity.
SQLite has no exclusion constraints: there the service's locked check and the partial unique
index on open stays hold the rule.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE support_shelterstay ADD CONSTRAINT stay_no_overlap_in_room
  EXCLUDE USING gist (
    room_id WITH =,
    daterange(check_in, COALESCE(check_out, 'infinity'::date), '[)') WITH &&
  ) WHERE (status <> 'cancelled');
"""
DROP = "ALTER TABLE support_shelterstay DROP CONSTRAINT IF EXISTS stay_no_overlap_in_room;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("support", "0001_pediatric_support")]
    operations = [migrations.RunPython(forwards, backwards)]
