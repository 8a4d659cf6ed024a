"""Database triggers that keep a clinical table append-only (SQLite and PostgreSQL).

Two shapes, as the signature, delivery, audit and systemic guards before them:

- `frozen(table)`: no UPDATE at all (a correction is a new row);
- `complete_once(table, fixed=..., open_column=...)`: the row is written once and then completed
  once (a QA hold released, an image review signed, a suspension resumed): an UPDATE is allowed
  only while `open_column` is NULL and never changes the `fixed` columns.

DELETE is refused on PostgreSQL (TRUNCATE, which Django's test flush uses there, fires no row
trigger); SQLite cannot refuse it because Django's test flush deletes rows there (the trade-off
the audit, radiotherapy and systemic tables make too). Migrations call `add(...)`/`drop(...)`
from `RunPython`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Guard:
    table: str
    fixed: tuple[str, ...] = ()
    open_column: str = ""  # empty: frozen

    @property
    def name(self) -> str:
        return f"{self.table}_append_only"

    def _changed(self, op: str) -> str:
        return " OR ".join(f"NEW.{c} {op} OLD.{c}" for c in self.fixed)

    def sqlite(self) -> list[str]:
        msg = f"{self.table} is append-only"
        if not self.open_column:
            when = ""
        else:
            when = f"WHEN OLD.{self.open_column} IS NOT NULL OR {self._changed('IS NOT')} "
        return [
            f"CREATE TRIGGER {self.name} BEFORE UPDATE ON {self.table} {when}"
            f"BEGIN SELECT RAISE(ABORT, '{msg}'); END;"
        ]

    def postgresql(self) -> list[str]:
        msg = f"{self.table} is append-only"
        if not self.open_column:
            check = f"RAISE EXCEPTION '{msg}';"
        else:
            check = (
                f"IF OLD.{self.open_column} IS NOT NULL OR {self._changed('IS DISTINCT FROM')} "
                f"THEN RAISE EXCEPTION '{msg}'; END IF;"
            )
        return [
            f"""CREATE OR REPLACE FUNCTION {self.name}() RETURNS trigger AS $$
           BEGIN
             IF TG_OP = 'DELETE' THEN RAISE EXCEPTION '{self.table} rows are never deleted'; END IF;
             {check}
             RETURN NEW;
           END; $$ LANGUAGE plpgsql;""",
            f"""CREATE TRIGGER {self.name} BEFORE UPDATE OR DELETE ON {self.table}
           FOR EACH ROW EXECUTE FUNCTION {self.name}();""",
        ]

    def drop(self, vendor: str) -> list[str]:
        if vendor == "sqlite":
            return [f"DROP TRIGGER IF EXISTS {self.name};"]
        if vendor == "postgresql":
            return [
                f"DROP TRIGGER IF EXISTS {self.name} ON {self.table};",
                f"DROP FUNCTION IF EXISTS {self.name}();",
            ]
        return []


def frozen(table: str) -> Guard:
    return Guard(table)


def complete_once(table: str, *, fixed: Sequence[str], open_column: str) -> Guard:
    return Guard(table, tuple(fixed), open_column)


def add(schema_editor: Any, guards: Sequence[Guard]) -> None:
    vendor = schema_editor.connection.vendor
    for g in guards:
        sqls = (
            g.sqlite() if vendor == "sqlite" else g.postgresql() if vendor == "postgresql" else []
        )
        for sql in sqls:
            schema_editor.execute(sql)


def drop(schema_editor: Any, guards: Sequence[Guard]) -> None:
    vendor = schema_editor.connection.vendor
    for g in guards:
        for sql in g.drop(vendor):
            schema_editor.execute(sql)
