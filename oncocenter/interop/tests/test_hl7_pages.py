"""The HL7 message store page: list, detail, replay (idempotent), allowed for administrators only."""

import pytest

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.audit.models import AuditEvent
from oncocenter.interop.hl7.services import hl7_receive
from oncocenter.interop.models import Hl7Message
from oncocenter.interop.tests.test_hl7 import msg
from oncocenter.patients.models import PatientIdentifier

pytestmark = pytest.mark.django_db


@pytest.fixture
def messages_in(db):
    by = UserFactory()
    ok = hl7_receive(raw=msg(control="P1"), by=by)
    refused = hl7_receive(raw=msg("A08", "P2", pid3="H777^^^HOSP^MR", born=""), by=by)
    unreadable = hl7_receive(raw="MSH|^~\\&|HIS|HOSP|ONCO|ONC|x||ZZZ^Z01|P3|P|2.5.1\r", by=by)
    return {"ok": ok, "refused": refused, "unreadable": unreadable}


def test_list_shows_type_control_id_ack_patient_and_time(client_as, messages_in):
    c = client_as("administrator")
    r = c.get("/interop/hl7/")
    assert r.status_code == 200
    html = r.content.decode()
    for m in messages_in.values():
        assert m.control_id in html
        assert f"/interop/hl7/{m.pk}/" in html
    assert "ADT^A01" in html and messages_in["ok"].patient.mrn in html
    assert ">AE<" in html and ">AR<" in html
    only_errors = c.get("/interop/hl7/", {"ack": "AE"}).content.decode()
    assert "P2" in only_errors and "P1" not in only_errors
    assert c.get("/interop/hl7/", {"ack": "XX"}).status_code == 422
    event = AuditEvent.objects.filter(object_type="interop.hl7message", action="search").last()
    assert messages_in["ok"].patient.mrn in event.detail["mrns"]


def test_detail_shows_message_and_ack(client_as, messages_in):
    c = client_as("administrator")
    m = messages_in["refused"]
    r = c.get(f"/interop/hl7/{m.pk}/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "PID|1||H777^^^HOSP^MR" in html and "MSA|AE|P2" in html
    assert "birth_date" in html and "Replay" in html
    # An accepted message offers no replay.
    assert "Replay</button>" not in c.get(f"/interop/hl7/{messages_in['ok'].pk}/").content.decode()
    assert c.get("/interop/hl7/999999/").status_code == 404
    assert AuditEvent.objects.filter(action="read", object_type__icontains="hl7message").exists()


def test_replay_applies_once_then_refuses(client_as, messages_in):
    c = client_as("administrator")
    m = messages_in["refused"]
    # Still broken: replayed, refused again with the same reason, nothing applied.
    r = c.post(f"/interop/hl7/{m.pk}/replay/")
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.ack_code == "AE" and m.attempts == 2
    # The cause fixed (the identifier is now known): accepted.
    PatientIdentifier.objects.create(
        patient=messages_in["ok"].patient, authority="HOSP", value="H777"
    )
    assert c.post(f"/interop/hl7/{m.pk}/replay/").status_code == 302
    m.refresh_from_db()
    assert m.ack_code == "AA" and m.attempts == 3
    # Pressing the button again never applies it twice.
    again = c.post(f"/interop/hl7/{m.pk}/replay/")
    assert again.status_code == 409
    assert "accepted already" in again.content.decode()
    m.refresh_from_db()
    assert m.attempts == 3
    assert (
        AuditEvent.objects.filter(action="update", object_type__icontains="hl7message").count() == 2
    )


@pytest.mark.parametrize(
    "role", ["radiation_oncologist", "nurse", "scheduler", "research_coordinator"]
)
def test_other_roles_are_denied(client_as, messages_in, role):
    c = client_as(role)
    m = messages_in["refused"]
    assert c.get("/interop/hl7/").status_code == 403
    assert c.get(f"/interop/hl7/{m.pk}/").status_code == 403
    assert c.post(f"/interop/hl7/{m.pk}/replay/").status_code == 403
    m.refresh_from_db()
    assert m.attempts == 1


def test_signed_out_and_wrong_methods(client, client_as, messages_in):
    m = messages_in["refused"]
    assert client.get("/interop/hl7/").status_code == 302
    assert client.post(f"/interop/hl7/{m.pk}/replay/").status_code in (302, 403)
    admin = client_as("administrator")
    assert admin.get(f"/interop/hl7/{m.pk}/replay/").status_code == 405
    assert admin.post("/interop/hl7/").status_code == 405
    assert Hl7Message.objects.get(pk=m.pk).attempts == 1
