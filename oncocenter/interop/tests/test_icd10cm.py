"""The ICD-10 (WHO) -> ICD-10-CM map: generated from the official list, every target real."""

import json

import pytest
import simple_icd_10_cm as cm

from oncocenter.interop.fhir import icd10cm
from oncocenter.interop.fhir import terminology as tx
from oncocenter.oncology import codes

DATA = json.loads(icd10cm.OUT.read_text(encoding="utf-8"))


def test_the_committed_map_is_what_the_generator_writes():
    assert icd10cm.is_current(), "stale: run `oncocenter icd10cm-map`"


def test_every_mapped_target_exists_in_the_official_icd10cm_list():
    targets = [hit[0] for hit in DATA["map"].values()]
    targets += [code for hit in DATA["map"].values() for code, _d in hit[3].values()]
    assert targets and all(cm.is_valid_item(t) for t in targets)
    for hit in DATA["map"].values():
        assert hit[1] == cm.get_description(hit[0])


def test_every_local_code_is_mapped_or_listed_unmatched():
    local = set(codes.load(codes.ICD10))
    assert set(DATA["map"]) | set(DATA["unmatched"]) == local


@pytest.mark.parametrize(
    ("who", "side", "expected"),
    [
        ("C34.1", "left", ("C34.12", "equivalent")),
        ("C34.1", "right", ("C34.11", "equivalent")),
        ("C34.1", "unknown", ("C34.1", "equivalent")),
        ("C64", "left", ("C64.2", "equivalent")),
        # WHO's oesophagus by anatomical part is not in ICD-10-CM: the category, wider.
        ("C15.1", "not-applicable", ("C15", "wider")),
    ],
)
def test_side_specific_and_wider_targets(who, side, expected):
    assert tx.coding_for_side(tx.ICD10CM_MAP, who, side)["code"] == expected[0]
    assert DATA["map"][who][2] == expected[1]


def test_concept_map_served_with_laterality_dependencies(api_as):
    body = api_as("nurse").get("/fhir/ConceptMap/icd10-icd10cm").json()
    assert body["group"][0]["target"] == "http://hl7.org/fhir/sid/icd-10-cm"
    lung = next(e for e in body["group"][0]["element"] if e["code"] == "C34.1")
    assert lung["target"][0] == {
        "code": "C34.1",
        "display": "Malignant neoplasm of upper lobe, bronchus or lung",
        "equivalence": "equivalent",
    }
    left = next(t for t in lung["target"] if t["code"] == "C34.12")
    assert left["dependsOn"][0]["value"] == "left"


def test_condition_exports_icd10cm_and_is_found_by_it(api_as, record):
    api = api_as("radiation_oncologist")
    d = record["diagnosis"]  # C15.4, middle third of oesophagus: the same code in ICD-10-CM
    body = api.get(f"/fhir/Condition/diagnosis-{d.pk}").json()
    assert {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "C15.4"} in [
        {k: c[k] for k in ("system", "code")} for c in body["code"]["coding"]
    ]
    assert body["code"]["coding"][0]["system"] == "http://hl7.org/fhir/sid/icd-10"
    found = api.get("/fhir/Condition?code=http://hl7.org/fhir/sid/icd-10-cm|C15.4").json()
    assert [e["resource"]["id"] for e in found["entry"]] == [f"diagnosis-{d.pk}"]
    assert (
        api.get("/fhir/Condition?code=http://hl7.org/fhir/sid/icd-10-cm|C15.3").json()["total"] == 0
    )
