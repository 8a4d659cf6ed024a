"""Factories for clinics: a physician's template with generated future sessions, wards, beds."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.clinics import calendar as clinic_calendar
from oncocenter.clinics.models import Bed, ClinicSession, Ward
from oncocenter.clinics.services import clinic_sessions_generate, clinic_template_create
from oncocenter.patients.models import Center


def next_open_day(after_days: int = 2) -> dt.date:
    day = timezone.localdate() + dt.timedelta(days=after_days)
    while not clinic_calendar.is_open_day(day):
        day += dt.timedelta(days=1)
    return day


def make_session(
    *,
    slots: int = 4,
    slot_minutes: int = 15,
    physician=None,
    center_code: str = "esophageal",
    day: dt.date | None = None,
    types=("new", "follow-up", "on-treatment"),
) -> ClinicSession:
    """An open session with `slots` slots on the next open weekday (at least 2 days ahead)."""
    day = day or next_open_day()
    physician = physician or UserFactory(roles=["surgeon"])
    start = dt.time(9, 0)
    end = (dt.datetime.combine(day, start) + dt.timedelta(minutes=slots * slot_minutes)).time()
    template = clinic_template_create(
        by=physician,
        physician=physician,
        center=Center.objects.get(code=center_code),
        name="Esophageal clinic",
        weekday=day.weekday(),
        start_time=start,
        end_time=end,
        slot_minutes=slot_minutes,
        appointment_types=list(types),
    )
    clinic_sessions_generate(by=physician, template=template, start=day, end=day)
    return ClinicSession.objects.get(template=template, date=day)


def make_ward(*, beds: int = 3, code: str = "W5") -> Ward:
    ward = Ward.objects.create(
        code=code, name=f"Ward {code}", center=Center.objects.get(code="esophageal")
    )
    Bed.objects.bulk_create(Bed(ward=ward, code=f"{i + 1:02d}") for i in range(beds))
    return ward
