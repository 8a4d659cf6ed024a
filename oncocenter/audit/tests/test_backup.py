"""Backup, then restore into an empty database: the counts match and the audit chain verifies;
a restore into a database that is not empty is refused."""

import contextlib
import uuid

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.db.utils import load_backend

from oncocenter.audit.backup import BackupError, backup, restore, table_counts
from oncocenter.audit.services import audit_record
from oncocenter.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db(transaction=True)


@contextlib.contextmanager
def empty_database(tmp_path):
    """A second, empty database of the same kind, reachable as the alias 'restored'."""
    base = dict(connections.settings["default"])
    name = ""
    if connection.vendor == "sqlite":
        base["NAME"] = str(tmp_path / "restored.sqlite3")
    else:
        name = f"oc_17_restore_{uuid.uuid4().hex[:8]}"
        admin = psycopg.connect(
            host=base["HOST"] or None,
            port=base["PORT"] or None,
            user=base["USER"] or None,
            dbname="postgres",
            autocommit=True,
        )
        admin.execute(f'CREATE DATABASE "{name}"')
        base["NAME"] = name
    # A connection made here, not declared in settings: Django's test isolation allows it.
    connections["restored"] = load_backend(base["ENGINE"]).DatabaseWrapper(base, "restored")
    try:
        yield "restored"
    finally:
        connections["restored"].close()
        del connections["restored"]
        if name:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.close()


def _data():
    patients = PatientFactory.create_batch(3)
    for p in patients:
        audit_record(action="read", obj=p)


def test_backup_then_restore_into_an_empty_database(tmp_path):
    _data()
    target = backup(out_dir=tmp_path / "backups")
    assert target.exists() and (tmp_path / "backups" / f"{target.name}.json").exists()
    expected = table_counts()
    with empty_database(tmp_path) as alias:
        result = restore(source=target, using=alias)
        assert result.ok, (result.mismatches, result.verify.message())
        assert result.verify.count == expected["audit_auditevent"] >= 3
        assert table_counts(alias) == expected
        assert expected["patients_patient"] == 3


def test_restore_refuses_a_database_that_is_not_empty(tmp_path):
    _data()
    target = backup(out_dir=tmp_path)
    with pytest.raises(BackupError, match="not empty"):
        restore(source=target)


def test_commands(tmp_path, capsys):
    _data()
    call_command("backup", out=str(tmp_path))
    out = capsys.readouterr().out
    assert "backup written" in out
    path = out.split("backup written: ")[1].split(" (manifest")[0]
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", path)
