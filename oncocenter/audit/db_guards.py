"""Database guards making the audit table append-only (used by migration 0002)."""

SQLITE_GUARDS = [
    # Deletion is refused by the application and detected by audit-verify; SQLite cannot refuse it
    # here because Django's test flush on SQLite deletes rows.
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS audit_event_no_update;"]

PG_GUARDS = [
    """CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_append_only();""",
]
PG_DROP = [
    "DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;",
    "DROP FUNCTION IF EXISTS audit_append_only();",
]


def add_guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in SQLITE_GUARDS if vendor == "sqlite" else PG_GUARDS if vendor == "postgresql" else []:
        schema_editor.execute(sql)


def drop_guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in SQLITE_DROP if vendor == "sqlite" else PG_DROP if vendor == "postgresql" else []:
        schema_editor.execute(sql)
