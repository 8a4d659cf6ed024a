"""Issue 17, least privilege by role and purpose, on the patient pages and API."""

import pytest

from oncocenter.oncology.tests.factories import DiagnosisFactory
from oncocenter.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_teacher_cannot_search_or_open_patients(client_as, api_as):
    patient = PatientFactory()
    teacher = client_as("hospital_school_teacher")
    for url in ("/patients/", "/patients/centers/pediatric/", f"/patients/{patient.mrn}/"):
        assert teacher.get(url).status_code == 403, url
    api = api_as("hospital_school_teacher")
    assert api.get("/api/patients/?q=a").status_code == 403
    assert api.get(f"/api/patients/{patient.mrn}").status_code == 403
    # The care team still can.
    assert client_as("nurse").get(f"/patients/{patient.mrn}/").status_code == 200


def test_social_worker_sees_the_diagnosis_summary_not_the_cancer_record(client_as):
    d = DiagnosisFactory(histology_text="Neuroblastoma")
    page = client_as("social_worker").get(f"/patients/{d.patient.mrn}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="sec-diagnosis_summary"' in html and d.icd10_code in html
    assert "Neuroblastoma" in html
    assert 'id="sec-cancer"' not in html
    assert "/oncology/patients/" + d.patient.mrn + '/"' not in html


def test_care_team_sees_the_cancer_record_not_the_summary(client_as):
    d = DiagnosisFactory()
    html = client_as("nurse").get(f"/patients/{d.patient.mrn}/").content.decode()
    assert 'id="sec-cancer"' in html
    assert 'id="sec-diagnosis_summary"' not in html


def test_social_worker_denied_staging_relapse_and_tumor_boards(client_as, api_as):
    d = DiagnosisFactory()
    mrn = d.patient.mrn
    sw = client_as("social_worker")
    for url in (f"/oncology/patients/{mrn}/", f"/oncology/patients/{mrn}/chart/", "/mdt/"):
        assert sw.get(url).status_code == 403, url
    api = api_as("social_worker")
    for url in (
        f"/api/oncology/patients/{mrn}/diagnoses",
        f"/api/oncology/patients/{mrn}/timeline",
        f"/api/oncology/diagnoses/{d.pk}/fhir",
    ):
        assert api.get(url).status_code == 403, url
    # Psychosocial and support data stay open to social work.
    assert sw.get(f"/oncology/patients/{mrn}/record/").status_code == 200
