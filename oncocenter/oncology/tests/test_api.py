"""API: role allow/deny for every endpoint, bad input named by field, nothing saved."""

import datetime as dt

import pytest
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.audit.models import AuditEvent
from oncocenter.oncology.models import Diagnosis, TnmStaging, VitalSigns, WorkupOrder
from oncocenter.oncology.services import vital_signs_record
from oncocenter.oncology.tests.factories import DiagnosisFactory, WorkupOrderFactory, child
from oncocenter.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate().isoformat()


def endpoints():
    d = DiagnosisFactory()
    mrn = d.patient.mrn
    order = WorkupOrderFactory(patient=d.patient)
    vitals, vitals_wrong = (
        vital_signs_record(
            patient=d.patient, by=UserFactory(), measured_at=timezone.now(), heart_rate_bpm=180
        )
        for _ in range(2)
    )
    return [
        (
            "get",
            "/api/oncology/codes/icd10?q=C15",
            None,
            "pediatric_oncologist",
            "hospital_school_teacher",
        ),
        (
            "get",
            f"/api/oncology/patients/{mrn}/diagnoses",
            None,
            "nurse",
            "hospital_school_teacher",
        ),
        (
            "post",
            f"/api/oncology/patients/{mrn}/diagnoses",
            {"icd10_code": "D69.6", "diagnosed_on": TODAY},
            "medical_oncologist",
            "nurse",
        ),
        (
            "post",
            f"/api/oncology/diagnoses/{d.pk}/stagings",
            {
                "classification": "clinical",
                "t_category": "T2",
                "n_category": "N0",
                "m_category": "M0",
                "staged_on": TODAY,
            },
            "radiation_oncologist",
            "nurse",
        ),
        (
            "post",
            f"/api/oncology/diagnoses/{d.pk}/statuses",
            {"status": "stable", "observed_on": TODAY},
            "nurse",
            "dietitian",
        ),
        (
            "post",
            f"/api/oncology/patients/{mrn}/performance",
            {"scale": "ecog", "score": 1, "observed_on": TODAY},
            "nurse",
            "social_worker",
        ),
        (
            "post",
            f"/api/oncology/patients/{mrn}/markers",
            {"marker": "CEA", "value": "3.1", "unit": "ng/mL", "observed_on": TODAY},
            "nurse",
            "scheduler",
        ),
        (
            "post",
            f"/api/oncology/patients/{mrn}/treatments",
            {"modality": "surgery", "started_on": TODAY},
            "surgeon",
            "research_coordinator",
        ),
        (
            "post",
            f"/api/oncology/patients/{mrn}/workup",
            {"department": "pathology", "test_name": "Biopsy"},
            "surgeon",
            "nurse",
        ),
        (
            "post",
            f"/api/oncology/workup/{order.pk}/advance",
            {"status": "in-progress"},
            "radiologist",
            "dietitian",
        ),
        ("get", "/api/oncology/workup?department=radiology", None, "radiologist", "social_worker"),
        ("get", "/api/oncology/workup/turnaround", None, "nurse", "scheduler"),
        ("get", f"/api/oncology/patients/{mrn}/timeline", None, "nurse", "hospital_school_teacher"),
        ("get", f"/api/oncology/patients/{mrn}/vitals", None, "dietitian", "social_worker"),
        (
            "post",
            f"/api/oncology/patients/{mrn}/vitals",
            {"heart_rate_bpm": 80},
            "nurse",
            "radiation_therapist",
        ),
        (
            "post",
            f"/api/oncology/vitals/{vitals.pk}/correct",
            {"reason": "typed 180 for 80", "heart_rate_bpm": 80},
            "nurse",
            "dietitian",
        ),
        (
            "post",
            f"/api/oncology/vitals/{vitals_wrong.pk}/entered-in-error",
            {"reason": "wrong patient"},
            "medical_oncologist",
            "pharmacist",
        ),
    ]


def call(client, method, url, payload):
    if method == "get":
        return client.get(url)
    return client.post(url, payload, content_type="application/json")


def test_every_endpoint_allows_and_denies(api_as):
    for method, url, payload, allowed, denied in endpoints():
        response = call(api_as(denied), method, url, payload)
        assert response.status_code == 403, (url, denied, response.content)
        response = call(api_as(allowed), method, url, payload)
        assert response.status_code in (200, 201), (url, allowed, response.content)


def test_unauthenticated_is_401(client):
    assert client.get("/api/oncology/codes/icd10?q=C").status_code == 401


