import pytest
from django.utils import timezone

from oncocenter.trials.models import Enrollment, Study
from oncocenter.trials.tests.factories import StudyFactory
from oncocenter.trials.tests.test_services import neuroblastoma_patient

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate().isoformat()


def test_pages_allow_deny(client_as):
    study = StudyFactory()
    assert client_as("hospital_school_teacher").get("/trials/").status_code == 403
    assert client_as("nurse").get("/trials/").status_code == 200
    assert client_as("nurse").get(f"/trials/{study.pk}/").status_code == 200
    assert (
        client_as("nurse")
        .post(
            "/trials/",
            {
                "study-code": "X",
                "study-title": "X",
                "study-phase": "II",
                "study-status": "recruiting",
            },
        )
        .status_code
        == 403
    )
    assert (
        client_as("dietitian").post(f"/trials/{study.pk}/", {"form": "enroll"}).status_code == 403
    )


def test_study_create_bad_input(client_as):
    response = client_as("research_coordinator").post(
        "/trials/",
        {
            "study-code": "NB-9",
            "study-title": "NB",
            "study-phase": "II",
            "study-status": "recruiting",
            "study-diagnosis_code_prefixes": "C74, 74x",
        },
    )
    assert (
        response.status_code == 422 and "is not an ICD-10 code prefix" in response.content.decode()
    )
    assert Study.objects.count() == 0


def test_prescreen_reasons_and_override_enrollment(client_as):
    study = StudyFactory()
    patient = neuroblastoma_patient(lansky=30)
    client = client_as("research_coordinator")
    html = client.get(f"/trials/{study.pk}/").content.decode()
    assert patient.mrn in html and "performance_status: unmet" in html and "lansky 30" in html
    url = f"/trials/{study.pk}/"
    response = client.post(
        url,
        {
            "form": "enroll",
            "enroll-mrn": patient.mrn,
            "enroll-consent_on": TODAY,
            "enroll-arm": "A",
        },
    )
    assert response.status_code == 422
    assert "is required: the patient is not confirmed eligible" in response.content.decode()
    assert Enrollment.objects.count() == 0
    response = client.post(
        url,
        {
            "form": "enroll",
            "enroll-mrn": patient.mrn,
            "enroll-consent_on": TODAY,
            "enroll-arm": "A",
            "enroll-override_reason": "PI approval",
        },
    )
    assert response.status_code == 302 and Enrollment.objects.get().override_reason == "PI approval"
    e = Enrollment.objects.get()
    response = client.post(
        url,
        {
            "form": "withdraw",
            "enrollment": e.pk,
            "withdraw-withdrawn_on": TODAY,
            "withdraw-reason": "Parents' wish",
        },
    )
    assert response.status_code == 302 and Enrollment.objects.get().status == "withdrawn"
