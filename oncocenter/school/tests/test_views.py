"""Pages: allow and deny per permission, bad input shown beside the field, nothing saved."""

import pytest
from django.urls import reverse

from oncocenter.school.models import SchoolEnrollment

pytestmark = pytest.mark.django_db


def test_school_enroll_unknown_mrn_named(world, client_as):
    c = client_as("hospital_school_teacher")
    before = SchoolEnrollment.objects.count()
    r = c.post(
        reverse("school:enroll"),
        {"mrn": "0000000", "school_class": world["class"].pk, "enrolled_on": "2026-02-01"},
    )
    assert r.status_code == 422 and 'data-field="mrn"' in r.content.decode()
    assert SchoolEnrollment.objects.count() == before
