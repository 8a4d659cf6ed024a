import datetime as dt

import pytest
from django.utils import timezone

from oncocenter.clinics.tests.factories import make_session
from oncocenter.core.permissions import roles_with
from oncocenter.core.roles import Role
from oncocenter.followup.models import FollowUpEvent, FollowUpPlan
from oncocenter.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    ("get", "/api/followup/templates", "followup.view", None),
    (
        "put",
        "/api/followup/templates/after-radiotherapy",
        "followup.template_edit",
        {"definition": {}},
    ),
    ("post", "/api/followup/plans", "followup.manage", {"mrn": "x", "treatment_end": "2026-01-01"}),
    (
        "post",
        "/api/followup/plans/late-effects",
        "followup.manage",
        {"mrn": "x", "therapy_end": "2026-01-01", "exposures": []},
    ),
    ("get", "/api/followup/patients/00000000/plans", "followup.view", None),
    ("get", "/api/followup/overdue", "followup.view", None),
    ("get", "/api/followup/items/999/suggestions", "clinic.view", None),
    ("post", "/api/followup/items/999/book", "clinic.book", {"slot_id": 1}),
    ("post", "/api/followup/items/999/done", "followup.manage", {"done_on": "2026-01-01"}),
    (
        "post",
        "/api/followup/events",
        "followup.manage",
        {"mrn": "x", "event_type": "complication", "occurred_on": "2026-01-01", "description": "d"},
    ),
]


def _call(client, method, path, body):
    if body is None:
        return getattr(client, method)(path)
    return getattr(client, method)(path, body, content_type="application/json")


@pytest.mark.parametrize(("method", "path", "perm", "body"), ENDPOINTS)
def test_allowed(api_as, method, path, perm, body):
    r = _call(api_as(sorted(roles_with(perm))[0]), method, path, body)
    assert r.status_code not in (401, 403), r.content


@pytest.mark.parametrize(("method", "path", "perm", "body"), ENDPOINTS)
def test_denied(api_as, method, path, perm, body):
    role = next(r.value for r in Role if r.value not in roles_with(perm))
    r = _call(api_as(role), method, path, body)
    assert r.status_code == 403


def test_plan_at_treatment_end_then_book_suggested_slot(api_as):
    p = PatientFactory()
    api = api_as("surgeon")
    end = timezone.localdate() - dt.timedelta(days=120)
    r = api.post(
        "/api/followup/plans",
        {"mrn": p.mrn, "treatment_end": str(end), "icd10_code": "C15.4", "modalities": ["surgery"]},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    plans = r.json()
    assert [x["template"] for x in plans] == ["esophagus-esophagectomy"]
    overdue = api.get("/api/followup/overdue").json()
    visit = next(i for i in overdue if i["kind"] == "visit")
    make_session()
    sugg = api.get(f"/api/followup/items/{visit['id']}/suggestions").json()
    assert sugg
    r = api.post(
        f"/api/followup/items/{visit['id']}/book",
        {"slot_id": sugg[0]["slot_id"]},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "booked"


def test_plan_bad_input_422(api_as):
    p = PatientFactory()
    api = api_as("surgeon")
    r = api.post(
        "/api/followup/plans",
        {
            "mrn": p.mrn,
            "treatment_end": str(timezone.localdate() + dt.timedelta(days=9)),
            "template": "after-radiotherapy",
        },
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "treatment_end"
    r = api.post(
        "/api/followup/plans",
        {"mrn": p.mrn, "treatment_end": "not-a-date", "template": "x"},
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "treatment_end"
    assert FollowUpPlan.objects.count() == 0


def test_event_grade_out_of_range_422(api_as):
    p = PatientFactory()
    r = api_as("surgeon").post(
        "/api/followup/events",
        {
            "mrn": p.mrn,
            "event_type": "complication",
            "occurred_on": str(timezone.localdate()),
            "description": "leak",
            "grade": 6,
        },
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "grade"
    assert FollowUpEvent.objects.count() == 0


def test_template_put_validates(api_as):
    api = api_as("surgeon")
    t = api.get("/api/followup/templates").json()
    rt = next(x for x in t if x["code"] == "after-radiotherapy")
    bad = dict(rt["definition"], horizon_months=0)
    r = api.put(
        "/api/followup/templates/after-radiotherapy",
        {"definition": bad},
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "definition.horizon_months"
