"""vread and _history from stored versions, `:in` against the value sets held here, and a
CapabilityStatement that is true: everything it declares answers."""

import datetime as dt

import pytest
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.valueset import ValueSet

from oncocenter.audit.models import AuditEvent
from oncocenter.interop.fhir.params import DATE_PREFIXES
from oncocenter.interop.models import ResourceVersion
from oncocenter.oncology import services as onc
from oncocenter.patients.services import patient_update

pytestmark = pytest.mark.django_db


def test_history_and_vread_serve_what_was_served(api_as, record):
    api = api_as("radiation_oncologist")
    patient = record["patient"]
    before = api.get(f"/fhir/Patient/{patient.mrn}").json()
    patient_update(patient=patient, by=record["by"], family_name_en="PAK")
    after = api.get(f"/fhir/Patient/{patient.mrn}").json()
    assert before["meta"]["versionId"] != after["meta"]["versionId"]
    r = api.get(f"/fhir/Patient/{patient.mrn}/_history")
    assert r.status_code == 200
    body = r.json()
    Bundle.model_validate(body)
    assert body["type"] == "history"
    versions = [e["resource"]["meta"]["versionId"] for e in body["entry"]]
    assert versions[0] == after["meta"]["versionId"]
    assert before["meta"]["versionId"] in versions
    assert body["entry"][-1]["request"]["method"] == "POST"
    assert body["entry"][0]["request"] == {"method": "PUT", "url": f"Patient/{patient.mrn}"}
    # Each version's lastUpdated is when the row was saved, newest first.
    stamps = [e["resource"]["meta"]["lastUpdated"] for e in body["entry"]]
    assert stamps == sorted(stamps, reverse=True)
    old = api.get(f"/fhir/Patient/{patient.mrn}/_history/{before['meta']['versionId']}")
    assert old.status_code == 200
    assert old.json()["name"][0]["family"] == "PARK"
    assert old["ETag"] == f'W/"{before["meta"]["versionId"]}"'
    assert api.get(f"/fhir/Patient/{patient.mrn}/_history/123").status_code == 404
    assert AuditEvent.objects.filter(
        action="read", patient_mrn=patient.mrn, detail__operation="_history"
    ).exists()


def test_status_change_is_a_new_condition_version(api_as, record):
    api = api_as("radiation_oncologist")
    d = record["diagnosis"]
    onc.diagnosis_set_status(diagnosis=d, by=record["by"], clinical_status="remission")
    body = api.get(f"/fhir/Condition/diagnosis-{d.pk}/_history").json()
    statuses = [e["resource"]["clinicalStatus"]["coding"][0]["code"] for e in body["entry"]]
    assert statuses[0] == "remission" and "active" in statuses[1:]
    assert ResourceVersion.objects.filter(resource_id=f"diagnosis-{d.pk}").count() >= 2


def test_history_is_denied_like_the_read(api_as, record):
    mrn = record["patient"].mrn
    assert api_as("hospital_school_teacher").get(f"/fhir/Patient/{mrn}/_history").status_code == 403
    assert (
        api_as("scheduler")
        .get(f"/fhir/Condition/diagnosis-{record['diagnosis'].pk}/_history")
        .status_code
        == 403
    )
    assert api_as("radiation_oncologist").get("/fhir/Patient/NOPE/_history").status_code == 404


