"""Vital signs (nurses' sets, and the weights and heights kept by dosing, pediatrics and
nutrition) served as FHIR vital-signs Observations; laboratory specimens as Specimen."""

import datetime as dt

import pytest
from django.utils import timezone
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.specimen import Specimen

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.audit.models import AuditEvent
from oncocenter.interop.fhir import vitals as fhir_vitals
from oncocenter.labs.services import lab_result_record
from oncocenter.nutrition.services import nutrition_record_create
from oncocenter.oncology.services import (
    vital_signs_correct,
    vital_signs_mark_entered_in_error,
    vital_signs_record,
)
from oncocenter.pediatrics.services import measurement_record as pediatric_measurement
from oncocenter.systemic.services import measurement_record as dosing_measurement

pytestmark = pytest.mark.django_db
LOINC = "http://loinc.org"


@pytest.fixture
def vitals(record):
    patient = record["patient"]
    nurse = UserFactory(roles=["nurse"])
    today = timezone.localdate()
    full = vital_signs_record(
        patient=patient,
        by=nurse,
        measured_at=timezone.now() - dt.timedelta(hours=2),
        systolic_mmhg=124,
        diastolic_mmhg=78,
        heart_rate_bpm=72,
        respiratory_rate=18,
        temperature_c="37.2",
        spo2_percent=96,
        weight_kg="61.5",
        height_cm="168.0",
    )
    only_pulse = vital_signs_record(
        patient=patient,
        by=nurse,
        measured_at=timezone.now() - dt.timedelta(hours=1),
        heart_rate_bpm=88,
    )
    dosing = dosing_measurement(
        patient=patient,
        by=nurse,
        height_cm="168",
        weight_kg="61",
        measured_on=today - dt.timedelta(days=3),
    )
    nutrition, _alerts = nutrition_record_create(
        by=nurse, patient=patient, measured_on=today - dt.timedelta(days=2), weight=60.2
    )
    return {
        "patient": patient,
        "full": full,
        "pulse": only_pulse,
        "dosing": dosing,
        "nutrition": nutrition,
    }


def test_each_measurement_is_a_vital_signs_observation_with_its_profile(api_as, vitals):
    api = api_as("nurse")
    pk = vitals["full"].pk
    expected = {
        "bp": ("85354-9", "bp"),
        "hr": ("8867-4", "heartrate"),
        "rr": ("9279-1", "resprate"),
        "temp": ("8310-5", "bodytemp"),
        "spo2": ("2708-6", "oxygensat"),
        "weight": ("29463-7", "bodyweight"),
        "height": ("8302-2", "bodyheight"),
        "bmi": ("39156-5", "bmi"),
    }
    for suffix, (loinc, profile) in expected.items():
        r = api.get(f"/fhir/Observation/vitals-{pk}-{suffix}")
        assert r.status_code == 200, suffix
        body = r.json()
        Observation.model_validate(body)
        assert body["meta"]["profile"] == [f"http://hl7.org/fhir/StructureDefinition/{profile}"]
        assert body["category"][0]["coding"][0]["code"] == "vital-signs"
        assert body["code"]["coding"][0] == {
            "system": LOINC,
            "code": loinc,
            "display": body["code"]["coding"][0]["display"],
        }
        assert body["subject"] == {"reference": f"Patient/{vitals['patient'].mrn}"}
        assert fhir_vitals.profile_problems(body) == [], suffix
    bp = api.get(f"/fhir/Observation/vitals-{pk}-bp").json()
    assert [
        (c["code"]["coding"][0]["code"], c["valueQuantity"]["value"]) for c in bp["component"]
    ] == [
        ("8480-6", 124),
        ("8462-4", 78),
    ]
    assert bp["component"][0]["valueQuantity"]["code"] == "mm[Hg]"
    temp = api.get(f"/fhir/Observation/vitals-{pk}-temp").json()["valueQuantity"]
    assert (temp["value"], temp["code"]) == (37.2, "Cel")
    bmi = api.get(f"/fhir/Observation/vitals-{pk}-bmi").json()["valueQuantity"]
    assert (bmi["value"], bmi["code"]) == (21.8, "kg/m2")
    # A measurement not taken is no Observation.
    assert api.get(f"/fhir/Observation/vitals-{vitals['pulse'].pk}-bp").status_code == 404
    assert api.get(f"/fhir/Observation/vitals-{vitals['pulse'].pk}-hr").status_code == 200
    assert AuditEvent.objects.filter(
        object_type="fhir.Observation", object_id=f"vitals-{pk}-bp"
    ).exists()


