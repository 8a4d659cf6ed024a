"""API: per-role allow/deny for every endpoint, bad input naming the field, and every interlock
attacked through HTTP (4xx with the rule named, nothing written)."""

import datetime as dt
import json
from pathlib import Path

import pytest
from django.utils import timezone
from pydicom.data import get_testdata_file

from oncocenter.audit.models import AuditEvent
from oncocenter.radiotherapy import services as s
from oncocenter.radiotherapy.models import (
    Course,
    Delivery,
    DicomMachineName,
    Fraction,
    Plan,
    Prescription,
    Signature,
)
from oncocenter.radiotherapy.tests.factories import (
    all_pass,
    make_world,
    past,
    signed_days_ago,
    staff,
)

pytestmark = pytest.mark.django_db
BASE = "/api/radiotherapy"


@pytest.fixture
def w():
    return make_world()


def post(client, url, data=None):
    return client.post(BASE + url, data=json.dumps(data or {}), content_type="application/json")


def patch(client, url, data):
    return client.patch(BASE + url, data=json.dumps(data), content_type="application/json")


def put(client, url, data):
    return client.put(BASE + url, data=json.dumps(data), content_type="application/json")


RX = {
    "site": "Larynx",
    "technique": "3D",
    "dose_per_fraction_gy": "2",
    "number_of_fractions": 5,
    "intent": "curative",
    "energy": "6 MV",
    "no_diagnosis_reason": "benign disease, no oncology diagnosis",
}


def test_course_and_prescription_flow_through_api(w, api_as):
    ro = api_as(user=w.ro)
    today = timezone.localdate()
    # Signed yesterday, so that a treatment now comes after the approvals.
    with signed_days_ago(1):
        r = post(
            ro,
            "/courses",
            {
                "mrn": w.patient.mrn,
                "label": "Larynx",
                "intent": "curative",
                "physician": w.ro.username,
            },
        )
        assert r.status_code == 201, r.content
        course_id = r.json()["id"]
        r = post(ro, f"/courses/{course_id}/prescriptions", RX)
        assert r.status_code == 201 and r.json()["total_dose_gy"] == "10.000"
        rx_id = r.json()["id"]
        assert post(ro, f"/prescriptions/{rx_id}/sign").status_code == 201
        r = post(
            api_as(user=w.dosimetrist),
            f"/prescriptions/{rx_id}/plans",
            {
                "label": "P1",
                "machine": w.linac.code,
                "fractions_planned": 5,
                "dose_per_fraction_gy": "2",
                "meterset_per_fraction": "210",
            },
        )
        assert r.status_code == 201, r.content
        plan_id = r.json()["id"]
        assert post(ro, f"/plans/{plan_id}/approve").status_code == 201
        r = post(
            api_as(user=w.physicist), f"/plans/{plan_id}/physics-check", {"results": all_pass()}
        )
        assert r.status_code == 201 and r.json()["status"] == "passed"
        r = post(
            api_as(user=w.scheduler),
            f"/plans/{plan_id}/schedule",
            {"start_date": today.isoformat()},
        )
        assert r.status_code == 201
    fraction_id = r.json()[0]["id"]
    body = {
        "delivered_at": (timezone.now() - dt.timedelta(minutes=2)).isoformat(),
        "machine": w.linac.code,
        "identifiers": w.ids,
    }
    first = Fraction.objects.get(pk=fraction_id)
    if first.scheduled_date != today:
        body["override_reason"] = "the test runs on a day the center is closed"
    r = post(api_as(user=w.therapist), f"/fractions/{fraction_id}/deliveries", body)
    assert r.status_code == 201, r.content
    assert r.json()["late_entry"] is False
    assert r.json()["fraction_number"] == 1 and r.json()["fractions_delivered"] == 1
    detail = ro.get(f"{BASE}/courses/{course_id}").json()
    assert detail["status"] == "active"
    assert {sg["meaning"] for sg in detail["signatures"]} == {
        "prescription-signed",
        "plan-approved",
        "physics-check",
    }
    assert AuditEvent.objects.filter(action="read", object_type="radiotherapy.course").exists()
    summary = ro.get(f"{BASE}/courses/{course_id}/dose-summary").json()
    assert summary["prescriptions"][0]["fractions_delivered"] == 1


def test_bad_prescription_input_is_422_naming_fields_and_saves_nothing(w, api_as):
    w.make_course()
    r = post(
        api_as(user=w.ro),
        f"/courses/{w.course.pk}/prescriptions",
        {**RX, "technique": "COBALT", "number_of_fractions": 0},
    )
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"technique", "number_of_fractions"} <= fields
    r = post(api_as(user=w.ro), f"/courses/{w.course.pk}/prescriptions", {"site": "x"})
    assert r.status_code == 422 and "technique" in r.json()["detail"]
    assert not Prescription.objects.exists()


