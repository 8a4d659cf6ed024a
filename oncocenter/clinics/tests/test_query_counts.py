"""The clinic pages (sessions of the week, a session's slots, the waitlist, wards, a ward's beds
and bed waitlist) run the same number of queries with N and 10N rows (issue 18)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.clinics import services
from oncocenter.clinics.models import Bed
from oncocenter.clinics.tests.factories import make_session, make_ward, next_open_day
from oncocenter.core.tests.query_counts import assert_flat, count_queries
from oncocenter.patients.models import Center
from oncocenter.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def _book_all(session) -> None:
    by = UserFactory()
    for slot in session.slots.all():
        services.appointment_book(
            by=by, slot=slot, patient=PatientFactory(), appointment_type="follow-up"
        )


def test_sessions_of_the_week(client_as):
    day = next_open_day()

    def add(n: int) -> None:
        for _ in range(n):
            _book_all(make_session(slots=2, day=day))

    url = reverse("clinics:sessions") + f"?week={day.isoformat()}"
    assert_flat(client_as("scheduler"), url, add)


def test_session_slots(client_as):
    # The same page for a session with 2 booked slots and one with 20.
    client = client_as("scheduler")
    counts = []
    for slots in (2, 20):
        session = make_session(slots=slots)
        _book_all(session)
        counts.append(count_queries(client, reverse("clinics:session", args=[session.pk])))
    assert counts[0] == counts[1], counts


def test_waitlist(client_as):
    center = Center.objects.get(code="esophageal")
    by = UserFactory()

    def add(n: int) -> None:
        for i in range(n):
            services.waitlist_add(
                by=by,
                patient=PatientFactory(),
                center=center,
                appointment_type="follow-up",
                urgency=("routine", "urgent")[i % 2],
            )

    assert_flat(client_as("scheduler"), [reverse("clinics:waitlist"), "/"], add)


def _admit_into(ward, n: int) -> None:
    by = UserFactory()
    free = Bed.objects.filter(ward=ward).exclude(admissions__status="admitted")
    for bed in list(free.order_by("code"))[:n]:
        services.admission_admit(
            by=by,
            patient=PatientFactory(),
            ward=ward,
            bed=bed,
            admitted_at=timezone.now() - dt.timedelta(hours=3),
        )


def test_wards(client_as):
    codes = (f"W{i}" for i in itertools.count(10))

    def add(n: int) -> None:
        for _ in range(n):
            _admit_into(make_ward(beds=2, code=next(codes)), 1)

    assert_flat(client_as("nurse"), [reverse("clinics:wards"), "/"], add)


def test_ward_beds_and_bed_waitlist(client_as):
    ward = make_ward(beds=25, code="W9")
    by = UserFactory()

    def add(n: int) -> None:
        _admit_into(ward, n)
        for _ in range(n):
            services.readmission_request_create(
                by=by, patient=PatientFactory(), ward=ward, reason="Fever after chemotherapy"
            )

    assert_flat(client_as("nurse"), reverse("clinics:ward", args=[ward.code]), add)
