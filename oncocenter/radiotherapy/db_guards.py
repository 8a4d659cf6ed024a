"""Database guards: signatures and delivery records are append-only (used by migration 0004).

A signature may only be voided once (voided_at and reason set); a delivery may only be marked
entered-in-error once. Any other change is refused by the database itself, whatever the code path.
Deletion is refused on PostgreSQL; SQLite cannot refuse it because Django's test flush deletes rows
(the same trade-off as the audit table).
"""

SIGNATURE_FIXED = (
    "meaning",
    "course_id",
    "prescription_id",
    "plan_id",
    "signed_version",
    "signer_id",
    "signer_role",
    "credential_number",
    "signed_at",
    "statement",
)
DELIVERY_FIXED = (
    "fraction_id",
    "recorded_by_id",
    "recorded_at",
    "delivered_at",
    "machine_id",
    "meterset_delivered",
    "dose_delivered_gy",
    "partial",
    "identifiers_confirmed",
    "plan_version",
    "prescription_version",
    "authorised_by",
    "replaces_id",
    "notes",
)
#: Migration 0007 (issue 15) adds the console-vs-entry facts of a delivery; they are fixed too.
DELIVERY_FIXED_V2 = (
    *DELIVERY_FIXED,
    "late_entry",
    "late_entry_reason",
    "off_schedule",
    "override_signature_id",
)


def _changed(columns: tuple[str, ...], op: str) -> str:
    return " OR ".join(f"NEW.{c} {op} OLD.{c}" for c in columns)


def _sqlite_guards(delivery_fixed: tuple[str, ...]) -> list[str]:
    return [
        f"""CREATE TRIGGER rt_signature_append_only BEFORE UPDATE ON radiotherapy_signature
       WHEN OLD.voided_at IS NOT NULL OR {_changed(SIGNATURE_FIXED, "IS NOT")}
       BEGIN SELECT RAISE(ABORT, 'signatures are append-only: only voiding is allowed'); END;""",
        f"""CREATE TRIGGER rt_delivery_append_only BEFORE UPDATE ON radiotherapy_delivery
       WHEN OLD.status = 'entered-in-error' OR {_changed(delivery_fixed, "IS NOT")}
       BEGIN SELECT RAISE(ABORT, 'delivery records are append-only: only entered-in-error is allowed'); END;""",
    ]


SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS rt_signature_append_only;",
    "DROP TRIGGER IF EXISTS rt_delivery_append_only;",
]


def _pg_guards(delivery_fixed: tuple[str, ...]) -> list[str]:
    return [
        f"""CREATE OR REPLACE FUNCTION rt_signature_append_only() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'signatures are never deleted'; END IF;
         IF OLD.voided_at IS NOT NULL OR {_changed(SIGNATURE_FIXED, "IS DISTINCT FROM")} THEN
           RAISE EXCEPTION 'signatures are append-only: only voiding is allowed';
         END IF;
         RETURN NEW;
       END; $$ LANGUAGE plpgsql;""",
        """CREATE TRIGGER rt_signature_append_only BEFORE UPDATE OR DELETE ON radiotherapy_signature
       FOR EACH ROW EXECUTE FUNCTION rt_signature_append_only();""",
        f"""CREATE OR REPLACE FUNCTION rt_delivery_append_only() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'delivery records are never deleted'; END IF;
         IF OLD.status = 'entered-in-error' OR {_changed(delivery_fixed, "IS DISTINCT FROM")} THEN
           RAISE EXCEPTION 'delivery records are append-only: only entered-in-error is allowed';
         END IF;
         RETURN NEW;
       END; $$ LANGUAGE plpgsql;""",
        """CREATE TRIGGER rt_delivery_append_only BEFORE UPDATE OR DELETE ON radiotherapy_delivery
       FOR EACH ROW EXECUTE FUNCTION rt_delivery_append_only();""",
    ]


SQLITE_GUARDS = _sqlite_guards(DELIVERY_FIXED)
PG_GUARDS = _pg_guards(DELIVERY_FIXED)
PG_DROP = [
    "DROP TRIGGER IF EXISTS rt_signature_append_only ON radiotherapy_signature;",
    "DROP TRIGGER IF EXISTS rt_delivery_append_only ON radiotherapy_delivery;",
    "DROP FUNCTION IF EXISTS rt_signature_append_only();",
    "DROP FUNCTION IF EXISTS rt_delivery_append_only();",
]


def _add(schema_editor, delivery_fixed: tuple[str, ...]) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        sqls = _sqlite_guards(delivery_fixed)
    elif vendor == "postgresql":
        sqls = _pg_guards(delivery_fixed)
    else:
        sqls = []
    for sql in sqls:
        schema_editor.execute(sql)


def add_guards(apps, schema_editor):
    _add(schema_editor, DELIVERY_FIXED)


def add_guards_v2(apps, schema_editor):
    _add(schema_editor, DELIVERY_FIXED_V2)


def drop_guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in SQLITE_DROP if vendor == "sqlite" else PG_DROP if vendor == "postgresql" else []:
        schema_editor.execute(sql)
