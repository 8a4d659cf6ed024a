"""Type- and system-level `_history` (`_since`, `_count`, paging, per-role filtering, audit), and
a Condition whose version follows its stagings."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from oncocenter.audit.models import AuditEvent
from oncocenter.interop.models import ResourceVersion
from oncocenter.labs.services import lab_result_record
from oncocenter.oncology import services as onc
from oncocenter.patients.services import patient_update

pytestmark = pytest.mark.django_db


def test_type_history_lists_stored_versions_newest_first_with_paging(api_as, record):
    api = api_as("radiation_oncologist")
    patient = record["patient"]
    patient_update(patient=patient, by=record["by"], family_name_en="PAK")
    body = api.get("/fhir/Patient/_history").json()
    Bundle.model_validate(body)
    assert body["type"] == "history"
    assert {e["resource"]["resourceType"] for e in body["entry"]} == {"Patient"}
    families = [e["resource"]["name"][0]["family"] for e in body["entry"]]
    assert families[:2] == ["PAK", "PARK"]
    stamps = [e["response"]["lastModified"] for e in body["entry"]]
    assert stamps == sorted(stamps, reverse=True)
    assert body["total"] == ResourceVersion.objects.filter(resource_type="Patient").count()
    first = api.get("/fhir/Patient/_history", {"_count": "1"}).json()
    assert len(first["entry"]) == 1
    nxt = next(link["url"] for link in first["link"] if link["relation"] == "next")
    second = api.get("/fhir" + nxt.split("/fhir", 1)[1]).json()
    assert second["entry"][0]["resource"]["name"][0]["family"] == "PARK"
    assert AuditEvent.objects.filter(
        object_type="fhir.Patient", action="search", detail__operation="_history"
    ).exists()


def test_since_keeps_only_later_versions(api_as, record):
    api = api_as("radiation_oncologist")
    cut = timezone.now()
    patient_update(patient=record["patient"], by=record["by"], family_name_en="PAK")
    since = timezone.localtime(cut).isoformat()
    body = api.get("/fhir/Patient/_history", {"_since": since}).json()
    assert [e["resource"]["name"][0]["family"] for e in body["entry"]] == ["PAK"]
    for bad in ("2026", "ge2026-01-01T00:00:00+09:00", "yesterday"):
        r = api.get("/fhir/Patient/_history", {"_since": bad})
        assert r.status_code == 400 and "_since" in r.json()["issue"][0]["diagnostics"], bad
    assert api.get("/fhir/Patient/_history", {"name": "x"}).status_code == 400
    assert api.get("/fhir/Patient/_history", {"_count": "-1"}).status_code == 400


def test_system_history_shows_only_what_the_role_may_read(api_as, record):
    lab_result_record(
        patient=record["patient"],
        by=record["by"],
        loinc="718-7",
        value="12",
        unit="g/dL",
        collected_at=timezone.now() - dt.timedelta(hours=1),
    )
    doctor = api_as("radiation_oncologist").get("/fhir/_history", {"_count": "200"}).json()
    types = {e["resource"]["resourceType"] for e in doctor["entry"]}
    assert {"Patient", "Condition", "Observation", "Specimen"} <= types
    # A scheduler reads patients and appointments, not the clinical record.
    sched = api_as("scheduler").get("/fhir/_history", {"_count": "200"}).json()
    assert {e["resource"]["resourceType"] for e in sched["entry"]} <= {
        "Patient",
        "Practitioner",
        "Appointment",
        "Encounter",
    }
    assert "Patient" in {e["resource"]["resourceType"] for e in sched["entry"]}
    assert api_as("scheduler").get("/fhir/Condition/_history").status_code == 403
    assert api_as("hospital_school_teacher").get("/fhir/_history").status_code == 403
    assert Client().get("/fhir/_history").status_code == 401
    event = AuditEvent.objects.filter(
        object_type="fhir.system", detail__operation="_history"
    ).first()
    assert event is not None and record["patient"].mrn in event.detail["mrns"]


def test_a_new_staging_is_a_new_condition_version(api_as, record):
    api = api_as("radiation_oncologist")
    d = record["diagnosis"]
    before = api.get(f"/fhir/Condition/diagnosis-{d.pk}").json()
    staging = onc.staging_record(
        by=record["by"],
        diagnosis=d,
        classification="clinical",
        t_category="T4a",
        n_category="N1",
        m_category="M0",
        staged_on=timezone.localdate() - dt.timedelta(days=1),
    )
    after = api.get(f"/fhir/Condition/diagnosis-{d.pk}").json()
    assert after["meta"]["versionId"] != before["meta"]["versionId"]
    assert after["stage"][0]["assessment"][0]["reference"] == f"Observation/tnm-{staging.pk}"
    # _lastUpdated agrees with meta.lastUpdated (the staging's time, not the diagnosis row's).
    since = after["meta"]["lastUpdated"]
    found = api.get("/fhir/Condition", {"_id": f"diagnosis-{d.pk}", "_lastUpdated": f"ge{since}"})
    assert found.json()["total"] == 1
    history = api.get(f"/fhir/Condition/diagnosis-{d.pk}/_history").json()
    versions = [e["resource"]["meta"]["versionId"] for e in history["entry"]]
    assert versions[0] == after["meta"]["versionId"] and before["meta"]["versionId"] in versions
    old = api.get(f"/fhir/Condition/diagnosis-{d.pk}/_history/{before['meta']['versionId']}").json()
    assert (
        old["stage"][0]["assessment"][0]["reference"] == f"Observation/tnm-{record['staging'].pk}"
    )
