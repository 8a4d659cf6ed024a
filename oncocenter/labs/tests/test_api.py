"""Labs API: allow and deny per endpoint, the coded-result door (201 new, 200 repeat, 422 wrong
unit, 409 a different value for the same accession), problem JSON naming the field."""

import json

import pytest

from oncocenter.accounts.tests.factories import PASSWORD, UserFactory
from oncocenter.labs.models import LabResult

pytestmark = pytest.mark.django_db


def _post(c, url, data):
    return c.post(url, data=json.dumps(data), content_type="application/json")


def _result(value="0.4", unit="10*9/L", accession="ORU-1", loinc="751-8"):
    return {
        "loinc": loinc,
        "value": value,
        "unit": unit,
        "collected_at": "2026-01-05T07:00:00+09:00",
        "resulted_at": "2026-01-05T09:00:00+09:00",
        "accession": accession,
        "ref_low": "1.5",
        "ref_high": "8.0",
    }


def test_coded_result_door(api_as, adult):
    c = api_as("nurse")
    url = f"/api/labs/patients/{adult.mrn}/results"
    r = _post(c, url, _result())
    assert r.status_code == 201, r.content
    body = r.json()
    assert (
        body["flag"] == "critical_low"
        and body["critical"]
        and body["unit"] == "10*9/L"
        and body["created"]
    )
    r = _post(c, url, _result())
    assert r.status_code == 200 and r.json()["id"] == body["id"] and not r.json()["created"]
    r = _post(c, url, _result(value="0.9"))
    assert r.status_code == 409 and r.json()["code"] == "labs_accession_differs"
    r = _post(c, url, _result(unit="mg/dL", accession="ORU-2"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "unit"
    r = _post(c, url, {**_result(accession="ORU-3"), "collected_at": "yesterday"})
    assert r.status_code == 422
    assert LabResult.objects.count() == 1
    got = c.get(url).json()
    assert len(got) == 1 and got[0]["loinc"] == "751-8"


@pytest.mark.parametrize("role", ["hospital_school_teacher", "dietitian", "scheduler"])
def test_result_entry_denied(api_as, adult, role):
    r = _post(api_as(role), f"/api/labs/patients/{adult.mrn}/results", _result())
    assert r.status_code == 403


@pytest.mark.parametrize(
    "role,status",
    [("nurse", 200), ("pharmacist", 200), ("hospital_school_teacher", 403), ("scheduler", 403)],
)
def test_results_read_allow_deny(api_as, adult, role, status):
    assert api_as(role).get(f"/api/labs/patients/{adult.mrn}/results").status_code == status
    assert api_as(role).get("/api/labs/critical").status_code == status


def test_acknowledge_allow_deny(api_as, adult):
    r = _post(api_as("nurse"), f"/api/labs/patients/{adult.mrn}/results", _result())
    pk = r.json()["id"]
    assert (
        _post(
            api_as("dietitian"),
            f"/api/labs/results/{pk}/acknowledge",
            {"communicated_to": "a", "action": "b"},
        ).status_code
        == 403
    )
    r = _post(
        api_as("medical_oncologist"),
        f"/api/labs/results/{pk}/acknowledge",
        {"communicated_to": "", "action": "b"},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "communicated_to"
    assert (
        _post(
            api_as("medical_oncologist"),
            f"/api/labs/results/{pk}/acknowledge",
            {"communicated_to": "RN Lee", "action": "G-CSF"},
        ).status_code
        == 201
    )
    assert (
        _post(
            api_as("nurse"),
            f"/api/labs/results/{pk}/acknowledge",
            {"communicated_to": "x", "action": "y"},
        ).status_code
        == 409
    )


def test_order_and_transfusion_allow_deny(api_as, adult):
    assert (
        _post(
            api_as("nurse"), f"/api/labs/patients/{adult.mrn}/orders", {"analyte_codes": ["anc"]}
        ).status_code
        == 403
    )
    r = _post(
        api_as("pediatric_oncologist"),
        f"/api/labs/patients/{adult.mrn}/orders",
        {"analyte_codes": ["anc", "plt"], "center": "pediatric"},
    )
    assert r.status_code == 201 and r.json()["tests"] == ["anc", "plt"]
    tx = {"product": "platelets", "irradiated": True, "leukoreduced": True, "indication": "PLT 8"}
    assert (
        _post(api_as("nurse"), f"/api/labs/patients/{adult.mrn}/transfusions", tx).status_code
        == 403
    )
    r = _post(api_as("pediatric_oncologist"), f"/api/labs/patients/{adult.mrn}/transfusions", tx)
    assert r.status_code == 201
    pk = r.json()["id"]
    witness = UserFactory(roles=["nurse"])
    given = {"witness_username": witness.username, "witness_password": PASSWORD}
    assert (
        _post(
            api_as("pediatric_oncologist"), f"/api/labs/transfusions/{pk}/given", given
        ).status_code
        == 403
    )
    nurse = api_as("nurse")
    r = _post(nurse, f"/api/labs/transfusions/{pk}/given", {**given, "witness_password": "wrong"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "witness_password"
    r = _post(
        nurse,
        f"/api/labs/transfusions/{pk}/given",
        {"witness_username": nurse.user.username, "witness_password": PASSWORD},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "witness_username"
    assert _post(nurse, f"/api/labs/transfusions/{pk}/given", given).json()["status"] == "given"
