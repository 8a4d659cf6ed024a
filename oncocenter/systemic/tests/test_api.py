"""Every hold rule and verification step attacked through the API, with its status code; and
allow/deny per role for each endpoint."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from oncocenter.accounts.tests.factories import PASSWORD
from oncocenter.systemic.models import Administration, DosingMeasurement, TherapyOrder

from .conftest import lab

pytestmark = pytest.mark.django_db


def _post(c, url, data=None):
    return c.post(url, data=json.dumps(data or {}), content_type="application/json")


def _order_payload(chain, **kw):
    return {
        "regimen": "cross",
        "diagnosis_id": chain.diagnosis.pk,
        "start_date": timezone.localdate().isoformat(),
        "rt_course_id": chain.course.pk,
        **kw,
    }


def _admin_payload(dose, witness, **kw):
    on = dt.date.fromisoformat(dose["on"])
    start = timezone.make_aware(dt.datetime.combine(on, dt.time(10)))
    return {
        "given_mg": dose["planned_mg"],
        "route": dose["route"],
        "product_expiry": (timezone.localdate() + dt.timedelta(days=20)).isoformat(),
        "started_at": start.isoformat(),
        "stopped_at": (start + dt.timedelta(hours=1)).isoformat(),
        "identifiers": ["name", "birth_date"],
        "witness_username": witness.username,
        "witness_password": PASSWORD,
        **kw,
    }


def test_chain_attacked_through_the_api(chain, api_as):
    doc = api_as(user=chain.doctor)
    pharm = api_as(user=chain.pharmacist)
    nurse = api_as(user=chain.nurse)
    mrn = chain.patient.mrn
    statuses = {}

    statuses["order by a nurse"] = _post(
        nurse, f"/api/systemic/patients/{mrn}/orders", _order_payload(chain)
    ).status_code
    r = _post(
        doc,
        f"/api/systemic/patients/{mrn}/orders",
        _order_payload(chain, modifications=[{"drug": "paclitaxel", "percent": 80}]),
    )
    statuses["modified without reason"] = r.status_code
    assert r.json()["errors"][0]["field"] == "modifications.paclitaxel"
    r = _post(doc, f"/api/systemic/patients/{mrn}/orders", _order_payload(chain))
    assert r.status_code == 201, r.content
    order = r.json()
    oid = order["id"]
    assert (
        order["bsa_m2"] == "1.82"
        and len(order["doses"]) == 10
        and order["rt_course_id"] == chain.course.pk
    )
    statuses["verify before sign"] = _post(pharm, f"/api/systemic/orders/{oid}/verify").status_code
    statuses["release before verify"] = _post(
        nurse, f"/api/systemic/orders/{oid}/days/1/release"
    ).status_code
    statuses["sign by a pharmacist"] = _post(pharm, f"/api/systemic/orders/{oid}/sign").status_code
    assert _post(doc, f"/api/systemic/orders/{oid}/sign").status_code == 200
    statuses["verify by the orderer"] = _post(doc, f"/api/systemic/orders/{oid}/verify").status_code
    assert (
        _post(pharm, f"/api/systemic/orders/{oid}/verify").json()["verified_by"]
        == chain.pharmacist.username
    )

    lab(chain.patient, chain.nurse, "751-8", "0.7", "10*9/L")  # ANC today below 1.0
    r = _post(nurse, f"/api/systemic/orders/{oid}/days/1/release")
    statuses["release with ANC low, no override"] = r.status_code
    assert r.json()["code"] == "sys_hold_parameters" and r.json()["errors"][0]["field"] == "anc"
    statuses["override by a nurse"] = _post(
        nurse, f"/api/systemic/orders/{oid}/days/1/release", {"override_reason": "ok"}
    ).status_code
    dose = next(d for d in order["doses"] if d["day"] == 1 and d["drug"] == "paclitaxel")
    witness = chain.nurse2
    statuses["give before release"] = _post(
        nurse,
        f"/api/systemic/orders/{oid}/doses/{dose['id']}/administer",
        _admin_payload(dose, witness),
    ).status_code
    r = _post(
        doc,
        f"/api/systemic/orders/{oid}/days/1/release",
        {"override_reason": "ANC recovering; proceed"},
    )
    assert r.status_code == 201 and r.json()["decision"] == "overridden"
    url = f"/api/systemic/orders/{oid}/doses/{dose['id']}/administer"
    r = _post(nurse, url, _admin_payload(dose, witness, given_mg="95.00"))
    statuses["dose not matching the release"] = r.status_code
    assert r.json()["errors"][0]["field"] == "given_mg"
    statuses["same nurse as checker"] = _post(
        nurse, url, _admin_payload(dose, chain.nurse)
    ).status_code
    statuses["give by a physician"] = _post(doc, url, _admin_payload(dose, witness)).status_code
    assert _post(nurse, url, _admin_payload(dose, witness)).status_code == 201
    statuses["given twice"] = _post(nurse, url, _admin_payload(dose, witness)).status_code
    assert Administration.objects.count() == 1

    assert statuses == {
        "order by a nurse": 403,
        "modified without reason": 422,
        "verify before sign": 409,
        "release before verify": 409,
        "sign by a pharmacist": 403,
        "verify by the orderer": 403,
        "release with ANC low, no override": 409,
        "override by a nurse": 403,
        "give before release": 409,
        "dose not matching the release": 422,
        "same nurse as checker": 422,
        "give by a physician": 403,
        "given twice": 409,
    }
    cost = doc.get(f"/api/systemic/orders/{oid}/cost").json()
    assert cost["rate_percent"] == "30" and not cost["registered"]


def test_order_refusals_name_the_field(chain, api_as):
    doc = api_as(user=chain.doctor)
    mrn = chain.patient.mrn
    DosingMeasurement.objects.update(measured_on=timezone.localdate() - dt.timedelta(days=30))
    r = _post(doc, f"/api/systemic/patients/{mrn}/orders", _order_payload(chain))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "measurement"
    r = _post(doc, f"/api/systemic/patients/{mrn}/orders", _order_payload(chain, regimen="nope"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "regimen"
    r = _post(
        api_as("nurse"),
        f"/api/systemic/patients/{mrn}/measurements",
        {"height_cm": 170, "weight_kg": 400},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "weight_kg"
    assert TherapyOrder.objects.count() == 0


@pytest.mark.parametrize(
    "role,status",
    [
        ("nurse", 200),
        ("pharmacist", 200),
        ("social_worker", 403),
        ("hospital_school_teacher", 403),
        ("scheduler", 403),
    ],
)
def test_read_endpoints_allow_deny(chain, api_as, role, status):
    c = api_as(role)
    assert c.get("/api/systemic/regimens").status_code == status
    oid = _post(
        api_as(user=chain.doctor),
        f"/api/systemic/patients/{chain.patient.mrn}/orders",
        _order_payload(chain),
    ).json()["id"]
    assert c.get(f"/api/systemic/orders/{oid}").status_code == status
    assert c.get("/api/systemic/worklist/today").status_code == status


def test_verification_queue_only_pharmacists(chain, api_as):
    assert api_as("pharmacist").get("/api/systemic/worklist/verification").status_code == 200
    assert (
        api_as("medical_oncologist").get("/api/systemic/worklist/verification").status_code == 403
    )


def test_measure_allow_deny(chain, api_as):
    url = f"/api/systemic/patients/{chain.patient.mrn}/measurements"
    assert _post(api_as("nurse"), url, {"height_cm": 170, "weight_kg": 70}).status_code == 201
    assert _post(api_as("pharmacist"), url, {"height_cm": 170, "weight_kg": 70}).status_code == 403


def test_hold_and_cancel_allow_deny(chain, api_as):
    doc = api_as(user=chain.doctor)
    oid = _post(
        doc, f"/api/systemic/patients/{chain.patient.mrn}/orders", _order_payload(chain)
    ).json()["id"]
    assert (
        _post(
            api_as("dietitian"), f"/api/systemic/orders/{oid}/days/1/hold", {"reason": "x"}
        ).status_code
        == 403
    )
    r = _post(api_as("nurse"), f"/api/systemic/orders/{oid}/days/1/hold", {"reason": ""})
    assert r.status_code == 422
    assert (
        _post(api_as("nurse"), f"/api/systemic/orders/{oid}/cancel", {"reason": "x"}).status_code
        == 403
    )
    assert (
        _post(doc, f"/api/systemic/orders/{oid}/cancel", {"reason": "patient declined"}).json()[
            "status"
        ]
        == "cancelled"
    )
