import pytest

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.patients.tests.factories import PatientFactory
from oncocenter.referrals.models import Referral
from oncocenter.referrals.services import referral_create

pytestmark = pytest.mark.django_db


def test_worklist_allow_deny_and_default_department(client_as):
    referral_create(
        by=UserFactory(),
        patient=PatientFactory(),
        from_department="pediatric_oncology",
        to_department="social_work",
        reason="Family lodging",
    )
    assert client_as("hospital_school_teacher").get("/referrals/").status_code == 403
    html = client_as("social_worker").get("/referrals/").content.decode()
    assert "Family lodging" in html


def test_create_and_self_referral_rejected(client_as):
    patient = PatientFactory()
    url = f"/referrals/patients/{patient.mrn}/new/"
    assert client_as("scheduler").get(url).status_code == 403
    client = client_as("pediatric_oncologist")
    response = client.post(
        url,
        {
            "from_department": "pediatric_oncology",
            "to_department": "pediatric_oncology",
            "urgency": "routine",
            "reason": "?",
        },
    )
    assert response.status_code == 422
    assert "cannot be the referring department itself" in response.content.decode()
    assert Referral.objects.count() == 0
    response = client.post(
        url,
        {
            "from_department": "pediatric_oncology",
            "to_department": "ophthalmology",
            "urgency": "urgent",
            "reason": "Fundus",
        },
    )
    assert response.status_code == 302 and Referral.objects.get().to_department == "ophthalmology"


def test_respond_flow_in_ui(client_as):
    r = referral_create(
        by=UserFactory(),
        patient=PatientFactory(),
        from_department="nursing",
        to_department="nutrition",
        reason="Weight loss 7%",
    )
    client = client_as("dietitian")
    response = client.post(
        "/referrals/?department=nutrition", {"referral": r.pk, "status": "declined"}
    )
    assert response.status_code == 422 and "is required when declining" in response.content.decode()
    response = client.post(
        "/referrals/?department=nutrition",
        {"referral": r.pk, "status": "completed", "note": "ONS started"},
    )
    assert response.status_code == 302
    assert Referral.objects.get().status == "completed"
    assert (
        client_as("research_coordinator")
        .post("/referrals/", {"referral": r.pk, "status": "accepted"})
        .status_code
        == 403
    )
