"""The tamper cases of issue 17: what audit-verify finds and says for each, and the database
guards that refuse deletion and truncation."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import override_settings

from oncocenter.audit.checkpoints import checkpoint_read
from oncocenter.audit.keys import current_key_id
from oncocenter.audit.models import AuditChainHead, AuditEvent
from oncocenter.audit.services import (
    GENESIS,
    _canonical,
    audit_record,
    audit_verify,
    checkpoint_write,
)
from oncocenter.audit.tests.test_services import _disable_guards

pytestmark = pytest.mark.django_db


@pytest.fixture
def cp_file(tmp_path, settings):
    path = tmp_path / "audit-checkpoints.jsonl"
    settings.AUDIT_CHECKPOINT_FILE = str(path)
    settings.AUDIT_CHECKPOINT_EVERY = 0
    return path


def _events(n, start=0):
    return [audit_record(action="read", object_type="x", detail={"i": start + i}) for i in range(n)]


def _rehash_from(seq, hasher):
    """What an attacker with database access does: edit one event, then recompute every later
    link and the head, so the chain is consistent again with the hash function they know."""
    prev = GENESIS if seq == 1 else AuditEvent.objects.get(seq=seq - 1).hash
    for event in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
        event.prev_hash = prev
        event.hash = hasher(event)
        AuditEvent.objects.filter(pk=event.pk).update(prev_hash=event.prev_hash, hash=event.hash)
        prev = event.hash
    AuditChainHead.objects.filter(id=1).update(hash=prev)


def _sha256(event):
    import hashlib

    return hashlib.sha256(_canonical(event)).hexdigest()


def test_events_carry_the_keyed_hash_not_a_plain_sha256():
    event = _events(1)[0]
    assert event.key_id == current_key_id()
    assert event.hash != _sha256(event)
    assert audit_verify().ok


def test_edit_with_every_later_hash_recomputed_is_caught_without_the_key():
    _events(6)
    _disable_guards()
    AuditEvent.objects.filter(seq=3).update(detail={"i": 99})
    _rehash_from(3, _sha256)
    result = audit_verify()
    assert not result.ok and result.broken_seq == 3
    assert "keyed hash does not match" in result.reason


def test_edit_rewritten_as_unkeyed_events_is_caught():
    _events(4)
    _disable_guards()
    AuditEvent.objects.filter(seq__gte=3).update(key_id="")
    _rehash_from(3, _sha256)
    result = audit_verify()
    assert not result.ok and result.broken_seq == 3 and "unkeyed" in result.reason


def test_edit_with_a_stolen_key_is_caught_by_the_checkpoint(cp_file):
    _events(5)
    checkpoint_write()
    _disable_guards()
    AuditEvent.objects.filter(seq=2).update(detail={"i": 99})
    from oncocenter.audit.services import compute_hash

    _rehash_from(2, compute_hash)
    result = audit_verify()
    assert not result.ok and result.broken_seq == 5
    assert "differs from the checkpoint" in result.reason


def test_tail_cut_with_head_updated_is_caught_by_the_checkpoint(cp_file):
    events = _events(8)
    checkpoint_write()
    _disable_guards()
    AuditEvent.objects.filter(seq__gt=5).delete()
    AuditChainHead.objects.filter(id=1).update(seq=5, hash=events[4].hash)
    result = audit_verify()
    assert not result.ok
    assert "records 8 events but the database holds 5" in result.reason
    assert "cut from the end" in result.reason


def test_full_wipe_is_caught_by_the_checkpoint(cp_file):
    _events(4)
    checkpoint_write()
    _disable_guards()
    AuditEvent.objects.all().delete()
    AuditChainHead.objects.all().delete()
    result = audit_verify()
    assert not result.ok
    assert "every event was deleted" in result.reason and "records 4 events" in result.reason


def test_restore_of_an_older_database_is_caught(cp_file):
    _events(3)
    checkpoint_write()
    with transaction.atomic():
        sid = transaction.savepoint()
        _events(4, start=3)
        checkpoint_write()
        # Going back to the state of the older backup (the database is rolled back; the
        # checkpoint file outside it keeps the later checkpoint).
        transaction.savepoint_rollback(sid)
    result = audit_verify()
    assert not result.ok and "records 7 events but the database holds 3" in result.reason
    assert "older database was restored" in result.reason


def test_edited_checkpoint_file_is_named(cp_file):
    _events(2)
    checkpoint_write()
    line = json.loads(cp_file.read_text())
    line["seq"] = 1
    cp_file.write_text(json.dumps(line) + "\n")
    result = audit_verify()
    assert not result.ok and "signature does not match" in result.reason


def test_periodic_checkpoints_are_written_on_commit(
    cp_file, settings, django_capture_on_commit_callbacks
):
    settings.AUDIT_CHECKPOINT_EVERY = 3
    with django_capture_on_commit_callbacks(execute=True):
        _events(7)
    assert [cp.seq for cp in checkpoint_read()] == [3, 6]
    result = audit_verify()
    assert result.ok and result.checkpoints == 2
    assert "2 checkpoint(s) outside the database agree" in result.message()


def test_unwritable_checkpoint_file_does_not_fail_the_write(
    tmp_path, settings, django_capture_on_commit_callbacks
):
    blocker = tmp_path / "file"
    blocker.write_text("")
    settings.AUDIT_CHECKPOINT_FILE = str(blocker / "sub" / "cp.jsonl")
    settings.AUDIT_CHECKPOINT_EVERY = 1
    with django_capture_on_commit_callbacks(execute=True):
        _events(1)
    assert AuditEvent.objects.count() == 1


def test_old_key_still_verifies_after_rotation(settings):
    settings.AUDIT_KEY = "first-audit-key-" + "x" * 32
    _events(2)
    settings.AUDIT_OLD_KEYS = [settings.AUDIT_KEY]
    settings.AUDIT_KEY = "second-audit-key-" + "y" * 32
    _events(2, start=2)
    assert len({e.key_id for e in AuditEvent.objects.all()}) == 2
    assert audit_verify().ok
    settings.AUDIT_OLD_KEYS = []
    result = audit_verify()
    assert not result.ok and result.broken_seq == 1 and "does not hold" in result.reason


def test_checkpoint_command_writes_and_exports(cp_file, tmp_path, capsys):
    _events(3)
    target = tmp_path / "elsewhere" / "copy.jsonl"
    call_command("audit_checkpoint", export=str(target))
    out = capsys.readouterr().out
    assert "checkpoint #3" in out and str(target) in out
    assert target.read_text() == cp_file.read_text()
    call_command("audit_verify", checkpoints=str(target))
    assert "1 checkpoint(s)" in capsys.readouterr().out


def test_verify_command_prints_what_it_found(cp_file):
    _events(3)
    checkpoint_write()
    _disable_guards()
    AuditEvent.objects.all().delete()
    with pytest.raises(CommandError, match="every event was deleted"):
        call_command("audit_verify")


# --- database guards ------------------------------------------------------------------------


def test_delete_refused_by_the_database():
    event = _events(1)[0]
    with pytest.raises(Exception, match="append-only"), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.id])


def test_orm_delete_refused_by_the_database():
    _events(2)
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == 2


def test_truncate_refused_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE exists on PostgreSQL only (SQLite's DELETE guard covers it)")
    _events(1)
    with pytest.raises(Exception, match="append-only"), connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditevent")


def test_head_only_moves_forward():
    _events(3)
    with pytest.raises(Exception, match="only moves forward"), transaction.atomic():
        AuditChainHead.objects.filter(id=1).update(seq=1)
    with pytest.raises(Exception, match=r"only moves forward|append-only"), transaction.atomic():
        AuditChainHead.objects.all().delete()


def test_flush_refused_outside_tests(settings):
    settings.AUDIT_ALLOW_FLUSH = False
    with pytest.raises(CommandError, match="append-only"):
        call_command("flush", interactive=False, verbosity=0)


def test_guards_survive_the_migrations():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgrelid IN "
                "('audit_auditevent'::regclass, 'audit_auditchainhead'::regclass)"
            )
        names = {row[0] for row in cursor.fetchall()}
    assert {"audit_event_no_delete", "audit_head_forward_only", "audit_head_no_delete"} <= names


def test_long_object_id_is_kept_up_to_500_characters():
    event = audit_record(action="read", object_type="radiotherapy.index", object_id="k" * 600)
    event.refresh_from_db()
    assert len(event.object_id) == 500
    assert audit_verify().ok


@override_settings(AUDIT_CHECKPOINT_EVERY=0)
def test_token_prefix_is_named_on_events():
    from oncocenter.audit.context import AuditContext, bind_context, reset_context, set_token

    token = bind_context(AuditContext(system_actor="x"))
    try:
        set_token("oc_abcde")
        event = audit_record(action="read", object_type="x")
    finally:
        reset_context(token)
    assert event.detail["via_token"] == "oc_abcde"
