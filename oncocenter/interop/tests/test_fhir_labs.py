"""Laboratory results (labs app) served as FHIR laboratory Observations."""

import datetime as dt

import pytest
from django.utils import timezone
from fhir.resources.R4B.observation import Observation

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.audit.models import AuditEvent
from oncocenter.labs.services import lab_result_record

pytestmark = pytest.mark.django_db
FHIR = "application/fhir+json"


@pytest.fixture
def labs(record):
    by = UserFactory()
    patient = record["patient"]
    at = timezone.now() - dt.timedelta(days=1)
    hgb = lab_result_record(
        patient=patient,
        by=by,
        loinc="718-7",
        value="98",
        unit="g/L",
        ref_low="120",
        ref_high="160",
        collected_at=at,
        accession="L1",
        source="hl7",
    ).result
    wbc = lab_result_record(
        patient=patient, by=by, loinc="6690-2", value="5.2", unit="10*9/L", collected_at=at
    ).result
    fixed = lab_result_record(
        patient=patient,
        by=by,
        loinc="718-7",
        value="9.9",
        unit="g/dL",
        collected_at=at,
        accession="L1",
        correction=True,
    ).result
    return {"patient": patient, "hgb": hgb, "wbc": wbc, "fixed": fixed}


def test_lab_observation_has_loinc_ucum_range_and_interpretation(api_as, labs):
    api = api_as("medical_oncologist")
    r = api.get(f"/fhir/Observation/lab-{labs['hgb'].pk}")
    assert r.status_code == 200 and r["Content-Type"].startswith(FHIR)
    obs = Observation.model_validate(r.json())
    body = r.json()
    assert obs.status == "amended"  # superseded by the correction
    assert body["category"][0]["coding"][0]["code"] == "laboratory"
    assert body["code"]["coding"][0] == {
        "system": "http://loinc.org",
        "code": "718-7",
        "display": labs["hgb"].analyte.name,
    }
    assert body["valueQuantity"] == {
        "value": 9.8,
        "unit": "g/dL",
        "system": "http://unitsofmeasure.org",
        "code": "g/dL",
    }
    assert body["referenceRange"][0]["low"]["value"] == 12
    assert body["referenceRange"][0]["high"]["value"] == 16
    assert body["interpretation"][0]["coding"][0]["code"] == "L"
    assert body["identifier"][0]["value"] == "L1"
    fixed = api.get(f"/fhir/Observation/lab-{labs['fixed'].pk}").json()
    assert fixed["status"] == "corrected"
    assert fixed["derivedFrom"] == [{"reference": f"Observation/lab-{labs['hgb'].pk}"}]
    assert AuditEvent.objects.filter(action="read", patient_id=labs["patient"].pk).exists()


def test_lab_search_by_loinc_category_status_and_date(api_as, labs):
    api = api_as("medical_oncologist")
    mrn = labs["patient"].mrn
    ids = lambda url: {e["resource"]["id"] for e in api.get(url).json().get("entry", [])}  # noqa: E731
    base = f"/fhir/Observation?patient={mrn}"
    assert ids(f"{base}&code=http://loinc.org|718-7") == {
        f"lab-{labs['hgb'].pk}",
        f"lab-{labs['fixed'].pk}",
    }
    assert ids(f"{base}&code=http://loinc.org|718-7&status=corrected") == {
        f"lab-{labs['fixed'].pk}"
    }
    lab_ids = ids(f"{base}&category=laboratory&_count=200")
    assert f"lab-{labs['wbc'].pk}" in lab_ids
    today = timezone.localdate()
    assert ids(f"{base}&code=http://loinc.org|6690-2&date=gt{today}") == set()
    assert ids(f"{base}&code=http://loinc.org|6690-2&date=ge{today - dt.timedelta(days=2)}") == {
        f"lab-{labs['wbc'].pk}"
    }
    everything = api.get(f"/fhir/Patient/{mrn}/$everything").json()
    assert f"lab-{labs['wbc'].pk}" in {e["resource"]["id"] for e in everything["entry"]}


