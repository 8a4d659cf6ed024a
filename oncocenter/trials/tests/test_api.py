import pytest
from django.utils import timezone

from oncocenter.trials.models import Enrollment, Study
from oncocenter.trials.tests.factories import StudyFactory
from oncocenter.trials.tests.test_services import neuroblastoma_patient

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate().isoformat()


def test_study_roles_and_bad_input(api_as):
    payload = {"code": "NB-2", "title": "NB", "phase": "II", "diagnosis_code_prefixes": ["C74"]}
    assert (
        api_as("nurse")
        .post("/api/trials/studies", payload, content_type="application/json")
        .status_code
        == 403
    )
    assert (
        api_as("research_coordinator")
        .post("/api/trials/studies", payload, content_type="application/json")
        .status_code
        == 201
    )
    bad = api_as("research_coordinator").post(
        "/api/trials/studies",
        {**payload, "code": "NB-3", "max_ecog": 9},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "max_ecog"
    assert Study.objects.count() == 1
    assert api_as("hospital_school_teacher").get("/api/trials/studies").status_code == 403
    assert api_as("nurse").get("/api/trials/studies").status_code == 200


def test_prescreen_shows_reasons_and_enrollment_override(api_as):
    study = StudyFactory()
    p = neuroblastoma_patient(lansky=30)
    assert api_as("nurse").get(f"/api/trials/studies/{study.pk}/prescreen").status_code == 403
    rows = api_as("research_coordinator").get(f"/api/trials/studies/{study.pk}/prescreen").json()
    assert rows[0]["mrn"] == p.mrn and rows[0]["overall"] == "ineligible"
    ps = next(v for v in rows[0]["verdicts"] if v["criterion"] == "performance_status")
    assert ps["verdict"] == "unmet" and "lansky 30" in ps["data_used"]
    url = f"/api/trials/studies/{study.pk}/enrollments"
    response = api_as("research_coordinator").post(
        url, {"mrn": p.mrn, "consent_on": TODAY, "arm": "A"}, content_type="application/json"
    )
    assert (
        response.status_code == 422 and response.json()["errors"][0]["field"] == "override_reason"
    )
    assert Enrollment.objects.count() == 0
    assert (
        api_as("dietitian")
        .post(
            url,
            {"mrn": p.mrn, "consent_on": TODAY, "arm": "A", "override_reason": "PI"},
            content_type="application/json",
        )
        .status_code
        == 403
    )
    response = api_as("research_coordinator").post(
        url,
        {"mrn": p.mrn, "consent_on": TODAY, "arm": "A", "override_reason": "PI approved"},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["override_reason"] == "PI approved"
    eid = response.json()["id"]
    response = api_as("research_coordinator").post(
        f"/api/trials/enrollments/{eid}/withdraw",
        {"withdrawn_on": TODAY, "reason": "Family decision"},
        content_type="application/json",
    )
    assert response.json()["status"] == "withdrawn"
    log = api_as("research_coordinator").get(f"/api/trials/studies/{study.pk}/screening-log").json()
    assert log[0]["outcome"] == "enrolled"
    response = api_as("research_coordinator").post(
        f"/api/trials/studies/{study.pk}/screening-log",
        {"mrn": p.mrn, "outcome": "approached"},
        content_type="application/json",
    )
    assert response.status_code == 201
