"""On PostgreSQL, refuse overlapping active bookings on one machine in the database itself.

SQLite has no exclusion constraints; there the booking service's machine row lock (and SQLite's
single writer) is the guard. The constraint is the last line of defence against a bug or a
writer that bypasses the service.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE scheduling_booking ADD CONSTRAINT sched_booking_no_overlap
    EXCLUDE USING gist (machine_id WITH =, tstzrange(start, "end", '[)') WITH &&)
    WHERE (status = 'booked');
"""
DROP = "ALTER TABLE scheduling_booking DROP CONSTRAINT IF EXISTS sched_booking_no_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0002_downtime_and_bookings")]

    operations = [migrations.RunPython(forwards, backwards)]
