"""Issue 15 acceptance, the attacks not already in radiotherapy's `test_api_attacks.py`, through
the API with their HTTP status and code: untouched weekly, end-of-treatment and PSQA checklists,
a booking today on a machine on QA hold, a treatment record differing in each field, 28 of 28
fractions leave no future booking, and the new course and plan-transfer rules."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from oncocenter.machines import qa
from oncocenter.radiotherapy import services as rt
from oncocenter.radiotherapy.models import Delivery, Plan, TreatmentRecordImport
from oncocenter.radiotherapy.selectors import checklist
from oncocenter.radiotherapy.tests.factories import make_world, past
from oncocenter.radiotherapy.tests.rtrecord_files import PLAN_BEAMS, record_bytes
from oncocenter.scheduling import adapter, services
from oncocenter.scheduling.models import Booking, BookingStatus
from oncocenter.scheduling.tests.factories import at, next_open_day

pytestmark = pytest.mark.django_db
BASE = "/api/radiotherapy"
PLAN_UID = "1.2.826.0.1.3680043.8.498.1777"


def _post(client, url, data):
    return client.post(url, data=json.dumps(data, default=str), content_type="application/json")


@pytest.fixture
def rw():
    w = make_world()
    w.ready()
    w.sessions = w.schedule()
    return w


@pytest.mark.parametrize("kind", ["weekly", "end"])
def test_untouched_weekly_and_end_of_treatment_checks_name_every_item(rw, api_as, kind):
    rw.deliver(rw.sessions[0], past(2))
    r = _post(
        api_as(user=rw.physicist),
        f"{BASE}/courses/{rw.course.pk}/chart-checks",
        {"kind": kind, "results": {}},
    )
    items = {f"results.{i.code}" for i in checklist(kind)}
    assert r.status_code == 422 and r.json()["code"] == "validation"
    assert {e["field"] for e in r.json()["errors"]} == items and items


def test_untouched_psqa_is_refused(api_as):
    w = make_world()
    w.make_rx(technique="IMRT")
    rt.prescription_sign(prescription=w.rx, by=w.ro)
    w.make_plan()
    rt.plan_approve(plan=w.plan, by=w.ro)
    r = _post(api_as(user=w.physicist), f"{BASE}/plans/{w.plan.pk}/psqa", {})
    assert r.status_code == 422 and r.json()["code"] == "validation"
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"method", "passing_rate_pct"} <= fields


def test_booking_today_on_a_machine_on_qa_hold(rw, api_as):
    qa.qa_hold_place(machine=rw.linac, by=rw.physicist, reason="output 4 % high this morning")
    now = timezone.localtime()
    body = {"fraction_id": rw.sessions[0].pk, "machine": rw.linac.code}
    later_today = now.replace(hour=19, minute=0, second=0, microsecond=0)
    if adapter.is_open_day(now.date()) and now < later_today:
        r = _post(
            api_as(user=rw.scheduler), "/api/scheduling/bookings", {**body, "start": later_today}
        )
        assert (r.status_code, r.json()["code"]) == (409, "machine_qa_hold")
    r = _post(
        api_as(user=rw.scheduler),
        "/api/scheduling/bookings",
        {**body, "start": at(next_open_day(), 9)},
    )
    assert r.status_code == 201  # another day stays bookable


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"plan_uid": "1.2.3.999"}, "plan"),
        ({"patient_id": "OTHER-MRN"}, "patient"),
        ({"birth_date": dt.date(1901, 1, 1)}, "patient_birth_date"),
        ({"machine": "NO-SUCH-LINAC"}, "machine"),
        ({"fraction": 3}, "fraction_number"),
        ({"beams": {1: 120.0, 2: 60.0}}, "beams.2"),
        ({"treated_at": None}, "treated_at"),
    ],
)
def test_treatment_record_mismatch_per_field_over_the_api(rw, api_as, change, field):
    Plan.objects.filter(pk=rw.plan.pk).update(dicom_sop_instance_uid=PLAN_UID, beams=PLAN_BEAMS)
    base = {
        "plan_uid": PLAN_UID,
        "patient_id": rw.patient.mrn,
        "birth_date": rw.patient.birth_date,
        "machine": rw.linac.code,
        "fraction": 1,
        "treated_at": timezone.now() - dt.timedelta(minutes=20),
        **change,
    }
    upload = SimpleUploadedFile("rt.dcm", record_bytes(**base), "application/dicom")
    r = api_as(user=rw.therapist).post(f"{BASE}/treatment-records", {"file": upload})
    assert (r.status_code, r.json()["code"]) == (409, "treatment_record_mismatch")
    assert field in [e["field"] for e in r.json()["errors"]]
    assert not Delivery.objects.exists() and not TreatmentRecordImport.objects.exists()


def test_28_of_28_fractions_leave_no_future_booking(api_as, machines):
    from oncocenter.scheduling.tests.factories import ready_course, world

    w = world()
    ready_course(w, number_of_fractions=28, technique="3D")
    sessions = w.schedule(start=w.rx.created_at.date())
    # Booked from the next open day on (as the booking engine would), 28 sessions.
    bookings = [
        services.booking_create(
            fraction=f,
            machine=machines["LINAC-3"],
            start=at(next_open_day(skip=i + 1), 9),
            by=w.scheduler,
        )
        for i, f in enumerate(sessions)
    ]
    # The course is treated on earlier days (entered late, each off schedule and overridden),
    # the last one through the API.
    for i, f in enumerate(sessions[:-1]):
        w.deliver(
            f,
            past(40 - i, 9),
            align=False,
            machine=machines["LINAC-3"],
            override_reason="treated before its booking (catch-up)",
        )
    last = sessions[-1]
    r = _post(
        api_as(user=w.therapist),
        f"{BASE}/fractions/{last.pk}/deliveries",
        {
            "delivered_at": (timezone.now() - dt.timedelta(minutes=10)).isoformat(),
            "machine": "LINAC-3",
            "identifiers": w.ids,
            "override_reason": "last fraction before its booked day",
        },
    )
    assert r.status_code == 201, r.content
    w.course.refresh_from_db()
    assert w.course.status == "completed"
    assert not Booking.objects.filter(
        prescription__course=w.course, status=BookingStatus.BOOKED
    ).exists()
    assert {b.status for b in Booking.objects.filter(pk__in=[b.pk for b in bookings])} == {
        BookingStatus.TREATED
    }
    appts = api_as(user=w.scheduler).get(f"/api/scheduling/patients/{w.patient.mrn}/appointments")
    assert appts.status_code == 200 and appts.json() == []