def test_bad_delivery_input_names_field(w, api_as):
    w.ready()
    (f, *_) = w.schedule()
    r = post(
        api_as(user=w.therapist),
        f"/fractions/{f.pk}/deliveries",
        {"delivered_at": "yesterday", "machine": w.linac.code, "identifiers": w.ids},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "delivered_at"
    r = post(
        api_as(user=w.therapist),
        f"/fractions/{f.pk}/deliveries",
        {"delivered_at": past(1).isoformat(), "machine": "NOPE", "identifiers": w.ids},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "machine"
    assert not Delivery.objects.exists()


# --- attacks ----------------------------------------------------------------------------------------------


def test_attack_wrong_role_signs_prescription(w, api_as):
    w.make_rx()
    r = post(api_as(user=w.physicist), f"/prescriptions/{w.rx.pk}/sign")
    assert r.status_code == 403 and "rt.prescription.sign" in r.json()["detail"]
    assert not Signature.objects.exists()


def test_attack_expired_credential(w, api_as):
    w.make_rx()
    r = post(
        api_as(user=staff("radiation_oncologist", expired=True)), f"/prescriptions/{w.rx.pk}/sign"
    )
    assert r.status_code == 403 and "credential" in r.json()["detail"]
    assert not Signature.objects.exists()


def test_attack_planner_checks_own_plan(w, api_as):
    w.make_rx()
    s.prescription_sign(prescription=w.rx, by=w.ro)
    plan = s.plan_create(
        prescription=w.rx,
        by=w.physicist,
        label="P",
        machine=w.linac,
        fractions_planned=5,
        dose_per_fraction_gy="2",
    )
    s.plan_approve(plan=plan, by=w.ro)
    r = post(api_as(user=w.physicist), f"/plans/{plan.pk}/physics-check", {"results": all_pass()})
    assert r.status_code == 409 and r.json()["code"] == "physicist_is_planner"
    assert not Signature.objects.filter(meaning="physics-check").exists()


def test_attack_delivery_before_approval(w, api_as):
    w.make_rx()
    s.prescription_sign(prescription=w.rx, by=w.ro)
    w.make_plan()
    (f, *_) = w.schedule()
    r = post(
        api_as(user=w.therapist),
        f"/fractions/{f.pk}/deliveries",
        {"delivered_at": past(1).isoformat(), "machine": w.linac.code, "identifiers": w.ids},
    )
    assert r.status_code == 409 and r.json()["code"] == "plan_not_approved"
    assert not Delivery.objects.exists()


def test_attack_extra_fraction(w, api_as):
    w.ready()
    sessions = w.schedule()
    # A second prescription keeps the course open after the first one's last fraction.
    first_rx = w.rx
    with signed_days_ago(60):
        second = w.make_rx(site="Neck boost")
        s.prescription_sign(prescription=second, by=w.ro)
    w.rx = first_rx
    for i, f in enumerate(sessions):
        w.deliver(f, past(10 - i))
    from oncocenter.radiotherapy.models import Fraction

    extra = Fraction.objects.create(prescription=w.rx, plan=w.plan, sequence=50)
    r = post(
        api_as(user=w.therapist),
        f"/fractions/{extra.pk}/deliveries",
        {"delivered_at": past(1).isoformat(), "machine": w.linac.code, "identifiers": w.ids},
    )
    assert r.status_code == 409 and r.json()["code"] == "fractions_exhausted"
    assert Delivery.objects.count() == 5


def test_attack_edit_after_approval_then_deliver(w, api_as):
    w.ready()
    (f, *_) = w.schedule()
    r = patch(api_as(user=w.dosimetrist), f"/plans/{w.plan.pk}", {"meterset_per_fraction": "250"})
    assert r.status_code == 200 and r.json()["status"] == "draft"
    r = post(
        api_as(user=w.therapist),
        f"/fractions/{f.pk}/deliveries",
        {"delivered_at": past(1).isoformat(), "machine": w.linac.code, "identifiers": w.ids},
    )
    assert r.status_code == 409 and r.json()["code"] == "plan_not_approved"
    assert not Delivery.objects.exists()


def test_attack_overdose_without_override(w, api_as):
    w.make_rx()
    s.prescription_sign(prescription=w.rx, by=w.ro)
    w.make_plan()
    r = put(
        api_as(user=w.dosimetrist),
        f"/plans/{w.plan.pk}/organ-doses",
        {"doses": [{"organ": "Brainstem", "metric": "Dmax", "value": "58", "unit": "Gy"}]},
    )
    assert r.status_code == 200
    r = post(api_as(user=w.ro), f"/plans/{w.plan.pk}/approve")
    assert r.status_code == 409 and r.json()["code"] == "dose_limit_without_override"
    r = post(
        api_as(user=w.ro),
        f"/plans/{w.plan.pk}/overrides",
        {"organ": "Brainstem", "metric": "Dmax", "justification": "too short"},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "justification"
    assert not Signature.objects.filter(meaning__in=["plan-approved", "dose-override"]).exists()
    constraints = api_as(user=w.ro).get(f"{BASE}/plans/{w.plan.pk}/constraints").json()
    assert constraints["failures"][0]["organ"] == "Brainstem"


def test_attack_one_identifier_only(w, api_as):
    w.ready()
    (f, *_) = w.schedule()
    r = post(
        api_as(user=w.therapist),
        f"/fractions/{f.pk}/deliveries",
        {
            "delivered_at": past(1).isoformat(),
            "machine": w.linac.code,
            "identifiers": {"mrn": w.patient.mrn},
        },
    )
    assert r.status_code == 422 and any(e["field"] == "identifiers" for e in r.json()["errors"])


def test_dicom_import_endpoint_match_and_mismatch(w, api_as):
    content = Path(get_testdata_file("rtplan.dcm")).read_bytes()
    w.patient.mrn = "id00001"
    w.patient.save(update_fields=["mrn"])
    DicomMachineName.objects.create(dicom_name="unit001", machine=w.linac)
    bad = w.make_rx(dose_per_fraction_gy="2", number_of_fractions=25)
    good = w.make_rx(dose_per_fraction_gy="1.03", number_of_fractions=30)
    client = api_as(user=w.dosimetrist)
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = client.post(
        f"{BASE}/prescriptions/{bad.pk}/plans/import",
        {"file": SimpleUploadedFile("rtplan.dcm", content, "application/dicom")},
    )
    assert r.status_code == 409 and r.json()["code"] == "rtplan_mismatch"
    assert "fractions" in r.json()["detail"] and "expected 25, found 30" in r.json()["detail"]
    r = client.post(
        f"{BASE}/prescriptions/{good.pk}/plans/import",
        {"file": SimpleUploadedFile("rtplan.dcm", content, "application/dicom")},
    )
    # Checked in the request, imported by a job (202): nothing saved until the job has run.
    assert r.status_code == 202, r.content
    assert r.json()["kind"] == "radiotherapy.rtplan_import" and not Plan.objects.exists()
    from oncocenter.jobs.services import job_execute

    assert job_execute(job_id=r.json()["job"]) == "succeeded"
    status = client.get(r.json()["status_url"]).json()
    plan = Plan.objects.get()
    assert status["result"]["plan"] == plan.pk
    assert plan.label == "Plan1" and plan.machine == w.linac


# --- permission matrix ------------------------------------------------------------------------------------

ENDPOINTS = [
    # method, url template, valid body (placeholders filled per test), allowed role, denied role
    (
        "post",
        "/courses",
        {"mrn": "{mrn}", "label": "X", "intent": "curative", "physician": "{ro}"},
        "radiation_oncologist",
        "dosimetrist",
    ),
    ("post", "/courses/{course}/prescriptions", RX, "radiation_oncologist", "medical_physicist"),
    ("patch", "/prescriptions/{rx}", {"notes": "x"}, "radiation_oncologist", "radiation_therapist"),
    ("post", "/prescriptions/{rx}/sign", {}, "radiation_oncologist", "dosimetrist"),
    (
        "post",
        "/prescriptions/{rx}/plans",
        {
            "label": "P2",
            "machine": "{machine}",
            "fractions_planned": 5,
            "dose_per_fraction_gy": "2",
        },
        "dosimetrist",
        "radiation_therapist",
    ),
    ("patch", "/plans/{plan}", {"label": "P9"}, "medical_physicist", "nurse"),
    ("put", "/plans/{plan}/organ-doses", {"doses": []}, "dosimetrist", "nurse"),
    (
        "post",
        "/plans/{plan}/overrides",
        {"organ": "Spinal cord", "metric": "Dmax", "justification": "x" * 30},
        "radiation_oncologist",
        "medical_physicist",
    ),
    ("post", "/plans/{plan}/approve", {}, "radiation_oncologist", "dosimetrist"),
    (
        "post",
        "/plans/{plan}/physics-check",
        {"results": {}},
        "medical_physicist",
        "radiation_oncologist",
    ),
    (
        "post",
        "/plans/{plan}/psqa",
        {"method": "gamma", "passing_rate_pct": "99"},
        "medical_physicist",
        "dosimetrist",
    ),
    ("post", "/plans/{plan}/schedule", {"start_date": "{today}"}, "scheduler", "nurse"),
    (
        "post",
        "/fractions/{fraction}/deliveries",
        {"delivered_at": "{now}", "machine": "{machine}", "identifiers": {}},
        "radiation_therapist",
        "radiation_oncologist",
    ),
    ("post", "/fractions/{fraction}/missed", {"reason": "no show"}, "scheduler", "dosimetrist"),
    (
        "put",
        "/fractions/{fraction}/brachy",
        {"applicator": "a", "room": "r", "afterloader": "{machine}"},
        "medical_physicist",
        "nurse",
    ),
    (
        "post",
        "/deliveries/1/entered-in-error",
        {"reason": "wrong patient"},
        "radiation_therapist",
        "nurse",
    ),
    (
        "post",
        "/courses/{course}/weekly-reviews",
        {"reviewed_on": "{today}", "grades": {}},
        "radiation_oncologist",
        "nurse",
    ),
    (
        "post",
        "/courses/{course}/chart-checks",
        {"kind": "weekly", "results": {}},
        "medical_physicist",
        "dosimetrist",
    ),
    (
        "post",
        "/courses/{course}/close",
        {"status": "stopped", "reason": "x"},
        "radiation_oncologist",
        "radiation_therapist",
    ),
    ("get", "/courses/{course}", None, "nurse", "hospital_school_teacher"),
    ("get", "/courses?mrn={mrn}", None, "radiation_therapist", "social_worker"),
    ("get", "/courses/{course}/dose-summary", None, "medical_physicist", "social_worker"),
    ("get", "/plans/{plan}/constraints", None, "dosimetrist", "hospital_school_teacher"),
    ("get", "/worklists/interruptions", None, "radiation_therapist", "administrator"),
    ("get", "/reference/ctcae", None, "nurse", "hospital_school_teacher"),
]


def _fill(body, values):
    if isinstance(body, dict):
        return {k: _fill(v, values) for k, v in body.items()}
    if isinstance(body, str) and body.startswith("{") and body.endswith("}"):
        return values[body[1:-1]]
    return body


@pytest.mark.parametrize(
    ("method", "url", "body", "allowed", "denied"),
    ENDPOINTS,
    ids=[f"{m} {u}" for m, u, *_ in ENDPOINTS],
)
def test_permission_matrix(w, api_as, method, url, body, allowed, denied):
    w.make_rx()
    w.make_plan()
    (f, *_) = w.schedule()
    values = {
        "course": w.course.pk,
        "rx": w.rx.pk,
        "plan": w.plan.pk,
        "fraction": f.pk,
        "mrn": w.patient.mrn,
        "ro": w.ro.username,
        "machine": w.linac.code,
        "today": timezone.localdate().isoformat(),
        "now": past(1).isoformat(),
    }
    url = url.format(**values)
    body = _fill(body, values)
    before = (Course.objects.count(), Prescription.objects.count(), Signature.objects.count())

    def call(role):
        client = api_as(role)
        if method == "get":
            return client.get(BASE + url)
        return getattr(client, method)(
            BASE + url, data=json.dumps(body), content_type="application/json"
        )

    denied_response = call(denied)
    assert denied_response.status_code == 403, denied_response.content
    assert (
        Course.objects.count(),
        Prescription.objects.count(),
        Signature.objects.count(),
    ) == before
    allowed_response = call(allowed)
    # Allowed roles get past the permission check: success, or a 4xx about the (empty) input.
    assert (
        allowed_response.status_code != 403 or "credential" in allowed_response.json()["detail"]
    ), allowed_response.content
    assert allowed_response.status_code < 500


def test_dvh_export_import_sets_organ_doses_and_flags_limits(w, api_as):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from oncocenter.radiotherapy.tests.test_dvh import EXPORT

    w.make_rx()
    w.make_plan()
    client = api_as(user=w.dosimetrist)
    r = client.post(
        f"{BASE}/plans/{w.plan.pk}/organ-doses/dvh",
        {"file": SimpleUploadedFile("dvh.txt", EXPORT.encode(), "text/plain")},
    )
    assert r.status_code == 200, r.content
    doses = {(d.organ, d.metric): d for d in w.plan.organ_doses.all()}
    assert doses[("Lungs", "V20")].value == 30 and doses[("Lungs", "V20")].source == "dvh"
    failures = client.get(f"{BASE}/plans/{w.plan.pk}/constraints").json()["failures"]
    # Lungs V20 30 % is not < 30 %; parotid mean 26.1 > 25 Gy
    assert {(f["organ"], f["metric"]) for f in failures} == {("Lungs", "V20"), ("Parotid", "Dmean")}
    r = client.post(
        f"{BASE}/plans/{w.plan.pk}/organ-doses/dvh",
        {"file": SimpleUploadedFile("dvh.txt", b"nothing useful", "text/plain")},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "file"
