import pytest
from django.core.management import call_command
from django.db import connection

from oncocenter.audit.db_guards import SQLITE_DROP
from oncocenter.audit.keys import current_key
from oncocenter.audit.models import AuditChainHead, AuditEvent
from oncocenter.audit.services import (
    GENESIS,
    audit_record,
    audit_verify,
    compute_hash,
    shard_genesis,
    shard_of,
)
from oncocenter.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def _disable_guards():
    """Simulate a database administrator bypassing the append-only triggers."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for sql in SQLITE_DROP:
                cursor.execute(sql)
        else:
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
            cursor.execute("ALTER TABLE audit_auditchainhead DISABLE TRIGGER USER")


def _events(n):
    patient = PatientFactory()
    return [audit_record(action="read", obj=patient, detail={"i": i}) for i in range(n)]


def test_events_are_chained_in_the_shard_of_their_actor():
    events = _events(3)
    shard = shard_of("system")
    assert {e.shard for e in events} == {shard}
    # No epoch 0 in a new installation: the genesis is tied to the empty chain's hash.
    assert events[0].prev_hash == shard_genesis(epoch0_head=GENESIS, shard=shard, key=current_key())
    assert events[1].prev_hash == events[0].hash
    assert [e.shard_seq for e in events] == [1, 2, 3]
    assert events[0].seq < events[1].seq < events[2].seq
    assert all(compute_hash(e) == e.hash for e in AuditEvent.objects.all())
    head = AuditChainHead.objects.get(id=shard)
    assert (head.seq, head.hash) == (3, events[2].hash)
    # Every shard's head was made by the first write: later writes cost the same queries.
    assert AuditChainHead.objects.count() == 16


def test_a_key_rotated_before_a_shards_first_event_still_verifies(settings):
    from oncocenter.audit.context import AuditContext, bind_context, reset_context

    settings.AUDIT_KEY = "first-audit-key-" + "x" * 32
    first = _events(1)[0]
    settings.AUDIT_OLD_KEYS = [settings.AUDIT_KEY]
    settings.AUDIT_KEY = "second-audit-key-" + "y" * 32
    other = next(f"r{i}" for i in range(100) if shard_of(f"r{i}") != first.shard)
    token = bind_context(AuditContext(system_actor="x", request_id=other))
    try:
        later = audit_record(action="read", object_type="x")
    finally:
        reset_context(token)
    assert later.shard_seq == 1 and later.key_id != first.key_id
    assert audit_verify().ok


def test_shard_follows_the_request_id_so_a_request_stays_in_one_chain():
    from oncocenter.audit.context import AuditContext, bind_context, reset_context

    shards = set()
    for n in range(40):
        token = bind_context(AuditContext(system_actor="x", request_id=f"req-{n}"))
        try:
            first = audit_record(action="read", object_type="x")
            second = audit_record(action="read", object_type="x")
        finally:
            reset_context(token)
        assert first.shard == second.shard == shard_of(f"req-{n}")
        assert second.shard_seq == first.shard_seq + 1
        shards.add(first.shard)
    assert len(shards) > 4
    assert all(1 <= s <= 16 for s in shards)
    assert audit_verify().ok


def test_shard_of_is_stable_and_in_range():
    assert shard_of("req-1") == shard_of("req-1")
    assert {shard_of(f"k{i}", 4) for i in range(200)} == {1, 2, 3, 4}


def test_verify_ok_reports_count():
    _events(4)
    result = audit_verify()
    assert result.ok and result.count == 4
    assert "ok" in result.message()


def test_patient_reference_recorded():
    patient = PatientFactory()
    event = audit_record(action="read", obj=patient)
    assert event.patient_id == patient.pk and event.patient_mrn == patient.mrn
    assert event.object_type == "patients.patient"


def test_update_refused_by_database():
    event = _events(1)[0]
    with pytest.raises(Exception, match="append-only"), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET actor_username = 'x' WHERE id = %s", [event.id])


def test_verify_catches_edited_event():
    events = _events(5)
    _disable_guards()
    AuditEvent.objects.filter(pk=events[2].pk).update(detail={"i": 99})
    result = audit_verify()
    assert not result.ok
    assert result.broken_seq == 3 and result.shard == events[2].shard
    assert "changed" in result.reason
    assert f"shard {events[2].shard}, event 3" in result.message()


def test_verify_catches_deleted_event_in_the_middle():
    events = _events(5)
    _disable_guards()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[1].id])
    result = audit_verify()
    assert not result.ok and result.broken_seq == 2 and "missing" in result.reason


def test_verify_catches_deleted_last_event():
    events = _events(3)
    _disable_guards()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[-1].id])
    result = audit_verify()
    assert not result.ok and "deleted" in result.reason


def test_command_exit_codes(capsys):
    events = _events(2)
    call_command("audit_verify")
    assert "ok: 2 events in 1 shard(s), every chain intact" in capsys.readouterr().out
    _disable_guards()
    AuditEvent.objects.filter(pk=events[0].pk).update(actor_username="mallory")
    with pytest.raises(SystemExit) as exc:
        from oncocenter.cli import main

        main(["oncocenter", "audit-verify"])
    assert exc.value.code == 1


def test_unknown_action_rejected():
    with pytest.raises(ValueError):
        audit_record(action="nonsense")
