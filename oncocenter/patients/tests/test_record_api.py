import datetime as dt

import pytest
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.patients.models import Guardian
from oncocenter.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_guardian_consent_care_team_copay(api_as):
    kid = PatientFactory(birth_date=TODAY - dt.timedelta(days=10 * 365))
    base = f"/api/patients/{kid.mrn}"
    g = {
        "name_ko": "박민지",
        "relationship": "mother",
        "phone": "010-2222-3333",
        "birth_date": "1988-04-02",
    }
    assert (
        api_as("hospital_school_teacher")
        .post(f"{base}/guardians", g, content_type="application/json")
        .status_code
        == 403
    )
    response = api_as("social_worker").post(f"{base}/guardians", g, content_type="application/json")
    assert response.status_code == 201
    gid = response.json()["id"]
    bad = api_as("nurse").post(
        f"{base}/guardians", {**g, "name_ko": "Park"}, content_type="application/json"
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "name_ko"
    assert Guardian.objects.count() == 1
    consent = {
        "kind": "treatment",
        "given_by": "guardian",
        "signed_on": TODAY.isoformat(),
        "guardian_id": gid,
    }
    assert (
        api_as("scheduler")
        .post(f"{base}/consents", consent, content_type="application/json")
        .status_code
        == 403
    )
    assert (
        api_as("nurse")
        .post(f"{base}/consents", consent, content_type="application/json")
        .status_code
        == 201
    )
    doctor = UserFactory(roles=["pediatric_oncologist"])
    team = {
        "username": doctor.username,
        "role": "pediatric_oncologist",
        "center": "pediatric",
        "is_lead": True,
    }
    assert (
        api_as("dietitian")
        .post(f"{base}/care-team", team, content_type="application/json")
        .status_code
        == 403
    )
    assert (
        api_as("nurse").post(f"{base}/care-team", team, content_type="application/json").status_code
        == 201
    )
    copay = {"registered_on": TODAY.isoformat()}
    assert (
        api_as("pediatric_oncologist")
        .post(f"{base}/copay", copay, content_type="application/json")
        .status_code
        == 403
    )
    response = api_as("scheduler").post(f"{base}/copay", copay, content_type="application/json")
    assert (
        response.json()["expires_on"]
        == (TODAY.replace(year=TODAY.year + 5) - dt.timedelta(days=1)).isoformat()
    )
