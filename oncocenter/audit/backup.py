"""Backup and restore of the whole database, with a manifest to check a restore against.

SQLite: SQLite's online backup API (consistent while the server runs). PostgreSQL: `pg_dump
--format=custom` and `pg_restore` (the client tools of the server's major version). Next to each
backup a manifest (`<backup>.json`) records the row count of every table and the audit chain's
length and head; `restore` loads into an EMPTY database only, then compares the counts and
verifies the audit chain (its keyed hashes and the checkpoints outside the database).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import connections
from django.utils import timezone

from oncocenter.audit.models import AuditChainHead
from oncocenter.audit.services import VerifyResult, audit_verify


class BackupError(Exception):
    """Said to the operator as is (a command error)."""


def table_counts(using: str = "default") -> dict[str, int]:
    return {
        model._meta.db_table: model._base_manager.using(using).count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


def _manifest(using: str, vendor: str) -> dict[str, Any]:
    heads = list(AuditChainHead.objects.using(using).order_by("id"))
    return {
        "format": "oncocenter-backup/2",
        "vendor": vendor,
        "taken_at": timezone.now().isoformat(timespec="seconds"),
        "audit_events": sum(head.seq for head in heads),
        # Each shard's chain head (audit/services.py): shard -> [events, head hash].
        "audit_heads": {str(head.id): [head.seq, head.hash] for head in heads},
        "tables": table_counts(using),
    }


def _pg_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return env


def backup(*, out_dir: Path, using: str = "default") -> Path:
    """Write a backup of the database and its manifest into out_dir; return the backup's path."""
    connection = connections[using]
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    manifest = _manifest(using, connection.vendor)
    if connection.vendor == "sqlite":
        target = out_dir / f"oncocenter-{stamp}.sqlite3"
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
    elif connection.vendor == "postgresql":
        target = out_dir / f"oncocenter-{stamp}.dump"
        settings_dict = connection.settings_dict
        # The PostgreSQL client tool from PATH, with arguments from the settings (not user input).
        done = subprocess.run(  # noqa: S603
            [  # noqa: S607
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "-f",
                str(target),
                settings_dict["NAME"],
            ],
            env=_pg_env(settings_dict),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    else:
        raise BackupError(f"no backup for the {connection.vendor} database")
    os.chmod(target, 0o600)
    Path(f"{target}.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return target


@dataclass(frozen=True)
class RestoreResult:
    mismatches: list[str]
    verify: VerifyResult

    @property
    def ok(self) -> bool:
        return not self.mismatches and self.verify.ok


def _target_is_empty(using: str) -> bool:
    connection = connections[using]
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def restore(
    *, source: Path, using: str = "default", checkpoint_file: Path | str | None = None
) -> RestoreResult:
    """Load a backup into the (empty) database `using`, then check it against the manifest and
    verify the audit chain."""
    if not source.exists():
        raise BackupError(f"{source} does not exist")
    manifest_path = Path(f"{source}.json")
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else None
    connection = connections[using]
    if not _target_is_empty(using):
        raise BackupError(
            f"the target database {connection.settings_dict['NAME']} is not empty; restore into "
            "an empty database (a new file, or a new PostgreSQL database)"
        )
    if connection.vendor == "sqlite":
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            connection.ensure_connection()
            src.backup(connection.connection)
        finally:
            src.close()
    elif connection.vendor == "postgresql":
        settings_dict = connection.settings_dict
        connection.close()
        done = subprocess.run(  # noqa: S603
            [  # noqa: S607
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                "-d",
                settings_dict["NAME"],
                str(source),
            ],
            env=_pg_env(settings_dict),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise BackupError(f"pg_restore failed: {done.stderr.strip()}")
    else:
        raise BackupError(f"no restore for the {connection.vendor} database")
    mismatches: list[str] = []
    if manifest is not None:
        counts = table_counts(using)
        for table, expected in sorted(manifest["tables"].items()):
            if counts.get(table) != expected:
                mismatches.append(f"{table}: {counts.get(table)} rows, backup had {expected}")
    else:
        mismatches.append(f"no manifest ({manifest_path.name}) to compare the counts with")
    return RestoreResult(mismatches, audit_verify(checkpoint_file=checkpoint_file, using=using))
