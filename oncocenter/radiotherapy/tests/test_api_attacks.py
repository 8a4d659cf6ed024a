"""The attacks of issue 15 through the API: each answers with its HTTP status and rule code and
saves nothing (the acceptance table in docs/record-and-verify.md is this test's output)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from oncocenter.machines import qa
from oncocenter.radiotherapy import services as s
from oncocenter.radiotherapy.models import Delivery
from oncocenter.radiotherapy.tests.factories import ago, machine, make_world, past

pytestmark = pytest.mark.django_db
BASE = "/api/radiotherapy"


@pytest.fixture
def w():
    world = make_world()
    world.ready()
    world.sessions = world.schedule()
    return world


def _post(client, url, data):
    return client.post(url, data=json.dumps(data, default=str), content_type="application/json")


def _deliver(w, api_as, fraction, when, *, machine_code=None, align=True, **extra):
    if align:
        s.fractions_follow_bookings(
            slots=[
                s.SessionSlot(
                    fraction_id=fraction.pk,
                    scheduled_date=timezone.localtime(when).date(),
                    machine_id=w.linac.pk,
                )
            ]
        )
    body = {
        "delivered_at": when.isoformat(),
        "machine": machine_code or w.linac.code,
        "identifiers": w.ids,
        "late_entry_reason": "entered from the console log",
        **extra,
    }
    return _post(api_as(user=w.therapist), f"{BASE}/fractions/{fraction.pk}/deliveries", body)


def _code(r):
    return r.json().get("code")


def test_attack_wrong_machine_409_then_matched_machine_201(w, api_as):
    other = machine("LINAC-5", ("3D",))
    r = _deliver(w, api_as, w.sessions[0], past(3), machine_code="LINAC-5")
    assert (r.status_code, _code(r)) == (409, "machine_not_planned")
    assert "LINAC-T1" in r.json()["detail"] and "LINAC-5" in r.json()["detail"]
    qa.beam_match_group_create(
        name="g",
        machines=[w.linac, other],
        evidence="beam data matched within 1%",
        matched_on=timezone.localdate() - dt.timedelta(days=100),
        by=w.physicist,
    )
    r = _deliver(w, api_as, w.sessions[0], past(3), machine_code="LINAC-5", align=False)
    assert r.status_code == 409  # booked on LINAC-T1: another machine is off schedule
    assert _code(r) == "off_schedule_override_required"
    r = _deliver(
        w,
        api_as,
        w.sessions[0],
        past(3),
        machine_code="LINAC-5",
        align=False,
        override_reason="LINAC-T1 down, matched twin used",
    )
    assert r.status_code == 201 and r.json()["off_schedule"] == ["other-machine"]


def test_attack_backdated_before_the_prescription(w, api_as):
    r = _deliver(w, api_as, w.sessions[0], timezone.now() - dt.timedelta(days=150))
    assert (r.status_code, _code(r)) == (409, "delivered_before_approval")
    assert not Delivery.objects.exists()


def test_attack_future(w, api_as):
    r = _deliver(w, api_as, w.sessions[0], timezone.now() + dt.timedelta(hours=3))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "delivered_at"


def test_attack_fraction_two_before_fraction_one(w, api_as):
    assert _deliver(w, api_as, w.sessions[0], past(3)).status_code == 201
    r = _deliver(w, api_as, w.sessions[1], past(4))
    assert (r.status_code, _code(r)) == (409, "delivery_out_of_order")


def test_attack_saturday_and_day_before_booking(w, api_as):
    saturday = past(0)
    while saturday.weekday() != 5:
        saturday -= dt.timedelta(days=1)
    r = _deliver(w, api_as, w.sessions[0], saturday)
    assert (r.status_code, _code(r)) == (409, "off_schedule_override_required")
    assert [e["value"] for e in r.json()["errors"]] == ["closed-day"]
    s.fractions_follow_bookings(
        slots=[
            s.SessionSlot(
                fraction_id=w.sessions[0].pk, scheduled_date=past(2).date(), machine_id=w.linac.pk
            )
        ]
    )
    r = _deliver(w, api_as, w.sessions[0], past(3), align=False)
    assert (r.status_code, _code(r)) == (409, "off_schedule_override_required")
    r = _deliver(w, api_as, w.sessions[0], past(3), align=False, override_reason="came early")
    assert r.status_code == 201 and r.json()["override_signature"] is not None


def test_attack_twice_in_one_day(w, api_as):
    assert _deliver(w, api_as, w.sessions[0], past(3, 8)).status_code == 201
    r = _deliver(w, api_as, w.sessions[1], past(3, 15))
    assert (r.status_code, _code(r)) == (409, "fractions_per_day")


def test_attack_late_entry_without_reason(w, api_as):
    r = _deliver(w, api_as, w.sessions[0], past(3), late_entry_reason="")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "late_entry_reason"
    r = _deliver(w, api_as, w.sessions[0], past(3))
    assert r.status_code == 201 and r.json()["late_entry"] is True


def test_attack_qa_hold(w, api_as):
    test = qa.qa_test_define(
        machine=w.linac,
        code="output-6x",
        name="Output 6 MV",
        frequency="daily",
        nominal="100",
        tolerance="2",
        action="3",
        by=w.physicist,
    )
    therapist = api_as(user=w.therapist)
    r = _post(
        therapist,
        f"/api/machines/{w.linac.code}/qa-results",
        {
            "test": test.code,
            "value": "96.2",
            "comment": "low output",
            "performed_at": ago(30),
        },
    )
    assert r.status_code == 201 and r.json()["status"] == "action" and r.json()["on_hold"]
    r = _deliver(w, api_as, w.sessions[0], ago(3))
    assert (r.status_code, _code(r)) == (409, "machine_qa_hold")
    r = _post(therapist, f"/api/machines/{w.linac.code}/qa-hold/release", {"reason": "ok now"})
    assert r.status_code == 403
    r = _post(
        api_as(user=w.physicist),
        f"/api/machines/{w.linac.code}/qa-hold/release",
        {"reason": "ion chamber re-read 100.1%"},
    )
    assert r.status_code == 200 and r.json()["state"] == "ok"
    state = api_as("nurse").get(f"/api/machines/{w.linac.code}/qa").json()
    assert state["state"] == "ok" and state["recent"][0]["status"] == "action"


def test_attack_untouched_checklist_names_every_item(api_as):
    w = make_world()
    w.make_rx()
    s.prescription_sign(prescription=w.rx, by=w.ro)
    w.make_plan()
    s.plan_approve(plan=w.plan, by=w.ro)
    r = _post(api_as(user=w.physicist), f"{BASE}/plans/{w.plan.pk}/physics-check", {"results": {}})
    from oncocenter.radiotherapy.selectors import checklist

    items = {f"results.{i.code}" for i in checklist("initial")}
    assert r.status_code == 422 and {e["field"] for e in r.json()["errors"]} == items


def test_attack_prescription_without_diagnosis(api_as):
    w = make_world()
    w.make_course()
    body = {
        "site": "Larynx",
        "technique": "3D",
        "dose_per_fraction_gy": "2",
        "number_of_fractions": 5,
        "intent": "curative",
    }
    r = _post(api_as(user=w.ro), f"{BASE}/courses/{w.course.pk}/prescriptions", body)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "diagnosis"


def test_machine_qa_api_allow_and_deny(w, api_as):
    r = _post(
        api_as("nurse"),
        f"/api/machines/{w.linac.code}/qa-results",
        {"test": "x", "value": "1"},
    )
    assert r.status_code == 403
    r = _post(
        api_as(user=w.therapist),
        "/api/machines/beam-match-groups",
        {"name": "g", "machines": [w.linac.code], "evidence": "x", "matched_on": "2026-01-01"},
    )
    assert r.status_code == 403
    assert (
        api_as("hospital_school_teacher").get(f"/api/machines/{w.linac.code}/qa").status_code == 403
    )