def test_weights_kept_elsewhere_are_served_as_they_were_recorded(api_as, vitals):
    api = api_as("medical_oncologist")
    dosing = api.get(f"/fhir/Observation/dosing-{vitals['dosing'].pk}-weight").json()
    assert dosing["valueQuantity"]["value"] == 61
    assert dosing["effectiveDateTime"] == vitals["dosing"].measured_on.isoformat()
    nutrition = api.get(f"/fhir/Observation/nutrition-{vitals['nutrition'].pk}-weight").json()
    assert nutrition["valueQuantity"]["value"] == 60.2
    # No height at that assessment: no height Observation, no BMI.
    assert (
        api.get(f"/fhir/Observation/nutrition-{vitals['nutrition'].pk}-height").status_code == 404
    )


def test_pediatric_body_measurement_is_served(api_as, record):
    from oncocenter.oncology.tests.factories import child

    kid = child()
    m, _warnings = pediatric_measurement(
        patient=kid, by=UserFactory(), measured_on=timezone.localdate(), height=110, weight=19
    )
    body = api_as("pediatric_oncologist").get(f"/fhir/Observation/bodymeasure-{m.pk}-height").json()
    assert body["valueQuantity"] == {
        "value": 110,
        "unit": "cm",
        "system": "http://unitsofmeasure.org",
        "code": "cm",
    }


def test_search_vital_signs_by_category_code_and_date(api_as, vitals):
    api = api_as("nurse")
    mrn = vitals["patient"].mrn

    def ids(q):
        return sorted(
            e["resource"]["id"] for e in api.get(f"/fhir/Observation?{q}").json().get("entry", [])
        )

    weights = ids(f"patient={mrn}&code={LOINC}|29463-7")
    assert weights == sorted(
        [
            f"vitals-{vitals['full'].pk}-weight",
            f"dosing-{vitals['dosing'].pk}-weight",
            f"nutrition-{vitals['nutrition'].pk}-weight",
        ]
    )
    assert ids(f"patient={mrn}&code=8867-4") == sorted(
        [f"vitals-{vitals['full'].pk}-hr", f"vitals-{vitals['pulse'].pk}-hr"]
    )
    vital = ids(f"patient={mrn}&category=vital-signs")
    assert len(vital) == 8 + 1 + 2 + 1  # full set, pulse, dosing weight+height, nutrition weight
    today = timezone.localdate().isoformat()
    assert ids(f"patient={mrn}&category=vital-signs&date=lt{today}") == sorted(
        [
            f"dosing-{vitals['dosing'].pk}-weight",
            f"dosing-{vitals['dosing'].pk}-height",
            f"nutrition-{vitals['nutrition'].pk}-weight",
        ]
    )


def test_roles_see_only_the_tables_their_permission_covers(api_as, client_as, vitals):
    # Nurses read vital signs; a scheduler (no clinical permission) reads no Observation at all.
    assert (
        api_as("scheduler").get(f"/fhir/Observation/vitals-{vitals['full'].pk}-hr").status_code
        == 403
    )
    assert (
        client_as("social_worker").get("/fhir/Observation?category=vital-signs").status_code == 403
    )


@pytest.fixture
def labs(record):
    by = UserFactory()
    patient = record["patient"]
    at = timezone.now() - dt.timedelta(days=1)
    hgb = lab_result_record(
        patient=patient,
        by=by,
        loinc="718-7",
        value="12.1",
        unit="g/dL",
        collected_at=at,
        accession="ACC9",
        source="hl7",
    ).result
    creat = lab_result_record(
        patient=patient, by=by, loinc="2160-0", value="0.9", unit="mg/dL", collected_at=at
    ).result
    return {"patient": patient, "hgb": hgb, "creat": creat}


def test_specimen_of_a_lab_result_with_type_collection_and_accession(api_as, labs):
    api = api_as("medical_oncologist")
    r = api.get(f"/fhir/Specimen/specimen-{labs['hgb'].pk}")
    assert r.status_code == 200
    body = r.json()
    Specimen.model_validate(body)
    assert body["type"]["coding"][0]["code"] == "119297000"  # blood: hematology
    assert body["collection"]["collectedDateTime"] == labs["hgb"].collected_at.isoformat()
    assert body["accessionIdentifier"]["value"] == "ACC9"
    obs = api.get(f"/fhir/Observation/lab-{labs['hgb'].pk}").json()
    assert obs["specimen"] == {"reference": f"Specimen/specimen-{labs['hgb'].pk}"}
    serum = api.get(f"/fhir/Specimen/specimen-{labs['creat'].pk}").json()
    assert serum["type"]["coding"][0]["code"] == "119364003"