def test_capability_statement_names_lab_search_params(client):
    body = client.get("/fhir/metadata").json()
    obs = next(r for r in body["rest"][0]["resource"] if r["type"] == "Observation")
    assert {"code", "category", "status", "date"} <= {p["name"] for p in obs["searchParam"]}


def test_patient_search_revincludes_observations_for_the_roles_that_may_read_them(
    api_as, client, labs
):
    mrn = labs["patient"].mrn
    api = api_as("medical_oncologist")
    r = api.get(f"/fhir/Patient?_id={mrn}&_revinclude=Observation:patient")
    assert r.status_code == 200, r.content
    entries = r.json()["entry"]
    assert [e["resource"]["id"] for e in entries if e["search"]["mode"] == "match"] == [mrn]
    included = {e["resource"]["id"] for e in entries if e["search"]["mode"] == "include"}
    assert {f"lab-{labs['wbc'].pk}", f"lab-{labs['hgb'].pk}", f"lab-{labs['fixed'].pk}"} <= included
    assert any(i.startswith("tnm-") for i in included)
    assert all(e["resource"]["subject"]["reference"] == f"Patient/{mrn}" for e in entries[1:])
    # A scheduler reads the patient but not the clinical record; a teacher not even the patient
    # (least privilege, issue 17).
    scheduler = api_as("scheduler")
    assert scheduler.get(f"/fhir/Patient?_id={mrn}").status_code == 200
    assert (
        scheduler.get(f"/fhir/Patient?_id={mrn}&_revinclude=Observation:patient").status_code == 403
    )
    assert api_as("hospital_school_teacher").get(f"/fhir/Patient?_id={mrn}").status_code == 403
    bad = api.get(f"/fhir/Patient?_id={mrn}&_revinclude=Observation:focus")
    assert bad.status_code == 400 and "Observation:patient" in bad.json()["issue"][0]["diagnostics"]
    assert api.get("/fhir/Condition?_revinclude=Observation:focus").status_code == 400
    body = client.get("/fhir/metadata").json()
    patient = next(r for r in body["rest"][0]["resource"] if r["type"] == "Patient")
    assert "MedicationAdministration:patient" in patient["searchRevInclude"]


def test_lab_order_is_a_service_request_and_its_results_a_report(api_as, labs):
    from fhir.resources.R4B.diagnosticreport import DiagnosticReport
    from fhir.resources.R4B.servicerequest import ServiceRequest

    from oncocenter.labs.models import LabResult
    from oncocenter.labs.services import lab_order_create

    by = UserFactory(roles=["radiation_oncologist"])
    order = lab_order_create(patient=labs["patient"], by=by, analyte_codes=["hgb"])
    LabResult.objects.filter(pk=labs["fixed"].pk).update(order=order)
    api = api_as("radiation_oncologist")
    sr = api.get(f"/fhir/ServiceRequest/laborder-{order.pk}")
    assert sr.status_code == 200, sr.content[:300]
    ServiceRequest.model_validate(sr.json())
    assert sr.json()["orderDetail"][0]["coding"][0]["code"] == "718-7"
    found = api.get(
        "/fhir/ServiceRequest", {"patient": labs["patient"].mrn, "code": "http://loinc.org|718-7"}
    ).json()
    assert [e["resource"]["id"] for e in found["entry"]] == [f"laborder-{order.pk}"]
    dr = api.get(f"/fhir/DiagnosticReport/labreport-{order.pk}")
    assert dr.status_code == 200
    DiagnosticReport.model_validate(dr.json())
    assert dr.json()["result"] == [{"reference": f"Observation/lab-{labs['fixed'].pk}"}]
    assert dr.json()["basedOn"] == [{"reference": f"ServiceRequest/laborder-{order.pk}"}]
    every = api.get(f"/fhir/Patient/{labs['patient'].mrn}/$everything").json()
    types = {e["resource"]["resourceType"] for e in every["entry"]}
    assert {"ServiceRequest", "DiagnosticReport"} <= types
    # Without lab.view, neither is served.
    assert api_as("scheduler").get("/fhir/ServiceRequest").status_code == 403
    assert api_as("scheduler").get("/fhir/DiagnosticReport").status_code == 403
