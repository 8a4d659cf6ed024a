"""Reads of the hospital school: admissions seen from the school, pupils, yearly counts."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from oncocenter.clinics.models import Admission, AdmissionStatus
from oncocenter.patients.models import Patient
from oncocenter.school.models import AttendanceStatus, SchoolAttendance, SchoolEnrollment


def admitted_on(patient: Patient, on: dt.date) -> bool:
    """Whether the child was an inpatient on that day (clinics admissions)."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(on, dt.time.min, tzinfo=tz)
    end = start + dt.timedelta(days=1)
    return (
        Admission.objects.filter(patient=patient, admitted_at__lt=end)
        .filter(Q(discharged_at__isnull=True) | Q(discharged_at__gte=start))
        .exclude(status=AdmissionStatus.ENTERED_IN_ERROR)
        .exists()
    )


def open_enrollments() -> QuerySet[SchoolEnrollment]:
    return (
        SchoolEnrollment.objects.filter(ended_on__isnull=True)
        .select_related("patient", "school_class")
        .order_by("school_class__name", "patient__name_ko")
    )


def pupils_of(teacher_id: int | None, limit: int = 30) -> list[SchoolEnrollment]:
    """Open enrollments in the classes a teacher is in charge of."""
    return list(
        SchoolEnrollment.objects.filter(
            ended_on__isnull=True, school_class__teacher_id=teacher_id
        ).select_related("patient", "school_class")[:limit]
    )


def children_enrolled_per_year(years: list[int], until: dt.date) -> list[int]:
    """Children who started in the hospital school, per calendar year (for the reports)."""
    return [
        SchoolEnrollment.objects.filter(enrolled_on__year=y).values("patient").distinct().count()
        for y in years
    ]


def days_present_per_year(years: list[int], until: dt.date) -> list[int]:
    return [
        SchoolAttendance.objects.filter(on__year=y, status=AttendanceStatus.PRESENT).count()
        for y in years
    ]
