import pytest

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.patients.tests.factories import PatientFactory
from oncocenter.referrals.models import Referral
from oncocenter.referrals.services import referral_create

pytestmark = pytest.mark.django_db


def test_roles_and_flow(api_as):
    patient = PatientFactory()
    url = f"/api/referrals/patients/{patient.mrn}"
    payload = {
        "from_department": "pediatric_oncology",
        "to_department": "ophthalmology",
        "reason": "Fundus exam",
    }
    assert (
        api_as("hospital_school_teacher")
        .post(url, payload, content_type="application/json")
        .status_code
        == 403
    )
    assert (
        api_as("scheduler").post(url, payload, content_type="application/json").status_code == 403
    )
    response = api_as("pediatric_oncologist").post(url, payload, content_type="application/json")
    assert response.status_code == 201
    pk = response.json()["id"]
    advance = f"/api/referrals/{pk}/advance"
    assert (
        api_as("research_coordinator")
        .post(advance, {"status": "accepted"}, content_type="application/json")
        .status_code
        == 403
    )
    assert (
        api_as("surgeon")
        .post(advance, {"status": "accepted"}, content_type="application/json")
        .json()["status"]
        == "accepted"
    )
    response = api_as("surgeon").post(
        advance, {"status": "declined"}, content_type="application/json"
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "reason"
    assert (
        api_as("hospital_school_teacher").get("/api/referrals/worklist/ophthalmology").status_code
        == 403
    )
    rows = api_as("dietitian").get("/api/referrals/worklist/ophthalmology").json()
    assert [r["id"] for r in rows] == [pk]
    assert api_as("hospital_school_teacher").get("/api/referrals/turnaround").status_code == 403
    assert api_as("nurse").get("/api/referrals/turnaround").status_code == 200


def test_self_referral_rejected_and_nothing_saved(api_as):
    patient = PatientFactory()
    response = api_as("nurse").post(
        f"/api/referrals/patients/{patient.mrn}",
        {"from_department": "nutrition", "to_department": "nutrition", "reason": "x"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "to_department"
    assert Referral.objects.count() == 0


def test_final_status_conflict(api_as):
    r = referral_create(
        by=UserFactory(),
        patient=PatientFactory(),
        from_department="nursing",
        to_department="social_work",
        reason="Housing",
    )
    api = api_as("social_worker")
    api.post(
        f"/api/referrals/{r.pk}/advance", {"status": "cancelled"}, content_type="application/json"
    )
    response = api.post(
        f"/api/referrals/{r.pk}/advance", {"status": "accepted"}, content_type="application/json"
    )
    assert response.status_code == 409