def test_specimen_search_and_access(api_as, labs):
    api = api_as("nurse")
    mrn = labs["patient"].mrn
    found = api.get(f"/fhir/Specimen?patient={mrn}&type=http://snomed.info/sct|119364003").json()
    assert [e["resource"]["id"] for e in found["entry"]] == [f"specimen-{labs['creat'].pk}"]
    by_acc = api.get("/fhir/Specimen?accession=ACC9").json()
    assert [e["resource"]["id"] for e in by_acc["entry"]] == [f"specimen-{labs['hgb'].pk}"]
    day = timezone.localtime(labs["hgb"].collected_at).date().isoformat()
    assert api.get(f"/fhir/Specimen?patient={mrn}&collected={day}").json()["total"] == 2
    assert (
        api.get(f"/fhir/Specimen?patient={mrn}&type=http://loinc.org|119364003").json()["total"]
        == 0
    )
    assert api.get("/fhir/Specimen?date=2020").status_code == 400  # not a Specimen parameter
    assert api_as("scheduler").get(f"/fhir/Specimen/specimen-{labs['hgb'].pk}").status_code == 403
    assert AuditEvent.objects.filter(object_type="fhir.Specimen", action="search").exists()


def test_the_vital_signs_rules_catch_a_broken_resource():
    good = fhir_vitals.observation(
        rid="x-1-weight",
        kind_key="weight",
        patient_mrn="1",
        effective=timezone.localdate(),
        updated_at=None,
        value=70,
    )
    assert fhir_vitals.profile_problems(good) == []
    bad = {
        **good,
        "category": [],
        "valueQuantity": {"value": 70, "system": fhir_vitals.UCUM, "code": "lb"},
    }
    assert fhir_vitals.profile_problems(bad) == [
        "category has no vital-signs coding",
        "valueQuantity needs a value in UCUM ['[lb_av]', 'g', 'kg']",
    ]


def test_corrected_sets_are_served_with_their_status_and_the_old_versions_stay(api_as, vitals):
    """Entered in error -> entered-in-error; a correction is a new Observation `amended`, and the
    set it supersedes leaves `final` (entered-in-error, its note naming the correction) while
    its earlier version stays readable through vread and _history."""
    api = api_as("nurse")
    nurse = UserFactory(roles=["nurse"])
    full, pulse = vitals["full"], vitals["pulse"]
    before = api.get(f"/fhir/Observation/vitals-{full.pk}-hr").json()
    assert before["status"] == "final" and "note" not in before
    new = vital_signs_correct(
        vital_signs=full, by=nurse, reason="pulse typed for another bed", heart_rate_bpm=64
    )
    vital_signs_mark_entered_in_error(vital_signs=pulse, by=nurse, reason="not this patient")
    old = api.get(f"/fhir/Observation/vitals-{full.pk}-hr").json()
    assert old["status"] == "entered-in-error" and old["valueQuantity"]["value"] == 72
    assert old["note"] == [
        {"text": f"Superseded by vital signs set {new.pk}: pulse typed for another bed"}
    ]
    amended = api.get(f"/fhir/Observation/vitals-{new.pk}-hr").json()
    assert amended["status"] == "amended" and amended["valueQuantity"]["value"] == 64
    assert amended["note"] == [{"text": f"Corrects vital signs set {full.pk}"}]
    assert fhir_vitals.profile_problems(amended) == []
    Observation.model_validate(amended)
    erroneous = api.get(f"/fhir/Observation/vitals-{pulse.pk}-hr").json()
    assert erroneous["status"] == "entered-in-error"
    assert erroneous["note"] == [{"text": "Entered in error: not this patient"}]
    # the version served before the correction is still there
    assert old["meta"]["versionId"] != before["meta"]["versionId"]
    then = api.get(f"/fhir/Observation/vitals-{full.pk}-hr/_history/{before['meta']['versionId']}")
    assert then.status_code == 200 and then.json()["status"] == "final"
    history = api.get(f"/fhir/Observation/vitals-{full.pk}-hr/_history").json()
    assert [e["resource"]["status"] for e in history["entry"]] == ["entered-in-error", "final"]
    # search by status: the sets that stand, or the withdrawn ones
    mrn = vitals["patient"].mrn

    def ids(q):
        return sorted(
            e["resource"]["id"] for e in api.get(f"/fhir/Observation?{q}").json().get("entry", [])
        )

    assert ids(f"patient={mrn}&code=8867-4&status=final,amended") == [f"vitals-{new.pk}-hr"]
    assert ids(f"patient={mrn}&code=8867-4&status=entered-in-error") == sorted(
        [f"vitals-{full.pk}-hr", f"vitals-{pulse.pk}-hr"]
    )


def test_a_status_no_vital_signs_set_has_finds_nothing_instead_of_failing(api_as, vitals):
    # No nurse's set is ever `preliminary`: that source's filter is `status IN ()`, which the
    # ORM will not write as SQL; the counts of all Observation sources (one query) must still
    # be made, and the other sources (labs, markers) still searched.
    api = api_as("radiation_oncologist")
    mrn = vitals["patient"].mrn
    r = api.get(f"/fhir/Observation?patient={mrn}&status=preliminary")
    assert r.status_code == 200
    assert r.json()["total"] == 0
    r = api.get(f"/fhir/Observation?patient={mrn}&code=8867-4&status=preliminary,final")
    assert r.status_code == 200 and r.json()["total"] >= 1
