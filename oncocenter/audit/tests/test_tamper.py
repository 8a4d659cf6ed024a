"""The tamper cases of issue 17, per shard since issue 18: what audit-verify finds and says for
each (naming the shard), and the database guards that refuse deletion and truncation."""

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
    _canonical,
    audit_record,
    audit_verify,
    checkpoint_write,
    shard_of,
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


def _shard():
    """Events written outside a request are chained in the shard of their actor, "system"."""
    return shard_of("system")


def _rehash_from(shard_seq, hasher):
    """What an attacker with database access does: edit one event, then recompute every later
    link and the head, so the chain is consistent again with the hash function they know."""
    chain = AuditEvent.objects.filter(shard=_shard())
    prev = chain.get(shard_seq=shard_seq - 1).hash
    for event in chain.filter(shard_seq__gte=shard_seq).order_by("shard_seq"):
        event.prev_hash = prev
        event.hash = hasher(event)
        AuditEvent.objects.filter(pk=event.pk).update(prev_hash=event.prev_hash, hash=event.hash)
        prev = event.hash
    AuditChainHead.objects.filter(id=_shard()).update(hash=prev)


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
    AuditEvent.objects.filter(shard_seq=3).update(detail={"i": 99})
    _rehash_from(3, _sha256)
    result = audit_verify()
    assert not result.ok and result.broken_seq == 3
    assert "keyed hash does not match" in result.reason


def test_edit_rewritten_as_unkeyed_events_is_caught():
    _events(4)
    _disable_guards()
    AuditEvent.objects.filter(shard_seq__gte=3).update(key_id="")
    _rehash_from(3, _sha256)
    result = audit_verify()
    assert not result.ok and result.broken_seq == 3 and "unkeyed" in result.reason


def test_edit_with_a_stolen_key_is_caught_by_the_checkpoint(cp_file):
    _events(5)
    checkpoint_write()
    _disable_guards()
    AuditEvent.objects.filter(shard_seq=2).update(detail={"i": 99})
    from oncocenter.audit.services import compute_hash

    _rehash_from(2, compute_hash)
    result = audit_verify()
    assert not result.ok and result.broken_seq == 5
    assert "differs from the checkpoint" in result.reason


def test_tail_cut_with_head_updated_is_caught_by_the_checkpoint(cp_file):
    events = _events(8)
    checkpoint_write()
    _disable_guards()
    AuditEvent.objects.filter(shard_seq__gt=5).delete()
    AuditChainHead.objects.filter(id=_shard()).update(seq=5, hash=events[4].hash)
    result = audit_verify()
    assert not result.ok and result.shard == _shard()
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
    assert f"checkpoint of shard {_shard()}: #3" in out and str(target) in out
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
        AuditChainHead.objects.filter(id=_shard()).update(seq=1)
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


# --- per shard (issue 18) -------------------------------------------------------------------


def _in_request(request_id, n=1):
    from oncocenter.audit.context import AuditContext, bind_context, reset_context

    token = bind_context(AuditContext(system_actor="x", request_id=request_id))
    try:
        return [audit_record(action="read", object_type="x", detail={"i": i}) for i in range(n)]
    finally:
        reset_context(token)


def _two_shards():
    """Request ids in two different shards, and three events in each."""
    first = "req-a"
    second = next(f"req-{i}" for i in range(100) if shard_of(f"req-{i}") != shard_of(first))
    return _in_request(first, 3), _in_request(second, 3)


def test_each_shard_is_verified_and_a_finding_names_its_shard():
    _a, b = _two_shards()
    result = audit_verify()
    assert result.ok and result.count == 6 and result.shards == 2
    _disable_guards()
    AuditEvent.objects.filter(pk=b[1].pk).update(detail={"i": 99})
    result = audit_verify()
    assert not result.ok and len(result.findings) == 1
    assert result.shard == b[1].shard and result.broken_seq == 2
    assert f"shard {b[1].shard}, event 2 (#{b[1].seq})" in result.message()


def test_an_event_whose_shard_does_not_match_its_key_is_caught():
    a, b = _two_shards()
    _disable_guards()
    # Moved: the event claims another request id than the one its shard was chosen by.
    AuditEvent.objects.filter(pk=a[2].pk).update(request_id=b[0].request_id)
    result = audit_verify()
    assert not result.ok and result.shard == a[2].shard and result.broken_seq == 3
    assert f"belongs in shard {b[0].shard}" in result.reason


def test_an_event_moved_to_another_shard_is_caught():
    a, b = _two_shards()
    _disable_guards()
    # Appended to the other chain's end with its link fixed: the shard no longer fits its key.
    AuditEvent.objects.filter(pk=a[2].pk).update(shard=b[0].shard, shard_seq=4, prev_hash=b[2].hash)
    result = audit_verify()
    shards = {f.shard for f in result.findings}
    assert not result.ok and shards == {a[0].shard, b[0].shard}
    assert "moved between chains" in result.message()
    assert "the chain head records 3 events" in result.message()


