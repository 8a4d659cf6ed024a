import pytest
from fhir.resources.R4B.bundle import Bundle

from oncocenter.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_bundle_resolves_every_reference_and_is_audited(api_as, record):
    d = record["diagnosis"]
    assert (
        api_as("hospital_school_teacher").get(f"/api/oncology/diagnoses/{d.pk}/fhir").status_code
        == 403
    )
    assert api_as("nurse").get("/api/oncology/diagnoses/999999/fhir").status_code == 404
    body = api_as("pediatric_oncologist").get(f"/api/oncology/diagnoses/{d.pk}/fhir").json()
    Bundle.model_validate(body)
    full_urls = {e["fullUrl"].split("/fhir/")[1] for e in body["entry"]}
    assert {"Patient/" + record["patient"].mrn, f"Condition/diagnosis-{d.pk}"} <= full_urls
    # The patient reference resolves inside the bundle; T, N, M are their own Observations.
    refs = {
        r["reference"]
        for e in body["entry"]
        for r in ([e["resource"].get("subject"), *e["resource"].get("hasMember", [])])
        if r
    }
    assert refs <= full_urls
    assert len([e for e in body["entry"] if e["resource"]["resourceType"] == "Observation"]) == 4
    assert AuditEvent.objects.filter(action="export", patient_mrn=record["patient"].mrn).exists()
