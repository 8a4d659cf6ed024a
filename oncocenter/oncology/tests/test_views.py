import datetime as dt
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.oncology.models import Diagnosis, TnmStaging, TreatmentEpisode, WorkupOrder
from oncocenter.oncology.services import copay_register
from oncocenter.oncology.tests.factories import DiagnosisFactory, WorkupOrderFactory, child
from oncocenter.patients.models import Guardian
from oncocenter.patients.tests.factories import PatientFactory
from oncocenter.referrals.models import Referral

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_pages_allow_and_deny(client_as):
    d = DiagnosisFactory()
    mrn = d.patient.mrn
    for url, allowed, denied in (
        (f"/oncology/patients/{mrn}/", "nurse", "hospital_school_teacher"),
        (f"/oncology/patients/{mrn}/chart/", "nurse", "scheduler"),
        (f"/oncology/patients/{mrn}/", "radiation_therapist", "social_worker"),
        (f"/oncology/patients/{mrn}/chart/", "dietitian", "social_worker"),
        (f"/oncology/patients/{mrn}/record/", "scheduler", "hospital_school_teacher"),
        ("/oncology/workup/?department=radiology", "radiologist", "social_worker"),
        ("/oncology/codes/?list=icd10&q=C15", "nurse", "scheduler"),
        ("/oncology/copay-expiring/", "scheduler", "pediatric_oncologist"),
    ):
        assert client_as(denied).get(url).status_code == 403, url
        assert client_as(allowed).get(url).status_code == 200, url


def test_anonymous_redirected_to_login(client):
    assert client.get("/oncology/workup/").status_code == 302


def test_diagnosis_form_saves_and_derives_iccc(client_as):
    patient = child()
    response = client_as("pediatric_oncologist").post(
        f"/oncology/patients/{patient.mrn}/",
        {
            "form": "diagnosis",
            "diagnosis-icd10_code": "C74.9",
            "diagnosis-icdo3_topography": "C74.9",
            "diagnosis-icdo3_morphology": "9500/3",
            "diagnosis-laterality": "left",
            "diagnosis-diagnosed_on": TODAY.isoformat(),
            "diagnosis-is_primary": "on",
            "diagnosis-clinical_status": "active",
            "diagnosis-verification_status": "confirmed",
        },
    )
    assert response.status_code == 302
    assert Diagnosis.objects.get().iccc_subgroup == "IVa"


