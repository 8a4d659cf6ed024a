import datetime as dt

import pytest
from django.utils import timezone

from oncocenter.clinics.models import Admission, Appointment, WaitlistEntry
from oncocenter.clinics.tests.factories import make_session, make_ward
from oncocenter.core.permissions import roles_with
from oncocenter.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

# (method, path, permission, body) - bodies need not be valid: allowed roles must get past the
# permission check (not 401/403), denied roles must get 403.
ENDPOINTS = [
    ("get", "/api/clinics/policy", "clinic.view", None),
    ("patch", "/api/clinics/policy", "clinic.policy_edit", {"release_days_before": 5}),
    ("get", "/api/clinics/templates", "clinic.view", None),
    (
        "post",
        "/api/clinics/templates",
        "clinic.manage",
        {
            "physician": "x",
            "center": "esophageal",
            "name": "n",
            "weekday": 0,
            "start_time": "09:00",
            "end_time": "10:00",
        },
    ),
    (
        "post",
        "/api/clinics/templates/999/generate",
        "clinic.manage",
        {"start": "2027-01-01", "end": "2027-01-31"},
    ),
    ("get", "/api/clinics/sessions?start=2027-01-01&end=2027-01-31", "clinic.view", None),
    ("get", "/api/clinics/sessions/999/slots", "clinic.view", None),
    (
        "post",
        "/api/clinics/appointments",
        "clinic.book",
        {"slot_id": 999, "mrn": "x", "appointment_type": "new"},
    ),
    ("get", "/api/clinics/patients/00000000/appointments", "clinic.view", None),
    ("post", "/api/clinics/appointments/999/cancel", "clinic.book", {"reason": "x"}),
    ("post", "/api/clinics/appointments/999/reschedule", "clinic.book", {"slot_id": 1}),
    ("post", "/api/clinics/appointments/999/check-in", "clinic.book", None),
    ("post", "/api/clinics/appointments/999/no-show", "clinic.book", None),
    ("post", "/api/clinics/appointments/999/complete", "clinic.book", None),
    ("get", "/api/clinics/waitlist", "clinic.view", None),
    (
        "post",
        "/api/clinics/waitlist",
        "clinic.book",
        {"mrn": "x", "center": "esophageal", "appointment_type": "new"},
    ),
    ("post", "/api/clinics/waitlist/999/accept", "clinic.book", None),
    ("post", "/api/clinics/waitlist/999/decline", "clinic.book", None),
    ("post", "/api/clinics/waitlist/999/withdraw", "clinic.book", None),
    ("get", "/api/clinics/wards", "admission.view", None),
    ("post", "/api/clinics/wards", "ward.manage", {"code": "X1", "name": "x", "beds": 2}),
    ("get", "/api/clinics/admissions", "admission.view", None),
    (
        "post",
        "/api/clinics/admissions",
        "admission.manage",
        {"mrn": "x", "ward": "W", "admitted_at": "2026-01-01T10:00"},
    ),
    ("post", "/api/clinics/admissions/999/transfer", "admission.manage", {"to_bed": "01"}),
    (
        "post",
        "/api/clinics/admissions/999/discharge",
        "admission.manage",
        {"discharged_at": "2026-01-01T10:00"},
    ),
    ("get", "/api/clinics/bed-waitlist", "admission.view", None),
    (
        "post",
        "/api/clinics/bed-waitlist",
        "admission.manage",
        {"mrn": "x", "ward": "W", "reason": "r"},
    ),
]


def _call(client, method, path, body):
    if body is None:
        return getattr(client, method)(path)
    return getattr(client, method)(path, body, content_type="application/json")


def _allowed_role(perm):
    return sorted(roles_with(perm))[0]


def _denied_role(perm):
    from oncocenter.core.roles import Role

    return next(r.value for r in Role if r.value not in roles_with(perm))


@pytest.mark.parametrize(("method", "path", "perm", "body"), ENDPOINTS)
def test_endpoint_allows_permitted_role(api_as, method, path, perm, body):
    response = _call(api_as(_allowed_role(perm)), method, path, body)
    assert response.status_code not in (401, 403), response.content


@pytest.mark.parametrize(("method", "path", "perm", "body"), ENDPOINTS)
def test_endpoint_denies_other_roles(api_as, method, path, perm, body):
    response = _call(api_as(_denied_role(perm)), method, path, body)
    assert response.status_code == 403
    assert perm in response.json()["detail"]


def test_anonymous_is_401(client):
    assert client.get("/api/clinics/waitlist").status_code == 401