def test_in_modifier_against_value_sets_held_here(api_as, record):
    api = api_as("radiation_oncologist")
    vs = api.get("/fhir/ValueSet/tumor-marker").json()
    ValueSet.model_validate(vs)
    assert vs["url"] == "urn:oncocenter:valueset:tumor-marker"
    r = api.get("/fhir/Observation", {"code:in": vs["url"]}).json()
    ids = {e["resource"]["id"] for e in r["entry"]}
    assert ids == {f"marker-{record['marker'].pk}"}
    r = api.get("/fhir/Observation", {"code:in": "ValueSet/performance-scale"}).json()
    assert {e["resource"]["id"] for e in r["entry"]} == {f"performance-{record['ps'].pk}"}
    r = api.get("/fhir/Observation", {"value-concept:in": "ValueSet/disease-status"}).json()
    assert {e["resource"]["id"] for e in r["entry"]} == {f"status-{record['status'].pk}"}
    bad = api.get("/fhir/Observation", {"code:in": "http://example.org/vs"})
    assert (
        bad.status_code == 400
        and "not a value set held here" in bad.json()["issue"][0]["diagnostics"]
    )
    assert api.get("/fhir/Observation", {"status:in": "ValueSet/tumor-marker"}).status_code == 400
    assert api.get("/fhir/ValueSet/nope").status_code == 404
    assert api.get("/fhir/ValueSet").json()["total"] >= 10
    assert api_as("hospital_school_teacher").get("/fhir/ValueSet").status_code == 200
    assert api.__class__().get("/fhir/ValueSet").status_code == 401


SAMPLE = {
    "token": "urn:x|x",
    "date": "ge2000-01-01",
    "reference": "Patient/NOPE",
    "string": "a",
}


def test_capability_statement_is_true(api_as, record):
    """Every declared interaction, search parameter, include and revinclude answers (no 400,
    no 404 for the route), and the date prefixes all work on _lastUpdated."""
    api = api_as("radiation_oncologist", "nurse", "scheduler")
    cs = api.get("/fhir/metadata").json()
    rest = cs["rest"][0]
    assert {i["code"] for i in rest["interaction"]} == {"transaction", "batch", "history-system"}
    assert api.get("/fhir/_history").status_code == 200
    served = {
        "Patient": record["patient"].mrn,
        "Condition": f"diagnosis-{record['diagnosis'].pk}",
        "Observation": f"performance-{record['ps'].pk}",
    }
    for res in rest["resource"]:
        rtype = res["type"]
        codes = {i["code"] for i in res["interaction"]}
        if "search-type" in codes:
            for p in res.get("searchParam", []):
                r = api.get(f"/fhir/{rtype}", {p["name"]: SAMPLE[p["type"]]})
                assert r.status_code == 200, (rtype, p, r.content[:200])
            for inc in res.get("searchInclude", []):
                assert api.get(f"/fhir/{rtype}", {"_include": inc}).status_code == 200, inc
            for inc in res.get("searchRevInclude", []):
                assert api.get(f"/fhir/{rtype}", {"_revinclude": inc}).status_code == 200, inc
        if "history-type" in codes:
            assert api.get(f"/fhir/{rtype}/_history", {"_count": "1"}).status_code == 200, rtype
        if rtype in served:
            rid = served[rtype]
            assert {"read", "vread", "history-instance", "create"} <= codes
            assert res["conditionalCreate"] is True
            current = api.get(f"/fhir/{rtype}/{rid}")
            assert current.status_code == 200
            vid = current.json()["meta"]["versionId"]
            assert api.get(f"/fhir/{rtype}/{rid}/_history/{vid}").status_code == 200
            assert api.get(f"/fhir/{rtype}/{rid}/_history").status_code == 200
        elif "read" in codes and rtype not in ("ConceptMap", "ValueSet"):
            r = api.get(f"/fhir/{rtype}/nope-1")
            assert r.status_code == 404 and r.json()["resourceType"] == "OperationOutcome"
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    counts = {}
    for prefix in DATE_PREFIXES:
        r = api.get("/fhir/Patient", {"_lastUpdated": f"{prefix}{tomorrow}"})
        assert r.status_code == 200, prefix
        counts[prefix] = r.json()["total"]
    assert counts["lt"] == counts["le"] == counts["eb"] == counts["ne"] == 1
    assert counts["gt"] == counts["ge"] == counts["sa"] == counts["eq"] == 0
    assert api.get("/fhir/Patient", {"_lastUpdated": "xx2026"}).status_code == 400