def test_bad_diagnosis_shows_error_beside_field_and_saves_nothing(client_as):
    patient = child()
    response = client_as("pediatric_oncologist").post(
        f"/oncology/patients/{patient.mrn}/",
        {
            "form": "diagnosis",
            "diagnosis-icd10_code": "C99.9",
            "diagnosis-laterality": "left",
            "diagnosis-diagnosed_on": (TODAY + dt.timedelta(days=2)).isoformat(),
            "diagnosis-clinical_status": "active",
            "diagnosis-verification_status": "confirmed",
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "is not in the curated code list" in html and "cannot be in the future" in html
    assert 'value="C99.9"' in html
    assert Diagnosis.objects.count() == 0


def test_form_needs_its_own_permission(client_as):
    d = DiagnosisFactory()
    response = client_as("nurse").post(
        f"/oncology/patients/{d.patient.mrn}/",
        {
            "form": "staging",
            "staging-diagnosis": d.pk,
            "staging-classification": "clinical",
            "staging-t_category": "T1",
            "staging-n_category": "N0",
            "staging-m_category": "M0",
            "staging-staged_on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 403
    assert TnmStaging.objects.count() == 0


def test_impossible_stage_rejected_in_ui(client_as):
    d = DiagnosisFactory()
    response = client_as("radiation_oncologist").post(
        f"/oncology/patients/{d.patient.mrn}/",
        {
            "form": "staging",
            "staging-diagnosis": d.pk,
            "staging-classification": "clinical",
            "staging-t_category": "T1",
            "staging-n_category": "N0",
            "staging-m_category": "M0",
            "staging-stage_group": "IVB",
            "staging-staged_on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 422
    assert "T1 N0 M0 is stage I" in response.content.decode()
    assert TnmStaging.objects.count() == 0


def test_record_completion_forms(client_as):
    kid = child()
    client = client_as("social_worker")
    response = client.post(
        f"/oncology/patients/{kid.mrn}/record/",
        {
            "form": "guardian",
            "guardian-name_ko": "이수진",
            "guardian-relationship": "mother",
            "guardian-is_legal_representative": "on",
            "guardian-birth_date": "2012-01-01",
        },
    )
    assert response.status_code == 422 and "adult" in response.content.decode()  # a minor
    assert Guardian.objects.count() == 0
    response = client.post(
        f"/oncology/patients/{kid.mrn}/record/",
        {
            "form": "guardian",
            "guardian-name_ko": "이수진",
            "guardian-relationship": "mother",
            "guardian-is_legal_representative": "on",
            "guardian-birth_date": "1984-01-01",
        },
    )
    assert response.status_code == 302 and Guardian.objects.count() == 1
    response = client.post(
        f"/oncology/patients/{kid.mrn}/record/",
        {
            "form": "consent",
            "consent-kind": "treatment",
            "consent-given_by": "guardian",
            "consent-signed_on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 403
    response = client_as("nurse").post(
        f"/oncology/patients/{kid.mrn}/record/",
        {
            "form": "consent",
            "consent-kind": "treatment",
            "consent-given_by": "guardian",
            "consent-signed_on": TODAY.isoformat(),
        },
    )
    assert (
        response.status_code == 422
        and "is required when a guardian consents" in response.content.decode()
    )


def test_workup_worklist_result_flow(client_as):
    order = WorkupOrderFactory(department="pathology", test_name="Biopsy")
    client = client_as("pathologist")
    response = client.post(
        "/oncology/workup/?department=pathology",
        {"order": order.pk, "status": "resulted", "result_summary": ""},
    )
    assert (
        response.status_code == 422
        and "is required to report a result" in response.content.decode()
    )
    response = client.post(
        "/oncology/workup/?department=pathology",
        {"order": order.pk, "status": "resulted", "result_summary": "Neuroblastoma, poorly diff."},
    )
    assert response.status_code == 302
    assert WorkupOrder.objects.get().status == "resulted"
    assert client_as("social_worker").get("/oncology/workup/").status_code == 403


def test_copay_reminder_page(client_as):
    p = PatientFactory()
    copay_register(
        by=UserFactory(), patient=p, registered_on=TODAY - dt.timedelta(days=5 * 365 - 10)
    )
    assert p.mrn in client_as("administrator").get("/oncology/copay-expiring/").content.decode()


def _five_hundred_events(patient):
    d = DiagnosisFactory(patient=patient)
    start = TODAY - dt.timedelta(days=400)
    TnmStaging.objects.bulk_create(
        [
            TnmStaging(
                diagnosis=d,
                classification="clinical",
                site="esophagus",
                t_category="T3",
                n_category="N1",
                m_category="M0",
                stage_group="III",
                staged_on=start + dt.timedelta(days=i),
            )
            for i in range(100)
        ]
    )
    TreatmentEpisode.objects.bulk_create(
        [
            TreatmentEpisode(
                patient=patient, modality="radiotherapy", started_on=start + dt.timedelta(days=i)
            )
            for i in range(150)
        ]
    )
    WorkupOrder.objects.bulk_create(
        [
            WorkupOrder(
                patient=patient,
                department="radiology",
                test_name=f"CT {i}",
                ordered_at=timezone.now() - dt.timedelta(days=i),
            )
            for i in range(150)
        ]
    )
    Referral.objects.bulk_create(
        [
            Referral(
                patient=patient,
                from_department="nursing",
                to_department="nutrition",
                reason="weight loss",
                requested_at=timezone.now() - dt.timedelta(days=i),
            )
            for i in range(99)
        ]
    )


def _chart_queries(client, patient):
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        response = client.get(f"/oncology/patients/{patient.mrn}/chart/")
        elapsed = time.perf_counter() - started
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries), elapsed


def test_chart_with_500_events_has_bounded_queries_and_is_fast(client_as):
    client = client_as("nurse")
    small = PatientFactory()
    DiagnosisFactory(patient=small)
    _chart_queries(client, small)  # warm-up: first request of a session loads more
    _html, small_queries, _ = _chart_queries(client, small)
    patient = PatientFactory()
    _five_hundred_events(patient)
    html, queries, elapsed = _chart_queries(client, patient)
    assert "500 events" in html
    # One query per source table: the count does not grow with the number of events.
    assert queries == small_queries <= 30
    assert elapsed < 2.0
    print(f"\nchart 500 events: {queries} queries for the whole page, {elapsed * 1000:.0f} ms")


def test_patient_page_shows_cancer_section(client_as):
    d = DiagnosisFactory()
    html = client_as("nurse").get(f"/patients/{d.patient.mrn}/").content.decode()
    assert "Cancer record" in html and "C15.4" in html
    assert (
        "Cancer record"
        not in client_as("hospital_school_teacher")
        .get(f"/patients/{d.patient.mrn}/")
        .content.decode()
    )


def test_home_panels_render(client_as):
    WorkupOrderFactory(department="radiology")
    assert "Open diagnostic orders" in client_as("radiologist").get("/").content.decode()
    assert "Co-payment" in client_as("scheduler").get("/").content.decode()


def test_korean_ui(client_as):
    d = DiagnosisFactory()
    client = client_as("nurse")
    client.cookies["django_language"] = "ko"
    html = client.get(f"/oncology/patients/{d.patient.mrn}/").content.decode()
    assert "암 진료 기록" in html and "진단 추가" not in html  # nurse may not add diagnoses
    assert "수행 상태 기록" in html


def test_center_membership_from_record_page(client_as):
    patient = child()
    response = client_as("nurse").post(
        f"/oncology/patients/{patient.mrn}/record/",
        {"form": "center", "center-center_code": "pediatric", "center-since": TODAY.isoformat()},
    )
    assert response.status_code == 302
    assert patient.center_memberships.get().center.code == "pediatric"
    assert (
        client_as("social_worker")
        .post(
            f"/oncology/patients/{patient.mrn}/record/",
            {"form": "center", "center-center_code": "radonc"},
        )
        .status_code
        == 403
    )


def test_diagnosis_entered_in_error_from_record_page(client_as):
    d = DiagnosisFactory()
    response = client_as("surgeon").post(
        f"/oncology/patients/{d.patient.mrn}/",
        {
            "form": "dxstatus",
            "dxstatus-diagnosis": d.pk,
            "dxstatus-clinical_status": "inactive",
            "dxstatus-verification_status": "entered-in-error",
        },
    )
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.verification_status == "entered-in-error"


def test_incomplete_minor_record_is_flagged(client_as):
    kid = child()
    html = client_as("nurse").get(f"/oncology/patients/{kid.mrn}/").content.decode()
    assert "record is incomplete" in html and "no guardian's treatment consent" in html
