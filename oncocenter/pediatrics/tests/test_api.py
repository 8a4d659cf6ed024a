"""API: allow/deny per endpoint, problem JSON naming the field, nothing saved on bad input."""

import json

import pytest

from oncocenter.core.permissions import roles_with
from oncocenter.core.roles import Role
from oncocenter.pediatrics.models import HSCTEpisode

pytestmark = pytest.mark.django_db


ALL_ROLES = sorted(str(r) for r in Role)


def _post(c, url, data, method="post"):
    return getattr(c, method)(url, data=json.dumps(data), content_type="application/json")


def _gets(w):
    m = w["mrn"]
    return [
        (f"/api/support/patients/{m}/pediatric", "pediatric.view"),
        (f"/api/support/patients/{m}/hsct", "hsct.view"),
        (f"/api/support/hsct/{w['episode'].pk}/day?on=2026-04-09", "hsct.view"),
        ("/api/support/school/classes", "school.view"),
        (f"/api/support/patients/{m}/school", "school.view"),
        ("/api/support/aid/organisations", "aid.view"),
        (f"/api/support/patients/{m}/aid", "aid.view"),
        ("/api/support/shelter/rooms", "shelter.view"),
        ("/api/support/shelter/waitlist", "shelter.view"),
        (f"/api/support/patients/{m}/palliative", "palliative.view"),
        ("/api/support/social/caseload", "socialwork.view"),
        ("/api/support/reports/cases-by-iccc", "pediatric.reports"),
        ("/api/support/reports/service-use", "pediatric.reports"),
    ]


def test_every_get_endpoint_allow_and_deny(world, api_as):
    clients = {role: api_as(role) for role in ALL_ROLES}
    for url, perm in _gets(world):
        allowed = roles_with(perm)
        for role in ALL_ROLES:
            status = clients[role].get(url).status_code
            assert status == (200 if role in allowed else 403), f"{role} {url}: {status}"


def test_write_endpoints_deny_roles_without_permission(world, api_as):
    w = world
    cases = [
        (
            f"/api/support/patients/{w['mrn']}/hsct",
            {"indication": "x", "donor_type": "autologous"},
            "hospital_school_teacher",
        ),
        (
            f"/api/support/patients/{w['mrn']}/measurements",
            {"measured_on": "2026-01-01", "height": 120, "weight": 20},
            "social_worker",
        ),
        (
            f"/api/support/patients/{w['mrn']}/aid",
            {"organisation_id": w["org"].pk, "need": "transport", "amount_requested": 1},
            "hospital_school_teacher",
        ),
        (
            "/api/support/shelter/stays",
            {"room_id": w["room"].pk, "mrn": w["mrn"], "guests": 1, "check_in": "2027-01-01"},
            "hospital_school_teacher",
        ),
        (
            f"/api/support/patients/{w['mrn']}/school/enrollments",
            {"school_class_id": w["class"].pk, "enrolled_on": "2026-02-01"},
            "social_worker",
        ),
        (
            f"/api/support/patients/{w['mrn']}/palliative",
            {"referred_on": "2026-02-01", "reason": "x"},
            "hospital_school_teacher",
        ),
        (
            f"/api/support/social/cases/{w['case'].pk}/interventions",
            {"domain": "housing", "description": "x", "started_on": "2026-01-05"},
            "nurse",
        ),
    ]
    for url, body, role in cases:
        assert _post(api_as(role), url, body).status_code == 403, url


