"""Treatment sessions: scheduling them, a missed session, the HDR session's details, and the
session date and machine kept equal to the scheduling area's bookings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.core.events import publish
from oncocenter.core.permissions import require, user_roles
from oncocenter.core.roles import Role
from oncocenter.machines.models import Machine, MachineKind, Technique
from oncocenter.radiotherapy import selectors
from oncocenter.radiotherapy.events import FractionMissed
from oncocenter.radiotherapy.models import (
    DELIVERED_STATUSES,
    BrachySession,
    Fraction,
    FractionStatus,
    Plan,
)
from oncocenter.radiotherapy.services._common import _check_machine, _lock_rx


def fractions_schedule(
    *, plan: Plan, by: User, start_date: dt.date, machine: Machine | None = None
) -> list[Fraction]:
    """Create scheduled sessions for the fractions not yet scheduled, on open treatment days."""
    require(by, "rt.schedule")
    machine = machine or plan.machine
    rx = plan.prescription
    _check_machine(machine, rx.technique)
    with transaction.atomic():
        rx = _lock_rx(rx)
        open_sessions = rx.fractions.filter(
            status__in=[FractionStatus.SCHEDULED, *DELIVERED_STATUSES]
        ).count()
        needed = rx.number_of_fractions - open_sessions
        if needed <= 0:
            raise Conflict(
                _("Every fraction already has a session."), rule="fractions_already_scheduled"
            )
        cal = selectors.treatment_calendar()
        days = selectors.session_dates(
            start=start_date, count=needed, pattern=rx.pattern, calendar=cal
        )
        seq = rx.fractions.aggregate(m=Max("sequence"))["m"] or 0
        created = [
            Fraction(
                prescription=rx,
                plan=plan,
                sequence=seq + i + 1,
                scheduled_date=day,
                machine=machine,
            )
            for i, day in enumerate(days)
        ]
        Fraction.objects.bulk_create(created)
        audit_record(
            action=AuditAction.CREATE,
            obj=rx,
            patient=rx.course.patient,
            detail={"sessions_scheduled": len(created), "from": days[0].isoformat()},
        )
    return list(rx.fractions.filter(sequence__gt=seq).order_by("sequence"))


def fraction_mark_missed(*, fraction: Fraction, by: User, reason: str) -> Fraction:
    """A scheduled session did not happen; a replacement session is added after the last one."""
    require(by, "rt.schedule")
    if not reason.strip():
        raise ValidationFailed.single("reason", _("is required"))
    with transaction.atomic():
        rx = _lock_rx(fraction.prescription)
        fraction = Fraction.objects.select_for_update().get(pk=fraction.pk)
        if fraction.status != FractionStatus.SCHEDULED:
            raise Conflict(
                _("Session is %(status)s, not scheduled.")
                % {"status": fraction.get_status_display()},
                rule="fraction_not_open",
            )
        fraction.status = FractionStatus.MISSED
        fraction.status_reason = reason.strip()[:300]
        fraction.save(update_fields=["status", "status_reason", "updated_at"])
        last = rx.fractions.order_by("-sequence").first()
        assert last is not None  # the missed session itself
        cal = selectors.treatment_calendar()
        after = max(
            d for d in [last.scheduled_date, fraction.scheduled_date, timezone.localdate()] if d
        )
        replacement = Fraction.objects.create(
            prescription=rx,
            plan=fraction.plan,
            sequence=last.sequence + 1,
            scheduled_date=cal.add_open_days(after, 1),
            machine=fraction.machine,
        )
        audit_record(
            action=AuditAction.UPDATE,
            obj=fraction,
            patient=rx.course.patient,
            detail={"status": "missed", "reason": fraction.status_reason},
        )
        publish(
            FractionMissed(
                fraction_id=fraction.pk,
                prescription_id=rx.pk,
                course_id=rx.course_id,
                patient_id=rx.course.patient_id,
                replacement_fraction_id=replacement.pk,
            )
        )
    return fraction


def brachy_session_set(
    *,
    fraction: Fraction,
    by: User,
    applicator: str,
    room: str,
    afterloader: Machine,
    anesthesia: bool,
    physician_present: User | None,
    physicist_present: User | None,
    anesthesiologist: User | None = None,
    notes: str = "",
) -> BrachySession:
    """HDR session details: applicator, room and afterloader, anesthesia, team present."""
    require(by, "rt.brachy.record")
    problems = []
    if fraction.prescription.technique != Technique.HDR:
        problems.append(FieldProblem("fraction", _("is not an HDR brachytherapy fraction")))
    if not applicator.strip():
        problems.append(FieldProblem("applicator", _("is required")))
    if not room.strip():
        problems.append(FieldProblem("room", _("is required")))
    if afterloader.kind != MachineKind.AFTERLOADER or not afterloader.can_deliver(Technique.HDR):
        problems.append(
            FieldProblem("afterloader", _("must be an HDR afterloader"), afterloader.code)
        )
    if physician_present is not None and Role.RADIATION_ONCOLOGIST not in user_roles(
        physician_present
    ):
        problems.append(
            FieldProblem(
                "physician_present",
                _("must be a radiation oncologist"),
                physician_present.username,
            )
        )
    if physicist_present is not None and Role.MEDICAL_PHYSICIST not in user_roles(
        physicist_present
    ):
        problems.append(
            FieldProblem(
                "physicist_present", _("must be a medical physicist"), physicist_present.username
            )
        )
    if anesthesia and (
        anesthesiologist is None or Role.ANESTHESIOLOGIST not in user_roles(anesthesiologist)
    ):
        problems.append(
            FieldProblem("anesthesiologist", _("an anesthesiologist is required under anesthesia"))
        )
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        session, _created = BrachySession.objects.update_or_create(
            fraction=fraction,
            defaults={
                "applicator": applicator.strip(),
                "room": room.strip(),
                "afterloader": afterloader,
                "anesthesia": anesthesia,
                "physician_present": physician_present,
                "physicist_present": physicist_present,
                "anesthesiologist": anesthesiologist,
                "notes": notes,
            },
        )
        audit_record(
            action=AuditAction.UPDATE,
            obj=session,
            patient=fraction.prescription.course.patient,
            detail={"applicator": session.applicator, "anesthesia": anesthesia},
        )
    return session


@dataclass(frozen=True)
class SessionSlot:
    """Where and when a session is booked: its fraction, the local date, the machine."""

    fraction_id: int
    scheduled_date: dt.date
    machine_id: int


def fractions_follow_bookings(*, slots: Iterable[SessionSlot]) -> int:
    """Give sessions the date and machine of their bookings; returns how many rows changed.

    Called by the scheduling area's booking services inside their transactions: they checked
    their own permission, and their audit event records each booking (the slot copied here).
    """
    changed = 0
    for slot in slots:
        changed += Fraction.objects.filter(pk=slot.fraction_id).update(
            scheduled_date=slot.scheduled_date, machine_id=slot.machine_id
        )
    return changed
