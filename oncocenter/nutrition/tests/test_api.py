import datetime as dt

import pytest
from django.utils import timezone

from oncocenter.core.permissions import roles_with
from oncocenter.core.roles import Role
from oncocenter.nutrition.models import NutritionRecord
from oncocenter.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    (
        "post",
        "/api/nutrition/records",
        "nutrition.record",
        {"mrn": "x", "measured_on": "2026-01-01"},
    ),
    ("get", "/api/nutrition/patients/00000000/records", "nutrition.view", None),
    ("get", "/api/nutrition/patients/00000000/chart.svg", "nutrition.view", None),
    (
        "post",
        "/api/nutrition/screenings",
        "nutrition.record",
        {"mrn": "x", "screened_on": "2026-01-01", "nutritional_status": 1, "disease_severity": 1},
    ),
    (
        "post",
        "/api/nutrition/milestones",
        "nutrition.record",
        {"mrn": "x", "kind": "tube_removal", "occurred_on": "2026-01-01"},
    ),
    ("get", "/api/nutrition/alerts", "nutrition.alerts", None),
    ("post", "/api/nutrition/alerts/999", "nutrition.alerts", {"status": "resolved"}),
    ("get", "/api/nutrition/settings", "nutrition.view", None),
    ("patch", "/api/nutrition/settings", "nutrition.settings", {"loss_1m_percent": 5}),
    ("get", "/api/nutrition/questionnaires", "qol.view", None),
    (
        "post",
        "/api/nutrition/qol",
        "qol.record",
        {"mrn": "x", "questionnaire": "q", "answered_on": "2026-01-01", "answers": {}},
    ),
    ("get", "/api/nutrition/qol-alerts", "qol.alerts", None),
    ("post", "/api/nutrition/qol-alerts/999", "qol.alerts", {"status": "resolved"}),
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
    assert _call(api_as(role), method, path, body).status_code == 403


def test_record_with_loss_returns_alert_and_worklist_shows_it(api_as):
    p = PatientFactory()
    nurse = api_as("nurse")
    d0 = timezone.localdate() - dt.timedelta(days=25)
    r = nurse.post(
        "/api/nutrition/records",
        {"mrn": p.mrn, "measured_on": str(d0), "weight": 64, "height": 170},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    r = nurse.post(
        "/api/nutrition/records",
        {"mrn": p.mrn, "measured_on": str(timezone.localdate()), "weight": 60.1, "fois_level": 5},
        content_type="application/json",
    )
    assert r.status_code == 201
    assert [a["code"] for a in r.json()["alerts"]] == ["weight_loss_1m"]
    rows = api_as("dietitian").get("/api/nutrition/alerts").json()
    assert rows[0]["patient_mrn"] == p.mrn and "6.1 %" in rows[0]["message"]


@pytest.mark.parametrize(
    ("body", "field", "fragment"),
    [
        ({"weight": 1200}, "weight", "1200 kg"),
        ({"weight": -5}, "weight", "-5 kg"),
        ({"height": 2.5}, "height", "2.5 cm"),
        ({"fois_level": 9}, "fois_level", "1-7"),
        ({"fois_level": 0}, "fois_level", "1-7"),
        ({"weight": 60, "weight_unit": "stone"}, "weight_unit", "unknown unit"),
    ],
)
def test_implausible_values_are_422_with_units(api_as, body, field, fragment):
    p = PatientFactory()
    r = api_as("dietitian").post(
        "/api/nutrition/records",
        {"mrn": p.mrn, "measured_on": str(timezone.localdate()), **body},
        content_type="application/json",
    )
    assert r.status_code == 422
    err = next(e for e in r.json()["errors"] if e["field"] == field)
    assert fragment in err["message"]
    assert NutritionRecord.objects.count() == 0


def test_chart_svg(api_as):
    p = PatientFactory()
    api = api_as("dietitian")
    api.post(
        "/api/nutrition/records",
        {"mrn": p.mrn, "measured_on": str(timezone.localdate()), "weight": 60, "fois_level": 4},
        content_type="application/json",
    )
    r = api.get(f"/api/nutrition/patients/{p.mrn}/chart.svg")
    assert r.status_code == 200 and r["Content-Type"] == "image/svg+xml"
    assert b"<svg" in r.content


def test_qol_via_api_and_bad_answer(api_as):
    p = PatientFactory()
    api = api_as("nurse")
    r = api.post(
        "/api/nutrition/qol",
        {
            "mrn": p.mrn,
            "questionnaire": "esophageal-qol-example",
            "answered_on": str(timezone.localdate()),
            "answers": {"eat_solid": 5},
        },
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "answers.eat_solid"
    r = api.post(
        "/api/nutrition/qol",
        {
            "mrn": p.mrn,
            "questionnaire": "esophageal-qol-example",
            "answered_on": str(timezone.localdate()),
            "answers": {"eat_solid": 4, "swallow_trouble": 1, "enjoy_meals": 3},
        },
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["scores"]["eating"] == pytest.approx(88.9, abs=0.1)