def test_hsct_create_day_view_and_engraftment_before_day0(world, api_as):
    c = api_as("pediatric_oncologist")
    url = f"/api/support/patients/{world['mrn']}/hsct"
    before = HSCTEpisode.objects.count()
    r = _post(
        c,
        url,
        {
            "indication": "AML",
            "donor_type": "cord_blood",
            "hla_match": "5/8",
            "day0": "2026-05-01",
            "neutrophil_engraftment_on": "2026-04-30",
        },
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "neutrophil_engraftment_on"
    assert HSCTEpisode.objects.count() == before
    r = _post(
        c,
        url,
        {
            "indication": "AML",
            "donor_type": "cord_blood",
            "hla_match": "5/8",
            "day0": "2026-05-01",
            "status": "infused",
        },
    )
    assert r.status_code == 201
    pk = r.json()["id"]
    r = _post(
        c,
        f"/api/support/hsct/{pk}",
        {"neutrophil_engraftment_on": "2026-05-20", "status": "engrafted"},
        method="patch",
    )
    assert r.status_code == 200 and r.json()["status"] == "engrafted"
    assert (
        _post(
            c,
            f"/api/support/hsct/{pk}/gvhd",
            {"kind": "acute", "organ": "skin", "stage": 3, "observed_on": "2026-05-25"},
        ).status_code
        == 201
    )
    day = c.get(f"/api/support/hsct/{pk}/day?on=2026-05-31").json()
    assert (
        day["label"] == "day +30" and day["engraftment_day"] == 19 and day["acute_gvhd_grade"] == 2
    )
    assert c.get(f"/api/support/hsct/{pk}/day?on=tomorrow").status_code == 422


def test_measurement_api_returns_bsa_and_warnings(world, api_as):
    c = api_as("nurse")
    r = _post(
        c,
        f"/api/support/patients/{world['mrn']}/measurements",
        {"measured_on": "2026-01-05", "height": 1.2, "weight": 22},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "height_cm"
    r = _post(
        c,
        f"/api/support/patients/{world['mrn']}/measurements",
        {"measured_on": "2026-01-05", "height": 170, "weight": 60},
    )
    assert r.status_code == 201 and r.json()["bsa_m2"] == "1.68" and r.json()["warnings"]
    r = _post(
        c,
        f"/api/support/patients/{world['mrn']}/sedation",
        {"sedation_required": True},
        method="put",
    )
    assert r.json()["sedation_required"] is True
    body = c.get(f"/api/support/patients/{world['mrn']}/pediatric").json()
    assert body["latest_measurement"]["measured_on"] == "2026-01-05"


def test_school_palliative_social_api(world, api_as):
    t = api_as("hospital_school_teacher")
    e = world["enrollment"]
    assert (
        _post(
            t,
            f"/api/support/school/enrollments/{e.pk}/attendance",
            {"on": "2026-01-06", "status": "present", "during_admission": True, "minutes": 30},
        ).status_code
        == 201
    )
    assert (
        t.get(f"/api/support/patients/{world['mrn']}/school").json()[0][
            "days_present_during_admission"
        ]
        == 1
    )
    r = _post(
        t, f"/api/support/school/enrollments/{e.pk}/return-plan", {"status": "shared"}, method="put"
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "school_contact"
    p = api_as("palliative_care")
    r = _post(
        p, f"/api/support/palliative/{world['referral'].pk}", {"status": "declined"}, method="patch"
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "decline_reason"
    sw = api_as(user=world["social_worker"])
    r = _post(
        sw,
        f"/api/support/social/cases/{world['case'].pk}/assessments",
        {"assessed_on": "2026-01-03", "levels": {"financial": "high"}},
    )
    assert r.status_code == 201
    assert sw.get("/api/support/social/caseload").json()[0]["open_cases"] == 1


def test_hsct_detail_guardian_and_case_close_api(world, api_as):
    from oncocenter.patients.models_record import Guardian

    c = api_as("pediatric_oncologist")
    ep = world["episode"]
    assert (
        _post(
            c,
            f"/api/support/hsct/{ep.pk}/complications",
            {"kind": "cmv", "onset_on": "2026-03-20", "grade": 2},
        ).status_code
        == 201
    )
    body = c.get(f"/api/support/hsct/{ep.pk}").json()
    assert body["complications"][0]["kind"] == "cmv" and body["gvhd"] == []
    assert api_as("social_worker").get(f"/api/support/hsct/{ep.pk}").status_code == 403
    url = f"/api/support/patients/{world['mrn']}/guardians"
    r = _post(c, url, {"name_ko": "한형", "relationship": "sibling", "birth_date": "2012-05-05"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "birth_date"
    assert not Guardian.objects.exists()
    assert (
        _post(
            c, url, {"name_ko": "한아빠", "relationship": "father", "birth_date": "1980-05-05"}
        ).status_code
        == 201
    )
    assert (
        _post(
            api_as("hospital_school_teacher"),
            url,
            {"name_ko": "한아빠", "relationship": "father", "birth_date": "1980-05-05"},
        ).status_code
        == 403
    )
    sw = api_as(user=world["social_worker"])
    r = _post(
        sw, f"/api/support/social/cases/{world['case'].pk}/close", {"closed_on": "2025-01-01"}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "closed_on"
    assert (
        _post(
            sw, f"/api/support/social/cases/{world['case'].pk}/close", {"closed_on": "2026-05-01"}
        ).status_code
        == 200
    )
