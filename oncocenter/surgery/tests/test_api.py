"""The bad inputs of issue 22 attacked through the API: each answered with problem JSON that
names the field, and nothing saved. Plus allow/deny per role for every endpoint."""

import datetime as dt

import pytest

from oncocenter.core.permissions import roles_with
from oncocenter.core.roles import Role
from oncocenter.followup.models import FollowUpEvent
from oncocenter.oncology.models import TnmStaging
from oncocenter.patients.tests.factories import PatientFactory
from oncocenter.surgery.models import Complication, Operation, PathologyReport, ResponseAssessment

pytestmark = pytest.mark.django_db


def body(world, **kw):
    d = {
        "diagnosis": world.diagnosis.pk,
        "procedure": "ivor_lewis",
        "approach": "mis",
        "anastomosis": "intrathoracic",
        "operated_on": str(world.today - dt.timedelta(days=40)),
        "duration_min": 320,
        "blood_loss_ml": 200,
        "residual_tumor": "R0",
        "recommendation": world.recommendation.pk,
        "neoadjuvant_episode": world.cross.pk,
        "neoadjuvant": "cross",
        "team": [{"role": "assistant", "name": "Dr. Lee"}],
    }
    d.update(kw)
    return d


def problem_fields(response):
    return {e["field"] for e in response.json()["errors"]}


