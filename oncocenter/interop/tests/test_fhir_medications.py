"""Systemic therapy orders and administrations as MedicationRequest and MedicationAdministration."""

import datetime as dt

import pytest
from django.utils import timezone
from fhir.resources.R4B.medicationadministration import MedicationAdministration
from fhir.resources.R4B.medicationrequest import MedicationRequest

from oncocenter.audit.models import AuditEvent
from oncocenter.systemic import services
from oncocenter.systemic.tests.conftest import chain  # noqa: F401 (fixture)
from oncocenter.systemic.tests.test_services import _give, _verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def given(chain):  # noqa: F811
    order = _verified(chain)
    dose = order.doses.select_related("drug").get(day=1, drug__drug="paclitaxel")
    services.day_release(order=order, day=1, by=chain.nurse)
    return {"chain": chain, "order": order, "dose": dose, "admin": _give(chain, dose)}


def test_orders_and_administrations_are_served(api_as, given):
    api = api_as("medical_oncologist")
    mrn = given["chain"].patient.mrn
    dose, admin = given["dose"], given["admin"]
    r = api.get(f"/fhir/MedicationRequest/sysdose-{dose.pk}")
    assert r.status_code == 200
    req = r.json()
    MedicationRequest.model_validate(req)
    assert req["status"] == "active" and req["intent"] == "order"
    assert req["medicationCodeableConcept"]["text"] == "paclitaxel"
    quantity = req["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]
    assert quantity["value"] == float(dose.planned_mg) and quantity["code"] == "mg"
    assert req["dosageInstruction"][0]["route"]["coding"][0]["code"] == "47625008"
    assert (
        req["reasonReference"][0]["reference"]
        == f"Condition/diagnosis-{given['chain'].diagnosis.pk}"
    )
    body = api.get(f"/fhir/MedicationAdministration/sysadmin-{admin.pk}").json()
    MedicationAdministration.model_validate(body)
    assert body["request"]["reference"] == f"MedicationRequest/sysdose-{dose.pk}"
    assert body["dosage"]["dose"]["value"] == float(admin.given_mg)
    assert dt.datetime.fromisoformat(body["effectivePeriod"]["start"]) == admin.started_at
    assert AuditEvent.objects.filter(action="read", patient_id=given["chain"].patient.pk).exists()

    def ids(url):
        r = api.get(url)
        assert r.status_code == 200, r.content
        return {e["resource"]["id"] for e in r.json().get("entry", [])}

    n_doses = given["order"].doses.count()
    assert len(ids(f"/fhir/MedicationRequest?patient={mrn}&_count=200")) == n_doses
    paclitaxel = ids(f"/fhir/MedicationRequest?patient={mrn}&code=paclitaxel&status=active")
    assert f"sysdose-{dose.pk}" in paclitaxel and len(paclitaxel) < n_doses
    assert ids(f"/fhir/MedicationRequest?patient={mrn}&status=completed") == set()
    day = timezone.localtime(admin.started_at).date()
    assert ids(f"/fhir/MedicationAdministration?patient={mrn}&effective-time={day}") == {
        f"sysadmin-{admin.pk}"
    }
    assert ids(f"/fhir/MedicationAdministration?patient={mrn}&effective-time=lt{day}") == set()
    assert ids(f"/fhir/MedicationAdministration?_lastUpdated=ge{day}") == {f"sysadmin-{admin.pk}"}
    everything = ids(f"/fhir/Patient/{mrn}/$everything")
    assert {f"sysdose-{dose.pk}", f"sysadmin-{admin.pk}"} <= everything


def test_capability_statement_and_roles(api_as, client, given):
    from oncocenter.core.permissions import roles_with
    from oncocenter.core.roles import Role

    body = client.get("/fhir/metadata").json()
    types = {r["type"]: r for r in body["rest"][0]["resource"]}
    assert {"code", "status", "patient", "authoredon"} <= {
        p["name"] for p in types["MedicationRequest"]["searchParam"]
    }
    assert "effective-time" in {p["name"] for p in types["MedicationAdministration"]["searchParam"]}
    allowed = roles_with("systemic.view")
    for role in Role.values:
        for rtype in ("MedicationRequest", "MedicationAdministration"):
            status = api_as(role).get(f"/fhir/{rtype}?_count=1").status_code
            assert status == (200 if role in allowed else 403), (role, rtype, status)
