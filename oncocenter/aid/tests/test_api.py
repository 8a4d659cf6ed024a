"""API: allow/deny per endpoint, problem JSON naming the field, nothing saved on bad input."""

import json

import pytest

from oncocenter.aid.models import AidApplication

pytestmark = pytest.mark.django_db


def _post(c, url, data, method="post"):
    return getattr(c, method)(url, data=json.dumps(data), content_type="application/json")


def test_aid_api_flow_and_grant_above_request(world, api_as):
    c = api_as("social_worker")
    a = world["application"]
    for s in ("submitted", "under_review"):
        assert _post(c, f"/api/support/aid/{a.pk}/transition", {"to_status": s}).status_code == 200
    r = _post(
        c,
        f"/api/support/aid/{a.pk}/transition",
        {"to_status": "granted", "amount_granted": 1500000},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "amount_granted"
    a.refresh_from_db()
    assert a.status == "under_review"
    r = _post(
        c,
        f"/api/support/aid/{a.pk}/transition",
        {"to_status": "granted", "amount_granted": 1500000, "decision_note": "Board decision"},
    )
    assert r.status_code == 200
    s = c.get(f"/api/support/patients/{world['mrn']}/aid").json()
    assert s["total_granted"] == "1500000"
    r = _post(c, f"/api/support/aid/{a.pk}/transition", {"to_status": "submitted"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "status"
    r = _post(
        c,
        f"/api/support/patients/{world['mrn']}/aid",
        {"organisation_id": world["org"].pk, "need": "transport", "amount_requested": -5},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "amount_requested"
    assert AidApplication.objects.count() == 1
