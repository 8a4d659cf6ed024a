import asyncio
import os
import threading
import time

import hl7
import pytest
from hl7.mllp import open_hl7_connection

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.audit.models import AuditEvent
from oncocenter.core.errors import Conflict
from oncocenter.interop.hl7 import adt
from oncocenter.interop.hl7.services import hl7_receive, hl7_replay
from oncocenter.interop.models import Hl7Message
from oncocenter.patients.models import Patient, PatientIdentifier
from oncocenter.patients.selectors import patient_by_identifier

pytestmark = pytest.mark.django_db


def msg(
    event="A01",
    control="C1",
    pid3="H123^^^HOSP^MR",
    name="PARK^J. Minsu~박^민수",
    born="19800102",
    sex="M",
    extra="",
):
    return (
        f"MSH|^~\\&|HIS|HOSP|ONCO|ONC|20261207101500||ADT^{event}^ADT_A01|{control}|P|2.5.1\r"
        f"EVN|{event}|20261207101500\r"
        f"PID|1||{pid3}||{name}||{born}|{sex}\r" + extra
    )


def msa(ack: str) -> list[str]:
    return next(s for s in ack.split("\r") if s.startswith("MSA")).split("|")


def test_parse_reads_identifiers_and_mixed_names():
    m = adt.parse(msg().replace("\r", "\n"))
    assert m.event == "A01" and m.control_id == "C1"
    assert [(i.authority, i.value) for i in m.identifiers] == [("HOSP", "H123")]
    assert (m.family_name_en, m.given_name_en, m.name_ko) == ("PARK", "J. Minsu", "박민수")


def test_a01_registers_then_a08_updates_by_external_identifier():
    by = UserFactory()
    first = hl7_receive(raw=msg(), by=by)
    assert first.ack_code == "AA" and msa(first.ack)[1:3] == ["AA", "C1"]
    patient = patient_by_identifier(authority="HOSP", value="H123")
    assert patient.name_ko == "박민수" and patient.given_name_en == "J. Minsu"
    update = hl7_receive(raw=msg("A08", "C2", name="PARK^Minsu"), by=by)
    assert update.ack_code == "AA" and update.patient == patient
    patient.refresh_from_db()
    assert patient.given_name_en == "Minsu"
    assert Patient.objects.count() == 1


def test_latin_only_name_is_registered():
    row = hl7_receive(raw=msg(name="SMITH^John", pid3="X9^^^HOSP^MR"), by=UserFactory())
    assert row.ack_code == "AA"
    assert row.patient.name_ko == "" and row.patient.family_name_en == "SMITH"


def test_a_repeat_is_answered_the_same_and_changes_nothing():
    by = UserFactory()
    a = hl7_receive(raw=msg(), by=by)
    b = hl7_receive(raw=msg(), by=by)
    assert a.pk == b.pk and a.ack == b.ack
    assert Hl7Message.objects.count() == 1 and Patient.objects.count() == 1


def test_errors_and_rejections_carry_the_reason_and_save_nothing_else():
    by = UserFactory()
    bad_sex = hl7_receive(raw=msg(control="E1", sex="Q"), by=by)
    assert bad_sex.ack_code == "AE" and "PID-8" in msa(bad_sex.ack)[3]
    bad_name = hl7_receive(raw=msg(control="E2", name="PARK^Min;su"), by=by)
    assert bad_name.ack_code == "AE" and "given_name_en" in bad_name.ack_text
    unsupported = hl7_receive(raw=msg(event="A02", control="E3"), by=by)
    assert unsupported.ack_code == "AR" and "A02" in unsupported.ack_text
    oru = hl7_receive(raw=msg(control="E4").replace("ADT^A01", "MDM^T02"), by=by)
    assert oru.ack_code == "AR" and "ADT and ORU^R01 only" in oru.ack_text
    garbage = hl7_receive(raw="hello", by=by)
    assert garbage.ack_code == "AR" and "MSA|AR" in garbage.ack
    assert Patient.objects.count() == 0 and PatientIdentifier.objects.count() == 0
    assert Hl7Message.objects.count() == 5


