"""Staff API of symptom alerts: allow and deny per role; a portal session has no API access."""

from __future__ import annotations

import pytest

from oncocenter.core.permissions import roles_with
from oncocenter.core.roles import Role
from oncocenter.portal import services
from oncocenter.portal.tests.factories import adult_with_account
from oncocenter.portal.tests.test_services import answers

pytestmark = pytest.mark.django_db


def _alert():
    portal = adult_with_account()
    _s, alert = services.pro_submit(
        account=portal.account,
        patient=portal.patient,
        instrument_code="symptoms-weekly",
        answers=answers(mucositis__severity=3),
    )
    return portal, alert


@pytest.mark.parametrize("role", sorted(Role.values))
def test_worklist_and_acknowledge_by_role(api_as, role):
    portal, alert = _alert()
    client = api_as(role)
    r = client.get("/api/portal/symptom-alerts")
    if role in roles_with("epro.view"):
        assert r.status_code == 200 and r.json()[0]["patient_mrn"] == portal.patient.mrn
    else:
        assert r.status_code == 403
    r = client.post(f"/api/portal/symptom-alerts/{alert.pk}/acknowledge")
    assert r.status_code == (200 if role in roles_with("epro.handle") else 403)


def test_close_needs_an_outcome_and_names_the_field(api_as):
    _portal, alert = _alert()
    client = api_as("nurse")
    r = client.post(
        f"/api/portal/symptom-alerts/{alert.pk}/close",
        {"outcome": ""},
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "outcome"
    r = client.post(
        f"/api/portal/symptom-alerts/{alert.pk}/close",
        {"outcome": "advice", "note": "전화 상담"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "closed"
    assert (
        client.post(f"/api/portal/symptom-alerts/{alert.pk + 999}/acknowledge").status_code == 404
    )


def test_a_portal_session_has_no_api_access(portal_client):
    _alert()
    client = portal_client("minjun")
    assert client.get("/api/portal/symptom-alerts").status_code == 401
