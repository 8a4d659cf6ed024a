"""ORU^R01 laboratory results from the hospital laboratory, through labs' one door."""

import datetime as dt
from decimal import Decimal

import pytest

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.interop.hl7 import oru
from oncocenter.interop.hl7.services import hl7_receive, hl7_replay
from oncocenter.interop.models import Hl7Message
from oncocenter.labs.models import LabResult

pytestmark = pytest.mark.django_db

ADT = (
    "MSH|^~\\&|HIS|HOSP|ONCO|ONC|20261201090000||ADT^A04^ADT_A01|ADT1|P|2.5.1\r"
    "EVN|A04|20261201090000\r"
    "PID|1||H555^^^HOSP^MR||KIM^Jiwoo~김^지우||19700315|F\r"
)

CBC = (
    "MSH|^~\\&|LIS|HOSPLAB|ONCO|ONC|20261206101500+0900||ORU^R01^ORU_R01|{control}|P|2.5.1\r"
    "PID|1||H555^^^HOSP^MR||KIM^Jiwoo||19700315|F\r"
    "ORC|RE|P778|L20261206-0042\r"
    "OBR|1|P778|L20261206-0042|58410-2^CBC panel^LN|||20261206083000|||||||||||||||20261206101000|||F\r"
    "OBX|1|NM|6690-2^Leukocytes [#/volume] in Blood^LN||{wbc}|10*3/uL^^UCUM|4.0-10.0|{wflag}|||{wstatus}|||20261206083000\r"
    "OBX|2|NM|751-8^Neutrophils [#/volume] in Blood^LN||0.4|10*9/L^^UCUM|1.8-7.5|LL|||F|||20261206083000\r"
    "OBX|3|NM|718-7^Hemoglobin [Mass/volume] in Blood^LN||98|g/L^^UCUM|120-160|L|||F\r"
    "OBX|4|NM|777-3^Platelets [#/volume] in Blood^LN||||150-400||||P\r"
)


def cbc(control="R1", wbc="2.1", wflag="L", wstatus="F"):
    return CBC.format(control=control, wbc=wbc, wflag=wflag, wstatus=wstatus)


def msa(ack: str) -> list[str]:
    return next(s for s in ack.split("\r") if s.startswith("MSA")).split("|")


@pytest.fixture
def feed():
    by = UserFactory()
    assert hl7_receive(raw=ADT, by=by).ack_code == "AA"
    return by


def test_parse_reads_obr_and_obx():
    m = oru.parse(cbc().replace("\r", "\n"))
    assert [(i.authority, i.value) for i in m.identifiers] == [("HOSP", "H555")]
    wbc, anc, hgb, plt = m.observations
    assert (wbc.loinc, wbc.value, wbc.unit, wbc.ref_low, wbc.ref_high) == (
        "6690-2",
        Decimal("2.1"),
        "10*3/uL",
        Decimal("4.0"),
        Decimal("10.0"),
    )
    assert wbc.accession == "L20261206-0042" and anc.flags == ("LL",)
    assert wbc.observed_at == dt.datetime(2026, 12, 6, 8, 30, tzinfo=oru.SEOUL)
    # no OBX-14: the collection time of OBR-7; no OBX-19: OBR-22 (results reported)
    assert hgb.observed_at == wbc.observed_at
    assert hgb.resulted_at == dt.datetime(2026, 12, 6, 10, 10, tzinfo=oru.SEOUL)
    assert plt.status == "P" and plt.value is None


def test_results_are_stored_through_labs_with_units_ranges_and_flags(feed):
    row = hl7_receive(raw=cbc(), by=feed)
    assert row.ack_code == "AA" and msa(row.ack)[1:3] == ["AA", "R1"]
    assert row.message_type == "ORU^R01" and row.patient.family_name_en == "KIM"
    assert "3 recorded" in row.outcome and "OBX-4 not final (P)" in row.outcome
    by_loinc = {r.analyte.loinc: r for r in LabResult.objects.select_related("analyte")}
    assert set(by_loinc) == {"6690-2", "751-8", "718-7"}
    hgb = by_loinc["718-7"]
    # g/L converted to the catalogue's g/dL, the laboratory's range with it
    assert hgb.value == Decimal("9.8") and (hgb.ref_low, hgb.ref_high) == (12, 16)
    assert hgb.flag == "low" and hgb.source == "hl7" and hgb.accession == "L20261206-0042"
    assert by_loinc["751-8"].critical  # ANC 0.4 is below the catalogue's critical limit
    assert hgb.collected_at == dt.datetime(2026, 12, 5, 23, 30, tzinfo=dt.UTC)