def test_an_inserted_event_is_caught():
    events = _events(3)
    _disable_guards()
    forged = AuditEvent(
        seq=events[-1].seq + 1,
        shard=_shard(),
        shard_seq=4,
        at=events[-1].at,
        actor_username="system",
        action="read",
        object_type="x",
        detail={"i": "forged"},
        prev_hash=events[-1].hash,
        key_id=events[-1].key_id,
    )
    forged.hash = _sha256(forged)
    forged.save(force_insert=True)
    result = audit_verify()
    assert not result.ok and result.broken_seq == 4 and "keyed hash does not match" in result.reason


def test_reordered_events_are_caught():
    events = _events(4)
    _disable_guards()
    # Swap the positions of events 2 and 3 in the shard (through a free number: UNIQUE).
    AuditEvent.objects.filter(pk=events[1].pk).update(shard_seq=1000)
    AuditEvent.objects.filter(pk=events[2].pk).update(shard_seq=2)
    AuditEvent.objects.filter(pk=events[1].pk).update(shard_seq=3)
    result = audit_verify()
    assert not result.ok and result.broken_seq == 2
    assert "link to the previous event does not match" in result.reason


def test_sequence_numbers_rewritten_are_caught():
    events = _events(3)
    _disable_guards()
    AuditEvent.objects.filter(pk=events[2].pk).update(seq=events[2].seq + 1000)
    result = audit_verify()
    assert not result.ok and result.broken_seq == 3 and "keyed hash" in result.reason


# --- epoch 0: the chain written before sharding ----------------------------------------------


def _epoch0_events(n):
    """Events as the code before sharding wrote them (migration 0005 gives them shard 0): one
    chain from the zero hash, hashed without a shard, its head in row 0."""
    import hashlib
    import hmac

    from django.utils import timezone

    from oncocenter.audit.keys import current_key

    head = AuditChainHead.objects.create(id=0, seq=0, hash="0" * 64)
    prev = head.hash
    for i in range(1, n + 1):
        event = AuditEvent(
            seq=i,
            shard=0,
            shard_seq=i,
            at=timezone.now(),
            actor_username="legacy",
            action="read",
            object_type="x",
            detail={"epoch0": i},
            prev_hash=prev,
            key_id=current_key_id(),
        )
        event.hash = hmac.new(current_key(), _canonical(event), hashlib.sha256).hexdigest()
        assert "shard" not in json.loads(_canonical(event))
        event.save(force_insert=True)
        AuditChainHead.objects.filter(id=0).update(seq=i, hash=event.hash)
        prev = event.hash
    return prev


def test_sharded_chains_continue_from_epoch0():
    from oncocenter.audit.keys import current_key
    from oncocenter.audit.services import shard_genesis

    last = _epoch0_events(3)
    later = _events(2)
    assert later[0].seq > 3
    assert later[0].prev_hash == shard_genesis(epoch0_head=last, shard=_shard(), key=current_key())
    result = audit_verify()
    assert result.ok and result.count == 5 and result.shards == 2


def test_a_cut_across_the_switch_is_caught(cp_file):
    _epoch0_events(3)
    later = _events(2)
    _disable_guards()
    # Epoch 0's last event removed and its head set back: shard 0 alone looks whole, but every
    # sharded chain started from the removed event's hash.
    AuditEvent.objects.filter(shard=0, shard_seq=3).delete()
    previous = AuditEvent.objects.get(shard=0, shard_seq=2)
    AuditChainHead.objects.filter(id=0).update(seq=2, hash=previous.hash)
    result = audit_verify()
    assert not result.ok and result.shard == later[0].shard and result.broken_seq == 1
    assert "epoch 0 was cut or rewritten" in result.reason


def test_checkpoints_written_before_sharding_still_verify(cp_file):
    from oncocenter.audit.checkpoints import FORMAT_V1, _signature
    from oncocenter.audit.keys import current_key

    last = _epoch0_events(2)
    at = "2026-12-01T09:00:00+09:00"
    line = {
        "format": FORMAT_V1,
        "seq": 2,
        "head_hash": last,
        "at": at,
        "key_id": current_key_id(),
        "sig": _signature(current_key(), None, 2, last, at),
    }
    cp_file.write_text(json.dumps(line) + "\n")
    _events(1)
    checkpoint_write()
    read = checkpoint_read()
    assert [(cp.shard, cp.seq) for cp in read] == [(0, 2), (0, 2), (_shard(), 1)]
    assert audit_verify().ok
    line["seq"] = 1
    cp_file.write_text(json.dumps(line) + "\n")
    assert "signature does not match" in audit_verify().reason