def test_book_via_api_then_double_booking_is_409(api_as):
    session = make_session()
    slot = session.slots.first()
    a, b = PatientFactory(), PatientFactory()
    api = api_as("scheduler")
    r = api.post(
        "/api/clinics/appointments",
        {"slot_id": slot.pk, "mrn": a.mrn, "appointment_type": "follow-up"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    r = api.post(
        "/api/clinics/appointments",
        {"slot_id": slot.pk, "mrn": b.mrn, "appointment_type": "follow-up"},
        content_type="application/json",
    )
    assert r.status_code == 409
    assert r.json()["errors"][0]["field"] == "slot"
    assert Appointment.objects.count() == 1


def test_booking_closed_day_is_422_naming_slot(api_as):
    session = make_session()
    session.status, session.closed_reason = "closed", "Hangul Day"
    session.save()
    r = api_as("scheduler").post(
        "/api/clinics/appointments",
        {
            "slot_id": session.slots.first().pk,
            "mrn": PatientFactory().mrn,
            "appointment_type": "follow-up",
        },
        content_type="application/json",
    )
    assert r.status_code == 422
    err = r.json()["errors"][0]
    assert err["field"] == "slot" and "closed" in err["message"] and "Hangul Day" in err["message"]
    assert Appointment.objects.count() == 0


def test_waitlist_shows_reasons(api_as):
    p = PatientFactory()
    api = api_as("scheduler")
    r = api.post(
        "/api/clinics/waitlist",
        {
            "mrn": p.mrn,
            "center": "esophageal",
            "appointment_type": "follow-up",
            "urgency": "urgent",
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    rows = api.get("/api/clinics/waitlist").json()
    assert rows[0]["score"] == 40
    assert [x["code"] for x in rows[0]["reasons"]] == ["prior", "urgency", "waiting"]
    r = api.post(
        "/api/clinics/waitlist",
        {
            "mrn": p.mrn,
            "center": "esophageal",
            "appointment_type": "follow-up",
            "urgency": "whenever",
        },
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "urgency"
    assert WaitlistEntry.objects.count() == 1


def test_discharge_before_admission_is_422_and_nothing_saved(api_as):
    ward = make_ward(beds=1)
    p = PatientFactory()
    api = api_as("nurse")
    admitted = timezone.now() - dt.timedelta(days=1)
    r = api.post(
        "/api/clinics/admissions",
        {"mrn": p.mrn, "ward": ward.code, "admitted_at": admitted.isoformat()},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    adm_id = r.json()["id"]
    r = api.post(
        f"/api/clinics/admissions/{adm_id}/discharge",
        {"discharged_at": (admitted - dt.timedelta(hours=2)).isoformat()},
        content_type="application/json",
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "discharged_at"
    assert Admission.objects.get(pk=adm_id).status == "admitted"


def test_policy_edit_by_admin_changes_ranking(api_as):
    api = api_as("administrator")
    r = api.patch(
        "/api/clinics/policy",
        {"prior_treatment_points": 70, "reserved_share_percent": 101},
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reserved_share_percent"
    r = api.patch(
        "/api/clinics/policy", {"prior_treatment_points": 70}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["prior_treatment_points"] == 70


def test_full_session_is_409_naming_slot(api_as):
    session = make_session(slots=2)
    api = api_as("scheduler")
    for slot in session.slots.all():
        r = api.post(
            "/api/clinics/appointments",
            {"slot_id": slot.pk, "mrn": PatientFactory().mrn, "appointment_type": "follow-up"},
            content_type="application/json",
        )
        assert r.status_code == 201
    r = api.post(
        "/api/clinics/appointments",
        {
            "slot_id": session.slots.first().pk,
            "mrn": PatientFactory().mrn,
            "appointment_type": "follow-up",
        },
        content_type="application/json",
    )
    assert r.status_code == 409
    body = r.json()
    assert body["code"] == "session_full" and body["errors"][0]["field"] == "slot"
    assert Appointment.objects.count() == 2


def test_ward_create_api(api_as):
    api = api_as("administrator")
    r = api.post(
        "/api/clinics/wards",
        {"code": "e7", "name": "Esophageal 7", "center": "esophageal", "beds": 4},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["code"] == "E7" and r.json()["free"] == 4
    r = api.post(
        "/api/clinics/wards",
        {"code": "E7", "name": "Again", "beds": 999},
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "beds"
    r = api.post(
        "/api/clinics/wards",
        {"code": "E7", "name": "Again", "beds": 1},
        content_type="application/json",
    )
    assert r.status_code == 409
