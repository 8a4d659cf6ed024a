"""The lists, worklists and home panels of the pediatric services run the same number of queries
with N and 10N rows (issue 18): the HSCT worklist, the pediatric reports, the aid, school,
shelter, social work and palliative care pages, a family's aid summary and the home page of each
role with a pediatric panel. Each page is seeded with rows that show everything it lists (open
and closed, with their children, classes, rooms and attendance)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.aid import services as aid
from oncocenter.aid.tests.factories import AidOrganisationFactory
from oncocenter.palliative import services as palliative
from oncocenter.pediatrics import services as pediatrics
from oncocenter.pediatrics.tests.factories import ChildFactory, HSCTEpisodeFactory
from oncocenter.school import services as school
from oncocenter.school.tests.factories import SchoolClassFactory
from oncocenter.shelter import services as shelter
from oncocenter.shelter.tests.factories import ShelterRoomFactory
from oncocenter.socialwork import services as socialwork

pytestmark = pytest.mark.django_db

REQUIRED_DOCS = [
    "application_form",
    "medical_certificate",
    "cost_estimate",
    "family_relation",
    "income_proof",
    "privacy_consent",
]
_days = itertools.count(1)


def _ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def _flat(client, url: str, add, n: int = 2) -> tuple[int, int]:
    """The page's query count after N rows and after 10N rows: they must be equal."""
    add(n)
    small = _count(client, url)
    add(9 * n)
    large = _count(client, url)
    assert large == small, (url, small, large)
    return small, large


def _staff():
    return UserFactory(roles=["pediatric_oncologist"])


# ---------------------------------------------------------------------------- pediatrics
def _episodes(n: int) -> None:
    by = _staff()
    for _ in range(n):
        episode = HSCTEpisodeFactory(day0=_ago(20))
        pediatrics.gvhd_entry_add(
            episode=episode, by=by, kind="acute", organ="skin", stage=1, observed_on=_ago(5)
        )


def test_hsct_worklist(client_as):
    _flat(client_as("pediatric_oncologist"), reverse("pediatrics:hsct"), _episodes)


def test_hsct_home_panel(client_as):
    _flat(client_as("pediatric_oncologist"), reverse("core:home"), _episodes)


def test_pediatric_reports(client_as):
    def add(n: int) -> None:
        _episodes(n)
        for _ in range(n):
            pediatrics.measurement_record(
                patient=ChildFactory(), by=_staff(), measured_on=_ago(3), height=120, weight=25
            )

    _flat(client_as("pediatric_oncologist"), reverse("pediatrics:reports"), add)


# ---------------------------------------------------------------------------- aid
def _applications(n: int, child=None) -> None:
    by = _staff()
    for _ in range(n):
        application = aid.aid_application_create(
            patient=child or ChildFactory(),
            by=by,
            organisation=AidOrganisationFactory(),
            need="medical_costs",
            amount_requested=1_000_000,
            documents=REQUIRED_DOCS,
        )
        aid.aid_application_transition(application=application, by=by, to_status="submitted")


def test_aid_page(client_as):
    _flat(client_as("social_worker"), reverse("aid:index"), _applications)


def test_family_aid_summary(client_as):
    child = ChildFactory()
    _flat(
        client_as("social_worker"),
        reverse("aid:family", args=[child.mrn]),
        lambda n: _applications(n, child),
    )


# ---------------------------------------------------------------------------- school
def _enrollments(n: int) -> None:
    by = _staff()
    for _ in range(n):
        enrollment = school.school_enroll(
            patient=ChildFactory(), by=by, school_class=SchoolClassFactory(), enrolled_on=_ago(30)
        )
        school.school_attendance_record(
            enrollment=enrollment, by=by, on=_ago(2), status="present", minutes=60
        )


def test_school_page(client_as):
    _flat(client_as("hospital_school_teacher"), reverse("school:index"), _enrollments)


def test_teacher_home_panel(client_as):
    _flat(client_as("hospital_school_teacher"), reverse("core:home"), _enrollments)


# ---------------------------------------------------------------------------- shelter
def _families(n: int) -> None:
    by = _staff()
    for _ in range(n):
        shelter.shelter_check_in(
            room=ShelterRoomFactory(), patient=ChildFactory(), by=by, guests=2, check_in=_ago(3)
        )
        ShelterRoomFactory()  # a free room
        shelter.waitlist_add(
            patient=ChildFactory(),
            by=by,
            requested_on=_ago(next(_days) % 20 + 1),
            distance_km=200,
            financial_need="high",
            treatment_intensity="hsct",
        )


def test_shelter_page(client_as):
    _flat(client_as("social_worker"), reverse("shelter:index"), _families)


def test_shelter_home_panel(client_as):
    _flat(client_as("social_worker"), reverse("core:home"), _families)


# ---------------------------------------------------------------------------- social work
def test_social_work_page(client_as):
    client = client_as("social_worker")

    def add(n: int) -> None:
        for _ in range(n):
            for worker in (client.user, UserFactory(roles=["social_worker"])):
                case = socialwork.social_case_open(
                    patient=ChildFactory(), by=worker, social_worker=worker, opened_on=_ago(10)
                )
                socialwork.intervention_add(
                    case=case,
                    by=worker,
                    domain="financial",
                    description="Aid",
                    started_on=_ago(9),
                )

    _flat(client, reverse("socialwork:index"), add)


# ---------------------------------------------------------------------------- palliative care
def _referrals(n: int) -> None:
    by = _staff()
    for _ in range(n):
        palliative.palliative_refer(
            patient=ChildFactory(), by=by, referred_on=_ago(4), reason="Relapse"
        )


def test_palliative_page(client_as):
    _flat(client_as("palliative_care"), reverse("palliative:index"), _referrals)


def test_palliative_home_panel(client_as):
    _flat(client_as("palliative_care"), reverse("core:home"), _referrals)
