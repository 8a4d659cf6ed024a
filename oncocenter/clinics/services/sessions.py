"""Clinic templates and the sessions and slots generated from them."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.clinics import calendar as clinic_calendar
from oncocenter.clinics.models import (
    HOLDING,
    AppointmentType,
    CalendarException,
    ClinicSession,
    ClinicTemplate,
    SessionStatus,
    Slot,
)
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.patients.models import Center


def _aware(day: dt.date, at: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, at))


def _calendar_exceptions() -> tuple[set[dt.date], set[dt.date]]:
    closed: set[dt.date] = set()
    opened: set[dt.date] = set()
    for day, is_open in CalendarException.objects.values_list("date", "is_open"):
        (opened if is_open else closed).add(day)
    return closed, opened


def clinic_template_create(
    *,
    by: User,
    physician: User,
    center: Center,
    name: str,
    weekday: int,
    start_time: dt.time,
    end_time: dt.time,
    slot_minutes: int,
    appointment_types: list[str],
    sessions_until: dt.date | None = None,
) -> ClinicTemplate:
    """A physician's weekly clinic: weekday, hours, slot length and the appointment types.

    With `sessions_until`, its sessions from today to that date are generated in the same
    transaction (see `clinic_sessions_generate`)."""
    problems = []
    if not name.strip():
        problems.append(FieldProblem("name", _("is required")))
    if not 0 <= weekday <= 6:
        problems.append(FieldProblem("weekday", _("must be 0 (Monday) to 6 (Sunday)"), weekday))
    if end_time <= start_time:
        problems.append(FieldProblem("end_time", _("must be after the start"), str(end_time)))
    if not 5 <= slot_minutes <= 240:
        problems.append(
            FieldProblem("slot_minutes", _("must be between 5 and 240 minutes"), slot_minutes)
        )
    bad = [t for t in appointment_types if t not in AppointmentType.values]
    if bad or not appointment_types:
        problems.append(
            FieldProblem(
                "appointment_types",
                _("must be a non-empty list of %(types)s")
                % {"types": ", ".join(AppointmentType.values)},
                bad,
            )
        )
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        template = ClinicTemplate.objects.create(
            physician=physician,
            center=center,
            name=name.strip(),
            weekday=weekday,
            start_time=start_time,
            end_time=end_time,
            slot_minutes=slot_minutes,
            appointment_types=list(appointment_types),
        )
        audit_record(action=AuditAction.CREATE, obj=template, detail={"name": template.name})
        if sessions_until is not None:
            clinic_sessions_generate(
                by=by, template=template, start=timezone.localdate(), end=sessions_until
            )
    return template


def clinic_sessions_generate(
    *, by: User, template: ClinicTemplate, start: dt.date, end: dt.date
) -> list[ClinicSession]:
    """Create the template's sessions between two dates (existing ones are kept). Public
    holidays and the center's closed dates give closed sessions that show the reason."""
    if end < start:
        raise ValidationFailed.single("end", _("must be on or after the start"), str(end))
    if (end - start).days > 366:
        raise ValidationFailed.single("end", _("at most one year of sessions at a time"), str(end))
    closed, opened = _calendar_exceptions()
    created = []
    with transaction.atomic():
        existing = set(
            template.sessions.filter(date__range=(start, end)).values_list("date", flat=True)
        )
        slot_times = clinic_calendar.slot_starts(
            template.start_time, template.end_time, template.slot_minutes
        )
        for status in clinic_calendar.session_dates(
            weekday=template.weekday, start=start, end=end, extra_closed=closed, extra_open=opened
        ):
            if status.day in existing:
                continue
            session = ClinicSession.objects.create(
                template=template,
                physician=template.physician,
                date=status.day,
                start_time=template.start_time,
                end_time=template.end_time,
                slot_minutes=template.slot_minutes,
                status=SessionStatus.OPEN if status.is_open else SessionStatus.CLOSED,
                closed_reason="" if status.is_open else status.reason,
            )
            if status.is_open:
                step = dt.timedelta(minutes=template.slot_minutes)
                Slot.objects.bulk_create(
                    Slot(
                        session=session,
                        starts_at=_aware(status.day, t),
                        ends_at=_aware(status.day, t) + step,
                    )
                    for t in slot_times
                )
            created.append(session)
        audit_record(
            action=AuditAction.CREATE,
            obj=template,
            detail={"sessions_generated": len(created), "from": str(start), "to": str(end)},
        )
    return created


def clinic_session_close(*, by: User, session: ClinicSession, reason: str) -> ClinicSession:
    """Close a session; only possible while nobody is booked in it."""
    if not reason.strip():
        raise ValidationFailed.single("reason", _("is required to close a session"))
    with transaction.atomic():
        session = ClinicSession.objects.select_for_update().get(pk=session.pk)
        if session.appointments.filter(status__in=HOLDING).exists():
            raise Conflict(
                _("Cancel or move the booked appointments first."), rule="session_has_bookings"
            )
        session.status = SessionStatus.CLOSED
        session.closed_reason = reason.strip()
        session.save(update_fields=["status", "closed_reason", "updated_at"])
        audit_record(
            action=AuditAction.UPDATE, obj=session, detail={"closed": session.closed_reason}
        )
    return session
