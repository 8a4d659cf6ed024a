"""Staff API releasing results and discharge summaries to the portal: allow and deny per role,
bad input named by field (4xx, never 500), conflicts, and portal sessions shut out."""

from __future__ import annotations

import pytest

from oncocenter.core.permissions import roles_with
from oncocenter.core.roles import Role
from oncocenter.portal.models import DocumentRelease, ResultRelease
from oncocenter.portal.tests.factories import adult_with_account
from oncocenter.portal.tests.test_discharge import _stay
from oncocenter.portal.tests.test_results import _result

pytestmark = pytest.mark.django_db

JSON = "application/json"


@pytest.mark.parametrize("role", sorted(Role.values))
def test_result_release_api_by_role(api_as, role):
    portal = adult_with_account(f"api_{role}")
    hb = _result(portal.patient, "718-7", "9.1", "g/dL")
    client = api_as(role)
    url = f"/api/portal/patients/{portal.patient.pk}/result-releases"
    allowed = role in roles_with("portal.release_results")
    r = client.post(url, {"result_ids": [hb.pk], "note": "괜찮아요"}, content_type=JSON)
    if allowed:
        assert r.status_code == 201, r.content
        assert r.json()[0]["result_id"] == hb.pk
        listed = client.get(url)
        assert listed.status_code == 200 and [x["result_id"] for x in listed.json()] == [hb.pk]
        assert client.post(url, {"result_ids": [hb.pk]}, content_type=JSON).status_code == 409
    else:
        assert r.status_code == 403
        assert client.get(url).status_code == 403
        assert not ResultRelease.objects.exists()


@pytest.mark.parametrize("role", sorted(Role.values))
def test_discharge_release_api_by_role(api_as, role):
    portal = adult_with_account(f"apid_{role}")
    stay = _stay(portal.patient)
    client = api_as(role)
    url = f"/api/portal/admissions/{stay.pk}/discharge-summary/release"
    r = client.post(url, {"note": "물 많이 드세요"}, content_type=JSON)
    if role in roles_with("portal.release_results"):
        assert r.status_code == 201, r.content
        assert r.json()["admission_id"] == stay.pk and r.json()["kind"] == "discharge"
        listed = client.get(f"/api/portal/patients/{portal.patient.pk}/document-releases")
        assert listed.status_code == 200 and len(listed.json()) == 1
        assert client.post(url, {}, content_type=JSON).status_code == 409
    else:
        assert r.status_code == 403
        assert not DocumentRelease.objects.exists()


def test_release_api_bad_input_is_4xx(api_as):
    portal = adult_with_account("api_bad")
    other = adult_with_account("api_bad2")
    theirs = _result(other.patient, "718-7", "13.0", "g/dL")
    client = api_as("medical_oncologist")
    url = f"/api/portal/patients/{portal.patient.pk}/result-releases"
    empty = client.post(url, {"result_ids": []}, content_type=JSON)
    assert empty.status_code == 422 and "results" in empty.content.decode()
    foreign = client.post(url, {"result_ids": [theirs.pk]}, content_type=JSON)
    assert foreign.status_code == 422
    assert client.post(url, {"result_ids": ["x"]}, content_type=JSON).status_code == 422
    assert client.post(url, "not json", content_type=JSON).status_code in (400, 422)
    assert (
        client.post(
            "/api/portal/patients/999999/result-releases", {"result_ids": [1]}, content_type=JSON
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/api/portal/admissions/999999/discharge-summary/release", {}, content_type=JSON
        ).status_code
        == 404
    )
    open_stay = _stay(portal.patient, discharged=False)
    r = client.post(
        f"/api/portal/admissions/{open_stay.pk}/discharge-summary/release", {}, content_type=JSON
    )
    assert r.status_code == 409
    long = client.post(
        f"/api/portal/admissions/{_stay(other.patient, code='W9').pk}/discharge-summary/release",
        {"note": "x" * 1001},
        content_type=JSON,
    )
    assert long.status_code == 422 and "note" in long.content.decode()


def test_portal_session_has_no_release_api(portal_client):
    portal = adult_with_account("api_portal")
    hb = _result(portal.patient, "718-7", "9.1", "g/dL")
    client = portal_client("api_portal")
    r = client.post(
        f"/api/portal/patients/{portal.patient.pk}/result-releases",
        {"result_ids": [hb.pk]},
        content_type=JSON,
    )
    assert r.status_code in (401, 403)
    assert not ResultRelease.objects.exists()
