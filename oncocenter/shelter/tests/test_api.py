"""API: allow/deny per endpoint, problem JSON naming the field, nothing saved on bad input."""

import json

import pytest

from oncocenter.shelter.models import ShelterStay

pytestmark = pytest.mark.django_db


def _post(c, url, data, method="post"):
    return getattr(c, method)(url, data=json.dumps(data), content_type="application/json")


def test_unauthenticated_is_401(world, client):
    assert client.get("/api/support/shelter/rooms").status_code == 401


def test_shelter_api_overlap_is_409_and_bad_dates_422(world, api_as):
    c = api_as("social_worker")
    before = ShelterStay.objects.count()
    r = _post(
        c,
        "/api/support/shelter/stays",
        {"room_id": world["room"].pk, "mrn": world["mrn"], "guests": 1, "check_in": "2026-03-01"},
    )
    assert r.status_code == 409 and r.json()["errors"][0]["field"] == "check_in"
    r = _post(
        c,
        "/api/support/shelter/stays",
        {
            "room_id": world["room"].pk,
            "mrn": world["mrn"],
            "guests": 1,
            "check_in": "2025-03-01",
            "check_out": "2025-02-01",
        },
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "check_out"
    assert ShelterStay.objects.count() == before
    r = _post(
        c, f"/api/support/shelter/stays/{world['stay'].pk}/check-out", {"check_out": "2026-01-20"}
    )
    assert r.status_code == 200 and r.json()["status"] == "checked_out"
    ranked = c.get("/api/support/shelter/waitlist").json()
    assert ranked[0]["rank"] == 1 and len(ranked[0]["reasons"]) == 3