def test_replay_applies_a_fixed_message_once():
    by = UserFactory()
    first = hl7_receive(raw=msg(control="R1"), by=by)
    PatientIdentifier.objects.filter(value="H123").update(value="H123-old")
    # An A08 for an identifier that is unknown but lacks the data to register: AE.
    refused = hl7_receive(raw=msg("A08", "R2", pid3="H777^^^HOSP^MR", born=""), by=by)
    assert refused.ack_code == "AE" and "birth_date" in refused.ack_text
    PatientIdentifier.objects.create(patient=first.patient, authority="HOSP", value="H777")
    replayed = hl7_replay(message=refused, by=by)
    assert (
        replayed.ack_code == "AA" and replayed.attempts == 2 and replayed.patient == first.patient
    )
    with pytest.raises(Conflict):
        hl7_replay(message=replayed, by=by)


def test_a40_merge_moves_the_prior_identifier():
    by = UserFactory()
    hl7_receive(raw=msg(control="M1", pid3="H1^^^HOSP^MR"), by=by)
    hl7_receive(
        raw=msg(control="M2", pid3="H2^^^HOSP^MR", name="KIM^Ara", born="19900303", sex="F"), by=by
    )
    merge = hl7_receive(
        raw=msg("A40", "M3", pid3="H1^^^HOSP^MR", extra="MRG|H2^^^HOSP^MR\r"), by=by
    )
    assert merge.ack_code == "AA" and "manual merge" in merge.outcome
    assert patient_by_identifier(authority="HOSP", value="H2") == patient_by_identifier(
        authority="HOSP", value="H1"
    )


def test_a03_for_unknown_patient_is_an_error():
    row = hl7_receive(raw=msg("A03", "D1"), by=UserFactory())
    assert row.ack_code == "AE" and "unknown" in row.ack_text


def test_every_write_is_audited():
    hl7_receive(raw=msg(), by=UserFactory())
    mrn = Patient.objects.get().mrn
    assert AuditEvent.objects.filter(patient_mrn=mrn, action="create").count() >= 2


@pytest.mark.django_db(transaction=True)
def test_mllp_listener_acknowledges_over_tcp():
    from oncocenter.interop.hl7.mllp import serve

    user = UserFactory()
    loop = asyncio.new_event_loop()
    ready = asyncio.Event()
    port = 20000 + os.getpid() % 20000

    tasks = []

    def run():
        asyncio.set_event_loop(loop)
        tasks.append(loop.create_task(serve("127.0.0.1", port, user, ready)))
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    deadline = time.time() + 10
    while not ready.is_set() and time.time() < deadline:
        time.sleep(0.05)

    async def client():
        reader, writer = await open_hl7_connection("127.0.0.1", port, encoding="utf-8")
        acks = []
        for i in range(3):
            writer.writemessage(hl7.parse(msg(control=f"T{i}", pid3=f"T{i}^^^HOSP^MR")))
            acks.append(str(await asyncio.wait_for(reader.readmessage(), 10)))
        writer.close()
        return acks

    def run_client() -> list[str]:
        # A loop of its own in a thread of its own: after a browser test, Playwright's sync API
        # keeps an event loop running in the main thread, where asyncio.run() is refused.
        result: list[list[str]] = []
        worker = threading.Thread(target=lambda: result.append(asyncio.run(client())))
        worker.start()
        worker.join(60)
        assert result, "the MLLP client did not finish"
        return result[0]

    try:
        acks = run_client()
    finally:
        loop.call_soon_threadsafe(tasks[0].cancel)
        time.sleep(0.2)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
    assert [msa(a)[1:3] for a in acks] == [["AA", "T0"], ["AA", "T1"], ["AA", "T2"]]
    assert Hl7Message.objects.filter(ack_code="AA").count() == 3
