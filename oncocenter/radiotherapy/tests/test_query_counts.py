"""The radiotherapy pages and the home pages that show its worklists run the same number of
queries with N and with 10N courses in every worklist state (no query per row)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from oncocenter.patients.tests.factories import PatientFactory
from oncocenter.radiotherapy import services as s
from oncocenter.radiotherapy.models import Course
from oncocenter.radiotherapy.tests.factories import World, make_world, past

pytestmark = pytest.mark.django_db

ROLES = (
    "radiation_oncologist",
    "medical_physicist",
    "radiation_therapist",
    "scheduler",
    "dosimetrist",
    "nurse",
)


def _unit(base: World) -> None:
    """One patient with a course in each worklist state (to sign, to approve, checks due,
    running with skipped days, a weekly review due)."""
    w = World(**{**base.__dict__, "patient": PatientFactory(), "course": None})
    # Running IMRT course, delivered with gaps: weekly review, weekly check, interruption.
    w.make_course(label="Running")
    w.ready(technique="IMRT", number_of_fractions=10)
    fractions = w.schedule()
    for n, days_ago in enumerate((20, 17, 12)):
        w.deliver(fractions[n], past(days_ago))
    # Draft prescription: to sign.
    w.make_course(label="Draft")
    w.make_rx()
    # Signed prescription with a draft plan: to approve.
    w.make_course(label="Plan")
    w.make_rx()
    s.prescription_sign(prescription=w.rx, by=w.ro)
    w.make_plan()
    # Approved IMRT plan without checks: initial physics check and PSQA due.
    w.make_course(label="Approved")
    w.make_rx(technique="IMRT")
    s.prescription_sign(prescription=w.rx, by=w.ro)
    w.make_plan()
    s.plan_approve(plan=w.plan, by=w.ro)


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def _pages(client_as, course_pk: int) -> dict[tuple[str, str], int]:
    counts = {}
    for role in ROLES:
        client = client_as(role)
        counts[(role, "home")] = _count(client, reverse("core:home"))
    ro = client_as("radiation_oncologist")
    if connection.vendor != "postgresql":
        # On PostgreSQL this page's audit event overflows object_id (varchar 64) until issue
        # 17's fix is merged; drop this condition then.
        counts[("ro", "rt-index")] = _count(ro, reverse("radiotherapy:index"))
    counts[("ro", "course")] = _count(ro, reverse("radiotherapy:course", args=[course_pk]))
    return counts


def test_home_pages_and_worklists_do_not_grow_with_courses(client_as):
    base = make_world()
    _unit(base)
    running = Course.objects.get(label="Running")
    small = _pages(client_as, running.pk)
    for _ in range(9):
        _unit(base)
    assert Course.objects.count() == 40
    large = _pages(client_as, running.pk)
    assert large == small


def _organs(n: int) -> list[dict[str, str]]:
    return [
        {"organ": f"Organ {i}", "metric": metric, "value": "10", "unit": "Gy"}
        for i in range(n)
        for metric in ("Dmax", "Dmean")
    ]


def test_course_page_does_not_grow_with_organ_doses_and_costs_a_bounded_amount_per_plan(
    client_as,
):
    """The course page read organ doses and constraints again per plan and per metric: now they
    are prefetched once (a one-plan course of the full demo: 66 -> 47 queries). What is left
    per plan, 9 queries, is its readiness, signatures, overrides and prior courses' doses (a
    course has one to three plans)."""
    w = make_world()
    w.make_course()
    w.make_rx()
    s.prescription_sign(prescription=w.rx, by=w.ro)
    w.make_plan()
    s.plan_set_organ_doses(plan=w.plan, by=w.dosimetrist, doses=_organs(2))
    ro = client_as("radiation_oncologist")
    url = reverse("radiotherapy:course", args=[w.course.pk])
    few = _count(ro, url)
    s.plan_set_organ_doses(plan=w.plan, by=w.dosimetrist, doses=_organs(20))
    assert _count(ro, url) == few
    for n in range(2, 5):
        w.make_plan(label=f"PLAN{n}")
        s.plan_set_organ_doses(plan=w.plan, by=w.dosimetrist, doses=_organs(20))
    four = _count(ro, url)
    assert (four - few) / 3 <= 9, (few, four)
