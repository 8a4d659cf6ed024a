"""Deliveries captured from DICOM RT Beams Treatment Records (issue 15, item 6): a matching record
is recorded with the console time; a mismatch is refused with every difference and saves nothing."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from oncocenter.core.errors import Conflict, NotPermitted, ValidationFailed
from oncocenter.machines import qa
from oncocenter.radiotherapy import services as s
from oncocenter.radiotherapy.dicom_rtrecord import parse_treatment_record
from oncocenter.radiotherapy.models import Delivery, FractionStatus, Plan, TreatmentRecordImport
from oncocenter.radiotherapy.tests.factories import machine, make_world, past, staff
from oncocenter.radiotherapy.tests.rtrecord_files import PLAN_BEAMS, record_bytes

pytestmark = pytest.mark.django_db

PLAN_UID = "1.2.826.0.1.3680043.8.498.1001"


@pytest.fixture
def w():
    w = make_world()
    w.ready()
    Plan.objects.filter(pk=w.plan.pk).update(dicom_sop_instance_uid=PLAN_UID, beams=PLAN_BEAMS)
    w.plan.refresh_from_db()
    w.fractions = w.schedule()
    return w


def _book(w, fraction, when):
    s.fractions_follow_bookings(
        slots=[
            s.SessionSlot(
                fraction_id=fraction.pk,
                scheduled_date=timezone.localtime(when).date(),
                machine_id=w.linac.pk,
            )
        ]
    )


def rec(w, **kw):
    base = {
        "plan_uid": PLAN_UID,
        "patient_id": w.patient.mrn,
        "birth_date": w.patient.birth_date,
        "machine": "LINAC-T1",
        "fraction": 1,
        "treated_at": timezone.now() - dt.timedelta(minutes=20),
    }
    base.update(kw)
    return record_bytes(**base)


def test_parse_reads_plan_patient_machine_fraction_time_and_beams(w):
    when = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=5)
    r = parse_treatment_record(rec(w, treated_at=when))
    assert r.referenced_plan_uid == PLAN_UID
    assert r.patient_id == w.patient.mrn
    assert r.machine_name == "LINAC-T1"
    assert r.fraction_numbers == (1,)
    assert r.treated_at == when
    assert r.delivered_total == 200.0


def test_matching_record_is_recorded_with_the_console_time(w):
    when = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=20)
    _book(w, w.fractions[0], when)
    d = s.treatment_record_import(content=rec(w, treated_at=when), by=w.therapist)
    assert d.delivered_at == when
    assert d.recorded_at > when
    assert d.machine == w.linac
    assert d.meterset_delivered == 200
    assert not d.late_entry and d.off_schedule == ""
    assert sorted(d.identifiers_confirmed) == ["birth_date", "mrn"]
    imp = TreatmentRecordImport.objects.get()
    assert imp.delivery == d and imp.fraction_number == 1 and imp.source == "upload"
    w.fractions[0].refresh_from_db()
    assert w.fractions[0].status == FractionStatus.TREATED
    assert w.fractions[0].delivered_number == 1
    # The import is append-only in the database itself.
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic():
        TreatmentRecordImport.objects.filter(pk=imp.pk).update(fraction_number=2)


def test_second_fraction_follows_and_same_file_twice_is_refused(w):
    t1, t2 = past(3), past(2)
    _book(w, w.fractions[0], t1)
    _book(w, w.fractions[1], t2)
    first = rec(w, treated_at=t1)
    s.treatment_record_import(
        content=first, by=w.therapist, late_entry_reason="console export late"
    )
    with pytest.raises(Conflict) as exc:
        s.treatment_record_import(content=first, by=w.therapist, late_entry_reason="again")
    assert exc.value.rule == "treatment_record_duplicate"
    d = s.treatment_record_import(
        content=rec(w, treated_at=t2, fraction=2), by=w.therapist, late_entry_reason="export late"
    )
    assert d.late_entry and d.fraction.delivered_number == 2
    assert Delivery.objects.count() == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"plan_uid": "1.2.3.999"}, "plan"),
        ({"patient_id": "OTHER-MRN"}, "patient"),
        ({"birth_date": dt.date(1901, 1, 1)}, "patient_birth_date"),
        ({"birth_date": None}, "patient_birth_date"),
        ({"machine": "NO-SUCH-LINAC"}, "machine"),
        ({"fraction": 3}, "fraction_number"),
        ({"beams": {1: 120.0, 2: 60.0}}, "beams.2"),
        ({"beams": {1: 120.0}}, "beams.2"),
        ({"beams": {1: 120.0, 2: 80.0, 3: 10.0}}, "beams.3"),
        ({"treated_at": None}, "treated_at"),
    ],
)
def test_each_mismatch_is_refused_naming_the_field_and_saving_nothing(w, change, field):
    with pytest.raises(Conflict) as exc:
        s.treatment_record_import(content=rec(w, **change), by=w.therapist)
    assert exc.value.rule == "treatment_record_mismatch"
    assert field in [p.field for p in exc.value.problems]
    assert not Delivery.objects.exists() and not TreatmentRecordImport.objects.exists()


def test_every_difference_is_listed_at_once(w):
    other = machine("LINAC-T9", ("3D",))
    with pytest.raises(Conflict) as exc:
        s.treatment_record_import(
            content=rec(
                w, patient_id="X", machine=other.code, fraction=4, beams={1: 100.0, 2: 80.0}
            ),
            by=w.therapist,
        )
    fields = [p.field for p in exc.value.problems]
    assert fields == ["patient", "machine", "fraction_number", "beams.1"]
    assert "LINAC-T1" in str(exc.value.problems[1].message)
    assert not Delivery.objects.exists()


def test_mu_within_tolerance_is_accepted(w):
    when = timezone.now() - dt.timedelta(minutes=10)
    _book(w, w.fractions[0], when)
    d = s.treatment_record_import(
        content=rec(w, treated_at=when, beams={1: 121.5, 2: 79.0}), by=w.therapist
    )
    assert d.meterset_delivered == pytest.approx(200.5)


def test_beam_matched_machine_is_accepted_with_override_when_off_its_booking(w):
    other = machine("LINAC-T2", ("3D",))
    qa.beam_match_group_create(
        name="T group",
        machines=[w.linac, other],
        evidence="PDD, profiles and output factors within 1%",
        matched_on=timezone.localdate() - dt.timedelta(days=90),
        by=w.physicist,
    )
    when = timezone.now() - dt.timedelta(minutes=10)
    _book(w, w.fractions[0], when)
    with pytest.raises(Conflict) as exc:
        s.treatment_record_import(
            content=rec(w, treated_at=when, machine="LINAC-T2"), by=w.therapist
        )
    assert exc.value.rule == "off_schedule_override_required"
    d = s.treatment_record_import(
        content=rec(w, treated_at=when, machine="LINAC-T2"),
        by=w.therapist,
        override_reason="LINAC-T1 down, moved to the matched unit",
    )
    assert d.machine == other and d.off_schedule


def test_interlocks_of_a_manual_entry_still_apply(w):
    future = timezone.now() + dt.timedelta(hours=2)
    with pytest.raises(ValidationFailed) as exc:
        s.treatment_record_import(content=rec(w, treated_at=future), by=w.therapist)
    assert exc.value.problems[0].field == "delivered_at"
    assert not TreatmentRecordImport.objects.exists()


def test_not_a_treatment_record_is_refused(w):
    with pytest.raises(ValidationFailed) as exc:
        s.treatment_record_import(content=b"not dicom at all" * 20, by=w.therapist)
    assert exc.value.problems[0].field == "file"
    with pytest.raises(ValidationFailed):
        s.treatment_record_import(
            content=rec(w, sop_class="1.2.840.10008.5.1.4.1.1.481.5"), by=w.therapist
        )


@pytest.mark.parametrize("role", ["radiation_oncologist", "medical_physicist", "scheduler"])
def test_only_therapists_import(w, role):
    with pytest.raises(NotPermitted):
        s.treatment_record_import(content=rec(w), by=staff(role))
    assert not Delivery.objects.exists()


def test_folder_command_imports_and_sorts_files(w, tmp_path: Path):
    when = timezone.now() - dt.timedelta(minutes=10)
    _book(w, w.fractions[0], when)
    (tmp_path / "good.dcm").write_bytes(rec(w, treated_at=when))
    (tmp_path / "bad.dcm").write_bytes(rec(w, treated_at=when, patient_id="NOPE", fraction=2))
    out = io.StringIO()
    call_command("import_treatment_records", str(tmp_path), user=w.therapist.username, stdout=out)
    assert "1 imported, 1 refused" in out.getvalue()
    assert (tmp_path / "imported" / "good.dcm").exists()
    assert (tmp_path / "refused" / "bad.dcm").exists()
    reasons = (tmp_path / "refused" / "bad.dcm.txt").read_text()
    assert "patient" in reasons and "fraction_number" in reasons
    assert TreatmentRecordImport.objects.get().source == "folder"


# --- API attacks and roles ------------------------------------------------------------------------

URL = "/api/radiotherapy/treatment-records"


def _upload(client, content, **form):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        URL, {"file": SimpleUploadedFile("r.dcm", content, "application/dicom"), **form}
    )


def test_api_records_a_matching_record(w, api_as):
    when = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=15)
    _book(w, w.fractions[0], when)
    r = _upload(api_as(user=w.therapist), rec(w, treated_at=when))
    assert r.status_code == 201, r.content
    assert r.json()["delivered_at"].startswith(timezone.localtime(when).isoformat()[:19])
    assert TreatmentRecordImport.objects.get().source == "api"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"plan_uid": "9.9.9"}, "plan"),
        ({"patient_id": "OTHER"}, "patient"),
        ({"machine": "LINAC-ZZ"}, "machine"),
        ({"fraction": 2}, "fraction_number"),
        ({"beams": {1: 150.0, 2: 80.0}}, "beams.1"),
    ],
)
def test_api_mismatch_per_field_is_409_and_saves_nothing(w, api_as, change, field):
    r = _upload(api_as(user=w.therapist), rec(w, **change))
    assert r.status_code == 409
    body = r.json()
    assert body["code"] == "treatment_record_mismatch"
    assert field in [p["field"] for p in body["errors"]]
    assert not Delivery.objects.exists()


def test_api_refuses_garbage_and_a_replayed_record(w, api_as):
    client = api_as(user=w.therapist)
    r = _upload(client, b"\x00" * 300)
    assert (r.status_code, r.json()["code"]) == (422, "validation")
    when = timezone.now() - dt.timedelta(minutes=5)
    _book(w, w.fractions[0], when)
    content = rec(w, treated_at=when)
    assert _upload(client, content).status_code == 201
    r = _upload(client, content)
    assert (r.status_code, r.json()["code"]) == (409, "treatment_record_duplicate")
    assert Delivery.objects.count() == 1


@pytest.mark.parametrize(
    "role", ["radiation_oncologist", "medical_physicist", "dosimetrist", "scheduler", "nurse"]
)
def test_api_denies_other_roles(w, api_as, role):
    r = _upload(api_as(role), rec(w))
    assert r.status_code == 403
    assert not Delivery.objects.exists()


# --- upload page ----------------------------------------------------------------------------------

PAGE = "/radiotherapy/treatment-records/"


def _page_post(client, content, **form):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        PAGE, {"file": SimpleUploadedFile("r.dcm", content, "application/dicom"), **form}
    )


def test_page_records_a_matching_record_and_opens_the_course(w, client):
    when = timezone.now() - dt.timedelta(minutes=15)
    _book(w, w.fractions[0], when)
    client.force_login(w.therapist)
    assert client.get(PAGE).status_code == 200
    r = _page_post(client, rec(w, treated_at=when))
    assert r.status_code == 302 and r["Location"] == f"/radiotherapy/courses/{w.course.pk}/"
    assert TreatmentRecordImport.objects.get().source == "upload"


def test_page_lists_every_difference_and_saves_nothing(w, client):
    client.force_login(w.therapist)
    r = _page_post(client, rec(w, patient_id="NOPE", fraction=5))
    assert r.status_code == 409
    html = r.content.decode()
    assert "the next fraction is 1, the record says 5" in html
    assert "NOPE" in html
    assert not Delivery.objects.exists()


def test_page_in_korean(w, client):
    client.force_login(w.therapist)
    r = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="ko")
    assert "치료 기록" in r.content.decode()


@pytest.mark.parametrize(
    "role", ["radiation_oncologist", "medical_physicist", "dosimetrist", "scheduler"]
)
def test_page_denies_other_roles(w, client, role):
    client.force_login(staff(role))
    assert client.get(PAGE).status_code == 403
    assert _page_post(client, rec(w)).status_code == 403
    assert not Delivery.objects.exists()
