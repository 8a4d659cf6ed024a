"""Operations (surgery app) served as surgical Procedures, not repeated as treatment episodes."""

import pytest
from fhir.resources.R4B.procedure import Procedure

from oncocenter.surgery.tests.conftest import world  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_operation_is_a_surgical_procedure(api_as, world):  # noqa: F811
    op = world.operation()
    api = api_as("surgeon")
    r = api.get(f"/fhir/Procedure/surgery-{op.pk}")
    assert r.status_code == 200, r.content[:300]
    body = r.json()
    Procedure.model_validate(body)
    assert body["category"]["coding"][0]["code"] == "387713003"
    assert body["code"]["coding"][0]["code"] == "ivor_lewis"
    assert body["performedDateTime"] == op.operated_on.isoformat()
    assert body["reasonReference"][0]["reference"] == f"Condition/diagnosis-{world.diagnosis.pk}"
    found = api.get(
        "/fhir/Procedure",
        {"patient": world.patient.mrn, "category": "http://snomed.info/sct|387713003"},
    ).json()
    ids = [e["resource"]["id"] for e in found["entry"]]
    assert ids == [f"surgery-{op.pk}"]
    # The operation's treatment episode is not served a second time.
    everything = api.get(f"/fhir/Procedure?patient={world.patient.mrn}").json()
    assert f"treatment-{op.episode_id}" not in [e["resource"]["id"] for e in everything["entry"]]
    assert (
        api.get("/fhir/Procedure", {"code": "urn:oncocenter:surgery-procedure|mckeown"}).json()[
            "total"
        ]
        == 0
    )


def test_operation_procedure_is_denied_without_surgery_view(api_as, world):  # noqa: F811
    op = world.operation()
    # A scheduler reads RT course Procedures but not operations: the row is not there for them.
    scheduler = api_as("scheduler")
    assert scheduler.get(f"/fhir/Procedure/surgery-{op.pk}").status_code == 404
    listed = scheduler.get(f"/fhir/Procedure?patient={world.patient.mrn}").json()
    assert f"surgery-{op.pk}" not in [e["resource"]["id"] for e in listed.get("entry", [])]
    assert api_as("hospital_school_teacher").get("/fhir/Procedure").status_code == 403