def test_same_accession_again_is_idempotent_and_a_correction_supersedes(feed):
    assert hl7_receive(raw=cbc(), by=feed).ack_code == "AA"
    again = hl7_receive(raw=cbc(control="R2"), by=feed)  # new control id, same results
    assert again.ack_code == "AA" and "3 already recorded" in again.outcome
    assert LabResult.objects.count() == 3
    differs = hl7_receive(raw=cbc(control="R3", wbc="2.6"), by=feed)
    assert differs.ack_code == "AE" and differs.ack_text.startswith("OBX-1 6690-2: ")
    assert LabResult.objects.count() == 3  # all or none
    fixed = hl7_receive(raw=cbc(control="R4", wbc="2.6", wstatus="C"), by=feed)
    assert fixed.ack_code == "AA" and "1 corrected" in fixed.outcome, fixed.outcome
    wbc = LabResult.objects.filter(analyte__loinc="6690-2").order_by("pk")
    assert [(r.status, r.value) for r in wbc] == [
        ("superseded", Decimal("2.1000")),
        ("corrected", Decimal("2.6000")),
    ]
    withdrawn = hl7_receive(raw=cbc(control="R5", wbc="", wstatus="W"), by=feed)
    assert withdrawn.ack_code == "AA" and "1 withdrawn" in withdrawn.outcome
    assert wbc.last().status == "entered-in-error"


def test_flag_disagreement_is_reported(feed):
    row = hl7_receive(raw=cbc(wflag="N"), by=feed)
    assert row.ack_code == "AA" and "OBX-1 flag N here low" in row.outcome


@pytest.mark.parametrize(
    ("change", "code", "reason"),
    [
        (
            ("6690-2^Leukocytes [#/volume] in Blood^LN", "WBC^Leukocytes^L"),
            "AE",
            "OBX-1.3 'WBC^Leukocytes^L' is not LOINC",
        ),
        (("10*3/uL^^UCUM", "cells^^L"), "AE", "OBX-1 6690-2: unit: is not a unit"),
        (("|4.0-10.0|", "|normal|"), "AE", "OBX-1.7 reference range 'normal'"),
        (("20261206083000|||||", "20261306083000|||||"), "AE", "OBR-7 collection time"),
        (
            ("H555^^^HOSP^MR||KIM^Jiwoo||", "Z9^^^HOSP^MR||KIM^Jiwoo||"),
            "AE",
            "PID-3: the patient is not known",
        ),
        (
            ("|F|||20261206083000\rOBX|2", "|Q|||20261206083000\rOBX|2"),
            "AE",
            "OBX-1.11 result status 'Q'",
        ),
        (("ORU^R01^ORU_R01", "ORU^R30^ORU_R30"), "AR", "is not ORU^R01"),
    ],
)
def test_refusals_carry_the_reason_and_store_no_result(feed, change, code, reason):
    raw = cbc(control="X1")
    assert change[0] in raw
    row = hl7_receive(raw=raw.replace(change[0], change[1], 1), by=feed)
    assert row.ack_code == code and reason in row.ack_text, row.ack_text
    assert msa(row.ack)[1] == code and "ERR" in row.ack
    assert LabResult.objects.count() == 0 and Hl7Message.objects.filter(control_id="X1").exists()


def test_a_refused_result_is_replayed_once_the_patient_is_known():
    by = UserFactory()
    early = hl7_receive(raw=cbc(control="EARLY"), by=by)
    assert early.ack_code == "AE" and LabResult.objects.count() == 0
    hl7_receive(raw=ADT, by=by)
    again = hl7_replay(message=early, by=by)
    assert again.ack_code == "AA" and again.attempts == 2 and LabResult.objects.count() == 3
