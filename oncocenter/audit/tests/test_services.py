import pytest
from django.core.management import call_command
from django.db import connection

from oncocenter.audit.db_guards import SQLITE_DROP
from oncocenter.audit.models import AuditChainHead, AuditEvent
from oncocenter.audit.services import GENESIS, audit_record, audit_verify, compute_hash
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


def test_events_are_chained():
    events = _events(3)
    assert events[0].prev_hash == GENESIS
    assert events[1].prev_hash == events[0].hash
    assert [e.seq for e in events] == [1, 2, 3]
    assert all(compute_hash(e) == e.hash for e in AuditEvent.objects.all())
    head = AuditChainHead.objects.get()
    assert (head.seq, head.hash) == (3, events[2].hash)


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
    assert result.broken_seq == 3
    assert "changed" in result.reason


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
    assert "ok: 2 events, chain intact" in capsys.readouterr().out
    _disable_guards()
    AuditEvent.objects.filter(pk=events[0].pk).update(actor_username="mallory")
    with pytest.raises(SystemExit) as exc:
        from oncocenter.cli import main

        main(["oncocenter", "audit-verify"])
    assert exc.value.code == 1


def test_unknown_action_rejected():
    with pytest.raises(ValueError):
        audit_record(action="nonsense")