def test_operation_created_and_listed(world, api_as):
    api = api_as(user=world.surgeon)
    r = api.post(
        f"/api/surgery/patients/{world.patient.mrn}/operations",
        body(world),
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["episode"] and r.json()["team"] == [{"role": "assistant", "name": "Dr. Lee"}]
    r = api_as("nurse").get(f"/api/surgery/patients/{world.patient.mrn}/operations")
    assert r.status_code == 200 and len(r.json()) == 1


def test_attack_operation_without_diagnosis(world, api_as):
    patient = PatientFactory()
    r = api_as(user=world.surgeon).post(
        f"/api/surgery/patients/{patient.mrn}/operations",
        body(
            world, diagnosis=None, recommendation=None, neoadjuvant_episode=None, neoadjuvant="none"
        ),
        content_type="application/json",
    )
    assert r.status_code == 422 and "diagnosis" in problem_fields(r)
    assert not Operation.objects.exists()


def test_attack_operation_with_anothers_diagnosis(world, api_as):
    patient = PatientFactory()
    r = api_as(user=world.surgeon).post(
        f"/api/surgery/patients/{patient.mrn}/operations",
        body(world, recommendation=None, neoadjuvant_episode=None, neoadjuvant="none"),
        content_type="application/json",
    )
    assert r.status_code == 422 and "diagnosis" in problem_fields(r)


@pytest.fixture
def op(world):
    return world.operation()


def test_attack_complication_dated_before_operation(world, op, api_as):
    r = api_as(user=world.surgeon).post(
        f"/api/surgery/operations/{op.pk}/complications",
        {
            "kind": "anastomotic_leak",
            "eccg_type": "II",
            "clavien_dindo": "IIIb",
            "occurred_on": str(op.operated_on - dt.timedelta(days=1)),
        },
        content_type="application/json",
    )
    assert r.status_code == 422 and problem_fields(r) == {"occurred_on"}
    assert "before the operation" in r.json()["errors"][0]["message"]
    assert not Complication.objects.exists() and not FollowUpEvent.objects.exists()


def test_complication_recorded(world, op, api_as):
    r = api_as(user=world.surgeon).post(
        f"/api/surgery/operations/{op.pk}/complications",
        {
            "kind": "anastomotic_leak",
            "eccg_type": "II",
            "clavien_dindo": "IIIb",
            "occurred_on": str(op.operated_on + dt.timedelta(days=6)),
        },
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["followup_event_id_ref"]


def path_body(op, **kw):
    d = {
        "reported_on": str(op.operated_on + dt.timedelta(days=7)),
        "t_category": "T0",
        "n_category": "N0",
        "nodes_examined": 30,
        "nodes_positive": 0,
        "proximal_margin": "negative",
        "distal_margin": "negative",
        "circumferential_margin": "negative",
        "trg_system": "mandard",
        "trg": 1,
    }
    d.update(kw)
    return d


def test_attack_nodes_positive_above_examined(world, op, api_as):
    r = api_as(user=world.pathologist).post(
        f"/api/surgery/operations/{op.pk}/pathology",
        path_body(op, nodes_positive=31, n_category="N3"),
        content_type="application/json",
    )
    assert r.status_code == 422 and "nodes_positive" in problem_fields(r)
    assert not PathologyReport.objects.exists() and not TnmStaging.objects.exists()


def test_pathology_ypT0N0_then_duplicate_is_a_conflict(world, op, api_as):
    api = api_as(user=world.pathologist)
    r = api.post(
        f"/api/surgery/operations/{op.pk}/pathology", path_body(op), content_type="application/json"
    )
    assert r.status_code == 201 and r.json()["ytnm"] == "ypT0N0M0" and r.json()["complete_response"]
    r = api.post(
        f"/api/surgery/operations/{op.pk}/pathology", path_body(op), content_type="application/json"
    )
    assert r.status_code == 409


def lesions(*rows):
    return [{"label": a, "organ": b, "diameter_mm": c} for a, b, c in rows]


def test_attack_recist_target_set_change_and_contradicting_category(world, api_as):
    api = api_as(user=world.radiologist)
    url = f"/api/surgery/patients/{world.patient.mrn}/responses"
    r = api.post(
        url,
        {
            "diagnosis": world.diagnosis.pk,
            "criteria": "recist11",
            "assessed_on": str(world.today - dt.timedelta(days=60)),
            "lesions": lesions(("L1", "liver", 40), ("L2", "lung", 30)),
        },
        content_type="application/json",
    )
    assert r.status_code == 201
    base = r.json()["id"]
    r = api.post(
        url,
        {
            "diagnosis": world.diagnosis.pk,
            "criteria": "recist11",
            "baseline": base,
            "assessed_on": str(world.today),
            "lesions": lesions(("L1", "liver", 20), ("L4", "bone", 30)),
        },
        content_type="application/json",
    )
    assert r.status_code == 422 and problem_fields(r) == {"lesions"}
    assert "new baseline" in r.json()["errors"][0]["message"]
    r = api.post(
        url,
        {
            "diagnosis": world.diagnosis.pk,
            "criteria": "recist11",
            "baseline": base,
            "assessed_on": str(world.today),
            "lesions": lesions(("L1", "liver", 20), ("L2", "lung", 20)),
            "category": "SD",
        },
        content_type="application/json",
    )
    assert r.status_code == 422 and problem_fields(r) == {"category"}
    assert ResponseAssessment.objects.count() == 1
    r = api.post(
        url,
        {
            "diagnosis": world.diagnosis.pk,
            "criteria": "recist11",
            "baseline": base,
            "assessed_on": str(world.today),
            "lesions": lesions(("L1", "liver", 20), ("L2", "lung", 20)),
        },
        content_type="application/json",
    )
    assert (
        r.status_code == 201
        and r.json()["overall_response"] == "PR"
        and r.json()["change_from_baseline_pct"] == "-42.9"
    )


def test_unknown_baseline_is_bad_input(world, api_as):
    r = api_as(user=world.radiologist).post(
        f"/api/surgery/patients/{world.patient.mrn}/responses",
        {
            "diagnosis": world.diagnosis.pk,
            "criteria": "recist11",
            "baseline": 99999,
            "assessed_on": str(world.today),
            "lesions": [],
        },
        content_type="application/json",
    )
    assert r.status_code == 422 and problem_fields(r) == {"baseline"}


def _endpoints(world, op):
    before = str(op.operated_on - dt.timedelta(days=1))
    return [
        ("get", f"/api/surgery/patients/{world.patient.mrn}/operations", None, "surgery.view"),
        ("get", f"/api/surgery/operations/{op.pk}", None, "surgery.view"),
        ("get", f"/api/surgery/patients/{world.patient.mrn}/responses", None, "surgery.view"),
        ("get", "/api/surgery/quality", None, "surgery.quality"),
        (
            "post",
            f"/api/surgery/patients/{world.patient.mrn}/operations",
            body(world, duration_min=0),
            "surgery.record",
        ),
        ("post", f"/api/surgery/operations/{op.pk}/postop", {"icu_days": -1}, "surgery.record"),
        (
            "post",
            f"/api/surgery/operations/{op.pk}/complications",
            {"kind": "pneumonia", "eccg_type": "ATS", "clavien_dindo": "II", "occurred_on": before},
            "surgery.record",
        ),
        (
            "post",
            f"/api/surgery/operations/{op.pk}/pathology",
            path_body(op, nodes_positive=99),
            "surgery.pathology",
        ),
        (
            "post",
            f"/api/surgery/patients/{world.patient.mrn}/responses",
            {"criteria": "recist11", "assessed_on": before, "lesions": []},
            "response.record",
        ),
    ]


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_endpoint_allows_and_denies_by_role(world, op, api_as, role):
    """Allowed roles reach the service (200 for reads, 422 for the bad bodies sent); others 403."""
    api = api_as(role)
    for method, url, data, perm in _endpoints(world, op):
        if method == "get":
            r = api.get(url)
        else:
            r = api.post(url, data, content_type="application/json")
        if role in roles_with(perm):
            assert r.status_code == (200 if method == "get" else 422), (role, url, r.status_code)
        else:
            assert r.status_code == 403, (role, url, r.status_code)
