"""Demo schedule: QA windows, bookings for the demo RT courses on the six LINACs, one outage.

Runs after the radiotherapy demo (INSTALLED_APPS order) and goes through the services, so the
demo schedule obeys the same rules as real use. Two children under sedation get courses of their
own so the board shows the first-slot rule.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone

from oncocenter.accounts.services import credential_is_current
from oncocenter.core.errors import DomainError
from oncocenter.machines import services as machine_services
from oncocenter.radiotherapy import services as rt
from oncocenter.radiotherapy.models import (
    ChecklistKind,
    Course,
    CourseStatus,
    FractionStatus,
    PrescriptionStatus,
)
from oncocenter.radiotherapy.selectors import checklist
from oncocenter.scheduling import adapter, selectors, services
from oncocenter.scheduling.models import Booking, BookingStatus

PEDIATRIC = [
    ("Medulloblastoma, craniospinal", "IMRT", "1.8", 18),
    ("Rhabdomyosarcoma, orbit", "IMRT", "1.8", 14),
]


def _credentialed(users: list, role: str) -> list:
    """Demo staff include people with a lapsed credential; they must not sign."""
    kinds = {
        "radiation_oncologist": rt.RO_CREDENTIALS,
        "medical_physicist": rt.PHYSICIST_CREDENTIALS,
        "radiation_therapist": rt.THERAPIST_CREDENTIALS,
    }.get(role)
    return [u for u in users if kinds is None or credential_is_current(user=u, kinds=kinds)]


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=adapter.center_tz())


def _pediatric_course(ctx: Any, patient: Any, template: tuple, staff: dict[str, list]) -> Course:
    site, technique, dose, n = template
    ro, dosimetrist = staff["radiation_oncologist"][0], staff["dosimetrist"][0]
    physicist, qa_physicist = staff["medical_physicist"][0], staff["medical_physicist"][-1]
    course = rt.course_create(patient=patient, label=site, intent="curative", physician=ro, by=ro)
    rx = rt.prescription_create(
        course=course,
        by=ro,
        **{
            "site": site,
            "technique": technique,
            "dose_per_fraction_gy": dose,
            "number_of_fractions": n,
            "pattern": "daily",
            "intent": "curative",
            "energy": "6 MV",
            "no_diagnosis_reason": "diagnosis on file at the referring children's hospital",
        },
    )
    rt.prescription_sign(prescription=rx, by=ro)
    machine = next(m for m in ctx.machines if m.kind == "linac" and m.can_deliver(technique))
    plan = rt.plan_create(
        prescription=rx,
        by=dosimetrist,
        label=f"PED{course.pk}",
        machine=machine,
        fractions_planned=n,
        dose_per_fraction_gy=rx.dose_per_fraction_gy,
        meterset_per_fraction=Decimal("240"),
    )
    rt.plan_approve(plan=plan, by=ro)
    rt.psqa_record(plan=plan, by=qa_physicist, method="ArcCHECK gamma 3%/2 mm", passing_rate_pct=98)
    rt.physics_check_record(
        plan=plan,
        by=physicist,
        results={i.code: "pass" for i in checklist(ChecklistKind.INITIAL)},
    )
    return course


def seed(ctx: Any) -> None:
    staff = {role: _credentialed(users, role) for role, users in ctx.staff.items()}
    if not staff.get("scheduler") or not staff.get("medical_physicist"):
        return
    scheduler, physicist = staff["scheduler"][0], staff["medical_physicist"][0]
    therapist = (staff.get("radiation_therapist") or [scheduler])[0]
    linacs = [m for m in ctx.machines if m.kind == "linac" and m.in_service]
    if not linacs:
        return
    counts: dict[str, Any] = {}
    today = timezone.localdate()
    first_day = adapter.open_day_on_or_after(today + dt.timedelta(days=1))

    # Monthly QA windows in the evening, one machine per open day over the next two weeks.
    day = first_day
    for m in linacs:
        day = adapter.add_open_days(day, 2)
        machine_services.qa_window_plan(
            machine=m,
            start=_at(day, 18),
            end=_at(day, 20),
            reason="Monthly QA (TG-142)",
            by=physicist,
        )
    counts["qa_windows"] = len(linacs)

    # Two children under sedation (first slot of the day).
    children = list(ctx.patients_by_center.get("pediatric", []))[:2]
    requests = []
    if staff.get("radiation_oncologist") and staff.get("dosimetrist"):
        for patient, template in zip(children, PEDIATRIC, strict=False):
            course = _pediatric_course(ctx, patient, template, staff)
            requests.append(services.BookingRequest(course, anesthesia=True))

    # Every open demo course with a signed, physics-checked prescription and unbooked sessions.
    booked = Booking.objects.filter(
        prescription__course=OuterRef("pk"), status=BookingStatus.BOOKED
    )
    courses = (
        Course.objects.filter(
            status__in=[CourseStatus.PLANNED, CourseStatus.ACTIVE],
            prescriptions__status=PrescriptionStatus.SIGNED,
            prescriptions__fractions__status=FractionStatus.SCHEDULED,
        )
        .exclude(prescriptions__status=PrescriptionStatus.DRAFT)
        .filter(~Exists(booked))
        .select_related("patient")
        .distinct()
        .order_by("pk")
    )
    for course in courses:
        if all(r.course.pk != course.pk for r in requests):
            rx_ok = all(
                selectors.physics_done_at(rx) is not None
                for rx in course.prescriptions.filter(status=PrescriptionStatus.SIGNED)
            )
            if rx_ok:
                requests.append(services.BookingRequest(course))
    booked_courses = 0
    # One solve per course, as a scheduler books them: the exact model (small instances) places
    # each course at its best steady time; one solve for all would use the decomposed model.
    for r in requests:
        try:
            services.courses_book(requests=[r], by=scheduler, time_limit=2.0)
            booked_courses += 1
        except DomainError as exc:  # a demo course the rules refuse stays unbooked
            counts.setdefault("refused", []).append(f"course {r.course.pk}: {exc.message}")
    counts["courses_booked"] = booked_courses
    counts["bookings"] = Booking.objects.filter(status=BookingStatus.BOOKED).count()

    # One unplanned outage on the busiest machine of the first treatment day.
    begin, end = _at(first_day, 0), _at(first_day + dt.timedelta(days=1), 0)
    busiest = max(
        linacs,
        key=lambda m: Booking.objects.filter(
            machine=m, status=BookingStatus.BOOKED, start__gte=begin, start__lt=end
        ).count(),
    )
    result = services.outage_report(
        machine=busiest,
        start=_at(first_day, 8),
        end=_at(first_day, 12),
        reason="Magnetron fault: service engineer called",
        by=therapist,
        now=_at(first_day, 7, 30),
    )
    counts["outage"] = {"machine": busiest.code, **result.outage.rebook_summary}
    ctx.counts["scheduling"] = counts
