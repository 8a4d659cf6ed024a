"""Pages: allow and deny per permission, bad input shown beside the field, nothing saved."""

import pytest
from django.urls import reverse

from oncocenter.pediatrics.tests.factories import staff

pytestmark = pytest.mark.django_db


def test_aid_grant_above_request_form_message(world, client_as):
    from oncocenter.aid import services

    a = world["application"]
    services.aid_application_transition(by=staff(), application=a, to_status="submitted")
    services.aid_application_transition(by=staff(), application=a, to_status="under_review")
    c = client_as("social_worker")
    r = c.post(
        reverse("aid:transition", args=[a.pk]),
        {"to_status": "granted", "amount_granted": "2000000"},
    )
    assert r.status_code == 422 and 'data-field="amount_granted"' in r.content.decode()
    a.refresh_from_db()
    assert a.status == "under_review" and a.amount_granted is None
    r = c.post(
        reverse("aid:transition", args=[a.pk]),
        {"to_status": "granted", "amount_granted": "900000"},
    )
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.status == "granted"