def test_diagnosis_bad_input_names_field(api_as):
    patient = PatientFactory()
    api = api_as("pediatric_oncologist")
    for payload, field in (
        ({"icd10_code": "X99.9", "diagnosed_on": TODAY}, "icd10_code"),
        (
            {
                "icd10_code": "C74.9",
                "icdo3_topography": "C74.9",
                "icdo3_morphology": "9500/3",
                "diagnosed_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
            },
            "diagnosed_on",
        ),
        ({"icd10_code": "C74.9", "diagnosed_on": "not-a-date"}, "diagnosed_on"),
    ):
        response = api.post(
            f"/api/oncology/patients/{patient.mrn}/diagnoses",
            payload,
            content_type="application/json",
        )
        assert response.status_code == 422
        assert field in [e["field"] for e in response.json()["errors"]]
    assert Diagnosis.objects.count() == 0


def test_pediatric_diagnosis_via_api_has_iccc(api_as):
    patient = child()
    response = api_as("pediatric_oncologist").post(
        f"/api/oncology/patients/{patient.mrn}/diagnoses",
        {
            "icd10_code": "C69.2",
            "icdo3_topography": "C69.2",
            "icdo3_morphology": "9510/3",
            "laterality": "right",
            "diagnosed_on": TODAY,
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["iccc_group"] == "V"
    assert response.json()["icd10_system"] == "http://hl7.org/fhir/sid/icd-10"


def test_impossible_stage_is_422_and_not_saved(api_as):
    d = DiagnosisFactory()
    response = api_as("radiation_oncologist").post(
        f"/api/oncology/diagnoses/{d.pk}/stagings",
        {
            "classification": "clinical",
            "t_category": "T1",
            "n_category": "N0",
            "m_category": "M1",
            "stage_group": "I",
            "staged_on": TODAY,
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    body = response.json()
    assert body["errors"][0]["field"] == "stage_group" and "IVB" in body["errors"][0]["message"]
    assert TnmStaging.objects.count() == 0


def test_code_autocomplete(api_as):
    rows = api_as("nurse").get("/api/oncology/codes/icd10?q=neuroblastoma").json()
    assert "C74.9" in [r["code"] for r in rows]
    assert api_as("nurse").get("/api/oncology/codes/snomed?q=x").status_code == 422


def test_workup_result_needs_summary(api_as):
    order = WorkupOrderFactory()
    response = api_as("pathologist").post(
        f"/api/oncology/workup/{order.pk}/advance",
        {"status": "resulted"},
        content_type="application/json",
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "result_summary"
    assert WorkupOrder.objects.get().status == "ordered"


def test_diagnosis_marked_entered_in_error(api_as):
    d = DiagnosisFactory()
    assert (
        api_as("nurse")
        .patch(
            f"/api/oncology/diagnoses/{d.pk}",
            {"verification_status": "entered-in-error"},
            content_type="application/json",
        )
        .status_code
        == 403
    )
    response = api_as("surgeon").patch(
        f"/api/oncology/diagnoses/{d.pk}",
        {"verification_status": "wrong"},
        content_type="application/json",
    )
    assert (
        response.status_code == 422
        and response.json()["errors"][0]["field"] == "verification_status"
    )
    response = api_as("surgeon").patch(
        f"/api/oncology/diagnoses/{d.pk}",
        {"verification_status": "entered-in-error"},
        content_type="application/json",
    )
    assert response.json()["verification_status"] == "entered-in-error"


def test_patient_lists(api_as):
    from oncocenter.oncology.services import performance_record, tumor_marker_record

    d = DiagnosisFactory()
    performance_record(
        by=UserFactory(), patient=d.patient, scale="ecog", score=1, observed_on=timezone.localdate()
    )
    tumor_marker_record(
        by=UserFactory(),
        patient=d.patient,
        diagnosis=d,
        marker="SCC-Ag",
        value="3.2",
        unit="ng/mL",
        observed_on=timezone.localdate(),
    )
    WorkupOrderFactory(patient=d.patient)
    api = api_as("nurse")
    mrn = d.patient.mrn
    assert api.get(f"/api/oncology/patients/{mrn}/performance").json()[0]["score"] == 1
    assert api.get(f"/api/oncology/patients/{mrn}/markers").json()[0]["marker"] == "SCC-Ag"
    assert api.get(f"/api/oncology/patients/{mrn}/treatments").json() == []
    assert api.get(f"/api/oncology/patients/{mrn}/workup").json()[0]["test_name"] == "CT chest"


def _vitals(patient=None, **values):
    return vital_signs_record(
        patient=patient or PatientFactory(),
        by=UserFactory(),
        measured_at=timezone.now() - dt.timedelta(hours=1),
        **(values or {"heart_rate_bpm": 180}),
    )


def test_vital_signs_record_list_correct_and_enter_in_error(api_as):
    patient = PatientFactory()
    api = api_as("nurse")
    url = f"/api/oncology/patients/{patient.mrn}/vitals"
    response = api.post(
        url, {"systolic_mmhg": 130, "diastolic_mmhg": 85}, content_type="application/json"
    )
    assert response.status_code == 201
    first = response.json()
    assert first["status"] == "final" and first["recorded_by"]
    response = api.post(
        f"/api/oncology/vitals/{first['id']}/correct",
        {"reason": "swapped with the next bed", "systolic_mmhg": 120, "diastolic_mmhg": 75},
        content_type="application/json",
    )
    assert response.status_code == 201
    amended = response.json()
    assert amended["status"] == "amended" and amended["supersedes_id"] == first["id"]
    assert amended["measured_at"] == first["measured_at"]
    response = api.post(
        f"/api/oncology/vitals/{amended['id']}/entered-in-error",
        {"reason": "no pressure was taken"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "entered-in-error"
    listed = {v["id"]: v for v in api.get(url).json()}
    assert listed[first["id"]]["status"] == "superseded"
    assert listed[first["id"]]["superseded_by_id"] == amended["id"]
    assert listed[first["id"]]["correction_reason"] == "swapped with the next bed"
    assert listed[amended["id"]]["corrected_by"]
    assert AuditEvent.objects.filter(
        action="read", object_type="oncology.vitalsigns", object_id=patient.mrn
    ).exists()


def test_correcting_a_corrected_set_is_409_naming_the_rule(api_as):
    v = _vitals()
    api = api_as("nurse")
    url = f"/api/oncology/vitals/{v.pk}/entered-in-error"
    assert (
        api.post(url, {"reason": "not taken"}, content_type="application/json").status_code == 200
    )
    for path, payload in (
        ("entered-in-error", {"reason": "not taken"}),
        ("correct", {"reason": "mistyped", "heart_rate_bpm": 80}),
    ):
        response = api.post(
            f"/api/oncology/vitals/{v.pk}/{path}", payload, content_type="application/json"
        )
        assert response.status_code == 409
        assert response.json()["code"] == "vitals_corrected_once"
    assert VitalSigns.objects.count() == 1


def test_vital_signs_bad_input_names_the_field_and_its_label(api_as):
    v = _vitals()
    api = api_as("nurse")
    for url, payload, field, label in (
        (
            f"/api/oncology/patients/{v.patient.mrn}/vitals",
            {"heart_rate_bpm": 900},
            "heart_rate_bpm",
            "Heart rate (/min)",
        ),
        (
            f"/api/oncology/patients/{v.patient.mrn}/vitals",
            {"systolic_mmhg": 120},
            "diastolic_mmhg",
            "Diastolic (mmHg)",
        ),
        (
            f"/api/oncology/vitals/{v.pk}/correct",
            {"reason": "no", "heart_rate_bpm": 80},
            "reason",
            "Reason",
        ),
        (f"/api/oncology/vitals/{v.pk}/entered-in-error", {"reason": " "}, "reason", "Reason"),
    ):
        response = api.post(url, payload, content_type="application/json")
        assert response.status_code == 422, (url, payload)
        errors = response.json()["errors"]
        assert [(e["field"], e.get("label")) for e in errors] == [(field, label)]
    response = api.post(
        f"/api/oncology/vitals/{v.pk}/entered-in-error",
        {"reason": "x" * 301},
        content_type="application/json",
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "reason"
    assert api.get(f"/api/oncology/patients/{v.patient.mrn}/vitals?limit=500").status_code == 422
    v.refresh_from_db()
    assert v.status == "final" and VitalSigns.objects.count() == 1


def test_vital_signs_unknown_set_or_patient_is_404(api_as):
    api = api_as("nurse")
    assert api.get("/api/oncology/patients/NOPE/vitals").status_code == 404
    response = api.post(
        "/api/oncology/vitals/999999/entered-in-error",
        {"reason": "not taken"},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_vital_signs_list_query_count_does_not_grow_with_the_sets(api_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    patient = PatientFactory()
    api = api_as("nurse")
    url = f"/api/oncology/patients/{patient.mrn}/vitals"

    def add(n):
        for i in range(n):
            ids = _vitals(patient, heart_rate_bpm=60 + i).pk
            if i % 2:  # half of them withdrawn: their reason and who are read too
                r = api.post(
                    f"/api/oncology/vitals/{ids}/entered-in-error",
                    {"reason": "wrong patient"},
                    content_type="application/json",
                )
                assert r.status_code == 200, r.content

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(f"{url}?limit=200")
        assert response.status_code == 200
        return len(ctx.captured_queries), len(response.json())

    add(2)
    few, n_few = count()
    add(18)
    many, n_many = count()
    assert (n_few, n_many) == (2, 20)
    assert many == few
