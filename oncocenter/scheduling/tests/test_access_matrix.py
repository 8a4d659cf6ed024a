"""Every role against every scheduling page and read endpoint: allowed exactly when the permission
table grants the role the permission (403 otherwise, never a 500)."""

import datetime as dt

import pytest
from django.test import Client

from oncocenter.accounts.services import token_issue
from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.core.permissions import roles_with
from oncocenter.core.roles import Role
from oncocenter.scheduling import services
from oncocenter.scheduling.models import Booking
from oncocenter.scheduling.tests.factories import at

pytestmark = pytest.mark.django_db

SURFACE = [
    ("ui", "/scheduling/machines/", "machine.view"),
    ("ui", "/scheduling/machines/{machine}/", "machine.view"),
    ("ui", "/scheduling/board/?date={day}", "schedule.view"),
    ("ui", "/scheduling/outages/new/", "outage.report"),
    ("ui", "/scheduling/outages/{outage}/", "schedule.view"),
    ("ui", "/scheduling/outages/{outage}/notices/", "outage.confirm"),
    ("ui", "/scheduling/courses/{course}/book/", "schedule.book"),
    ("ui", "/scheduling/courses/{course}/bookings/", "schedule.view"),
    ("ui", "/scheduling/patients/{mrn}/appointments/", "schedule.view"),
    ("api", "/api/scheduling/machines", "machine.view"),
    ("api", "/api/scheduling/machines/{machine}/downtime", "machine.view"),
    ("api", "/api/scheduling/board?date={day}", "schedule.view"),
    ("api", "/api/scheduling/outages/{outage}", "schedule.view"),
    ("api", "/api/scheduling/courses/{course}/bookings", "schedule.view"),
    ("api", "/api/scheduling/patients/{mrn}/appointments", "schedule.view"),
]


def test_every_scheduling_view_and_endpoint_for_every_role(w):
    services.course_book(course=w.course, by=w.scheduler)
    first = Booking.objects.filter(prescription=w.rx).order_by("start").first()
    day = first.start.astimezone(at(dt.date.today(), 8).tzinfo).date()
    outage = services.outage_report(
        machine=first.machine,
        start=at(day, 8),
        end=at(day, 12),
        reason="fault",
        by=w.therapist,
        now=at(day, 7),
    ).outage
    values = {
        "machine": first.machine.code,
        "day": day.isoformat(),
        "outage": outage.pk,
        "course": w.course.pk,
        "mrn": w.patient.mrn,
    }
    for role in Role.values:
        user = UserFactory(roles=[role])
        ui = Client()
        ui.force_login(user)
        _token, raw = token_issue(user=user, name="matrix")
        api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        for kind, template, perm in SURFACE:
            url = template.format(**values)
            status = (ui if kind == "ui" else api).get(url).status_code
            expected = 200 if role in roles_with(perm) else 403
            assert status == expected, (role, url, status)
