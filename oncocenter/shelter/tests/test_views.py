"""Pages: allow and deny per permission, bad input shown beside the field, nothing saved."""

import pytest
from django.urls import reverse

from oncocenter.audit.models import AuditEvent
from oncocenter.shelter.models import ShelterStay

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(world, client):
    response = client.get(reverse("shelter:index"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_shelter_overlap_and_check_out_before_check_in_forms(world, client_as):
    c = client_as("social_worker")
    before = ShelterStay.objects.count()
    r = c.post(
        reverse("shelter:check-in"),
        {"room": world["room"].pk, "mrn": world["mrn"], "guests": 2, "check_in": "2026-02-01"},
    )
    assert r.status_code == 409 and "already occupied" in r.content.decode()
    r = c.post(
        reverse("shelter:check-in"),
        {
            "room": world["room"].pk,
            "mrn": world["mrn"],
            "guests": 2,
            "check_in": "2025-12-01",
            "check_out": "2025-11-30",
        },
    )
    assert r.status_code == 422 and 'data-field="check_out"' in r.content.decode()
    assert ShelterStay.objects.count() == before


def test_pages_are_translated_to_korean(world, client_as):
    c = client_as("social_worker")
    body = c.get(reverse("shelter:index"), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "가족 쉼터" in body and "대기자 (순위)" in body and "경제적 필요: 높음" in body


def test_list_pages_audit_which_children_were_shown(world, client_as):
    client_as("social_worker").get(reverse("shelter:index"))
    event = AuditEvent.objects.filter(object_type="support.shelter").latest("seq")
    assert (
        world["mrn"] in event.detail["mrns"] and world["entry"].patient.mrn in event.detail["mrns"]
    )


def test_offer_a_room_from_the_waitlist(world, client_as):
    from oncocenter.shelter.models import ShelterWaitlistEntry
    from oncocenter.shelter.tests.factories import ShelterRoomFactory

    entry = world["entry"]
    room = ShelterRoomFactory()
    c = client_as("social_worker")
    page = c.get(reverse("shelter:index"), {"entry": entry.pk}).content.decode()
    assert (
        f'value="{entry.patient.mrn}"' in page
        and f'name="waitlist_entry" value="{entry.pk}"' in page
    )
    r = c.post(
        reverse("shelter:check-in"),
        {
            "room": room.pk,
            "mrn": entry.patient.mrn,
            "guests": 2,
            "check_in": "2026-02-01",
            "waitlist_entry": entry.pk,
        },
    )
    assert r.status_code == 302
    entry.refresh_from_db()
    assert entry.status == "housed" and entry.stay.room == room
    assert not ShelterWaitlistEntry.objects.filter(status="waiting").exists()
