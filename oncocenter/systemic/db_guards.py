"""Database guards: day decisions and administrations are append-only (used by migration 0003).

No UPDATE is allowed on them, whatever the code path; a correction is a new row. DELETE is refused
on PostgreSQL; SQLite cannot refuse it because Django's test flush deletes rows (the trade-off the
audit and radiotherapy tables make too)."""

from __future__ import annotations

from typing import Any

TABLES = ("systemic_dayrelease", "systemic_administration")


def _sqlite(table: str) -> str:
    return (
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;"
    )


def _pg(table: str) -> list[str]:
    return [
        f"""CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION '{table} is append-only'; END; $$ LANGUAGE plpgsql;""",
        f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
           FOR EACH ROW EXECUTE FUNCTION {table}_append_only();""",
    ]


def add_guards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            schema_editor.execute(_sqlite(table))
        elif vendor == "postgresql":
            for sql in _pg(table):
                schema_editor.execute(sql)


def drop_guards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only;")
        elif vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_append_only();")
