"""Database guards making the audit trail append-only (installed by migrations 0002 and 0003).

Events: UPDATE is always refused; DELETE (and TRUNCATE on PostgreSQL) is refused unless the
connection is in audit maintenance, which only `oncocenter flush` enters, and only where
`AUDIT_ALLOW_FLUSH` is on (the test settings, to empty the database between tests). The chain
head may only move forward one event at a time. On SQLite, maintenance is a function that
OncoCenter registers on its own connections; any other client (the sqlite3 shell) has no such
function, so its DELETE fails as well.

Whoever owns the database can still drop the triggers; audit-verify and the signed checkpoints
outside the database catch what they would hide.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

_state = threading.local()


def in_maintenance() -> int:
    return 1 if getattr(_state, "depth", 0) > 0 else 0


@contextlib.contextmanager
def audit_maintenance(connection: Any) -> Iterator[None]:
    """Allow deleting audit rows on this connection for the duration (flush only)."""
    _state.depth = getattr(_state, "depth", 0) + 1
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('oncocenter.audit_maintenance', 'on', false)")
    try:
        yield
    finally:
        _state.depth -= 1
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('oncocenter.audit_maintenance', '', false)")


def register_sqlite_function(sender: Any, connection: Any, **kwargs: Any) -> None:
    """`connection_created` receiver: the function the SQLite delete guards ask."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "oncocenter_audit_maintenance", 0, in_maintenance, deterministic=False
        )


_REFUSE = "SELECT RAISE(ABORT, 'audit events are append-only')"

SQLITE_GUARDS = [
    f"""CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN {_REFUSE}; END;""",
    f"""CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent
       WHEN NOT oncocenter_audit_maintenance() BEGIN {_REFUSE}; END;""",
    """CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_auditchainhead
       WHEN NEW.seq <> OLD.seq + 1
       BEGIN SELECT RAISE(ABORT, 'the audit chain head only moves forward'); END;""",
    """CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_auditchainhead
       WHEN NOT oncocenter_audit_maintenance()
       BEGIN SELECT RAISE(ABORT, 'the audit chain head only moves forward'); END;""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_event_no_update;",
    "DROP TRIGGER IF EXISTS audit_event_no_delete;",
    "DROP TRIGGER IF EXISTS audit_head_forward_only;",
    "DROP TRIGGER IF EXISTS audit_head_no_delete;",
]

PG_GUARDS = [
    """CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE OR REPLACE FUNCTION audit_no_delete() RETURNS trigger AS $$
       BEGIN
         IF current_setting('oncocenter.audit_maintenance', true) = 'on' THEN
           IF TG_LEVEL = 'ROW' THEN RETURN OLD; END IF;
           RETURN NULL;
         END IF;
         RAISE EXCEPTION USING MESSAGE =
           'audit events are append-only (' || TG_OP || ' refused)';
       END; $$ LANGUAGE plpgsql;""",
    """CREATE OR REPLACE FUNCTION audit_head_forward_only() RETURNS trigger AS $$
       BEGIN
         IF NEW.seq <> OLD.seq + 1 THEN
           RAISE EXCEPTION 'the audit chain head only moves forward';
         END IF;
         RETURN NEW;
       END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER audit_event_append_only BEFORE UPDATE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_append_only();""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_no_delete();""",
    """CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION audit_no_delete();""",
    """CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_auditchainhead
       FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only();""",
    """CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_auditchainhead
       FOR EACH ROW EXECUTE FUNCTION audit_no_delete();""",
    """CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_auditchainhead
       FOR EACH STATEMENT EXECUTE FUNCTION audit_no_delete();""",
]
PG_DROP = [
    "DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;",
    "DROP TRIGGER IF EXISTS audit_event_no_delete ON audit_auditevent;",
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;",
    "DROP TRIGGER IF EXISTS audit_head_forward_only ON audit_auditchainhead;",
    "DROP TRIGGER IF EXISTS audit_head_no_delete ON audit_auditchainhead;",
    "DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_auditchainhead;",
    "DROP FUNCTION IF EXISTS audit_append_only();",
    "DROP FUNCTION IF EXISTS audit_no_delete();",
    "DROP FUNCTION IF EXISTS audit_head_forward_only();",
]

# Migration 0002 installed only the update guard; 0003 replaces it with the full set.
_V1_SQLITE = [SQLITE_GUARDS[0]]
_V1_PG = [PG_GUARDS[0], PG_GUARDS[3]]


def _run(schema_editor: Any, sqlite: list[str], pg: list[str]) -> None:
    vendor = schema_editor.connection.vendor
    for sql in sqlite if vendor == "sqlite" else pg if vendor == "postgresql" else []:
        schema_editor.execute(sql)


def add_guards(apps: Any, schema_editor: Any) -> None:
    """Migration 0002 (the first version: updates refused)."""
    _run(schema_editor, _V1_SQLITE, _V1_PG)


def drop_guards(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, SQLITE_DROP, PG_DROP)


def add_guards_v2(apps: Any, schema_editor: Any) -> None:
    """Migration 0003: updates refused, deletes and truncates refused outside maintenance,
    the head only moves forward. Dropped first: SQLite loses triggers when a table is rebuilt."""
    drop_guards(apps, schema_editor)
    _run(schema_editor, SQLITE_GUARDS, PG_GUARDS)


def drop_guards_v2(apps: Any, schema_editor: Any) -> None:
    drop_guards(apps, schema_editor)
