"""Writes for clinics and admissions: validated, atomic, locked where capacity matters, audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.db import IntegrityError, transaction
from django.utils import timezone

from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.clinics import calendar as clinic_calendar
from oncocenter.clinics import priority
from oncocenter.clinics.models import (
    HOLDING,
    Admission,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    Bed,
    BedMove,
    CalendarException,
    ClinicSession,
    ClinicTemplate,
    PriorityPolicy,
    ReadmissionRequest,
    SessionStatus,
    Slot,
    Urgency,
    WaitlistEntry,
    Ward,
)
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed

# --- helpers -------------------------------------------------------------------------------


def policy_get() -> PriorityPolicy:
    policy, _ = PriorityPolicy.objects.get_or_create(id=1)
    return policy


def patient_previously_treated(patient: Any, *, on: dt.date | None = None) -> bool:
    """Has the center finished a treatment episode for this patient (oncology.TreatmentEpisode
    with ``at_this_center``)? False when the oncology app has no such model."""
    try:
        episode_model = apps.get_model("oncology", "TreatmentEpisode")
    except LookupError:
        return False
    on = on or timezone.localdate()
    return episode_model.objects.filter(
        patient=patient, at_this_center=True, ended_on__isnull=False, ended_on__lte=on
    ).exists()


def _aware(day: dt.date, at: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, at))


def _calendar_exceptions() -> tuple[set[dt.date], set[dt.date]]:
    closed: set[dt.date] = set()
    opened: set[dt.date] = set()
    for day, is_open in CalendarException.objects.values_list("date", "is_open"):
        (opened if is_open else closed).add(day)
    return closed, opened


# --- policy --------------------------------------------------------------------------------

POLICY_FIELDS = (
    "prior_treatment_points",
    "urgency_routine_points",
    "urgency_soon_points",
    "urgency_urgent_points",
    "waiting_points_per_day",
    "waiting_points_cap",
    "reserved_share_percent",
    "release_days_before",
)


def policy_update(*, data: dict[str, Any], actor: Any = None) -> PriorityPolicy:
    """Change the priority weights; every value must be zero or more, the share at most 100 %."""
    problems = []
    for name, value in data.items():
        if name not in POLICY_FIELDS:
            problems.append(FieldProblem(name, "is not a policy setting", value))
        elif value is None or float(value) < 0:
            problems.append(FieldProblem(name, "must be zero or positive", value))
    if (
        "reserved_share_percent" in data
        and data["reserved_share_percent"] is not None
        and not (0 <= float(data["reserved_share_percent"]) <= 100)
    ):
        problems.append(
            FieldProblem(
                "reserved_share_percent",
                "must be between 0 and 100",
                data["reserved_share_percent"],
            )
        )
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        policy = policy_get()
        policy = PriorityPolicy.objects.select_for_update().get(id=1)
        before = {n: str(getattr(policy, n)) for n in data}
        for name, value in data.items():
            setattr(policy, name, value)
        policy.updated_by = actor
        policy.save()
        audit_record(
            action=AuditAction.UPDATE,
            obj=policy,
            detail={"before": before, "after": {k: str(v) for k, v in data.items()}},
        )
    return policy


# --- templates and sessions ----------------------------------------------------------------


def clinic_template_create(
    *,
    physician: Any,
    center: Any,
    name: str,
    weekday: int,
    start_time: dt.time,
    end_time: dt.time,
    slot_minutes: int,
    appointment_types: list[str],
) -> ClinicTemplate:
    problems = []
    if not name.strip():
        problems.append(FieldProblem("name", "is required"))
    if not 0 <= weekday <= 6:
        problems.append(FieldProblem("weekday", "must be 0 (Monday) to 6 (Sunday)", weekday))
    if end_time <= start_time:
        problems.append(FieldProblem("end_time", "must be after start_time", str(end_time)))
    if not 5 <= slot_minutes <= 240:
        problems.append(
            FieldProblem("slot_minutes", "must be between 5 and 240 minutes", slot_minutes)
        )
    bad = [t for t in appointment_types if t not in AppointmentType.values]
    if bad or not appointment_types:
        problems.append(
            FieldProblem(
                "appointment_types",
                f"must be a non-empty list of {', '.join(AppointmentType.values)}",
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
    return template


def clinic_sessions_generate(
    *, template: ClinicTemplate, start: dt.date, end: dt.date
) -> list[ClinicSession]:
    """Create the template's sessions between two dates (existing ones are kept). Public
    holidays and the center's closed dates give closed sessions that show the reason."""
    if end < start:
        raise ValidationFailed.single("end", "must be on or after start", str(end))
    if (end - start).days > 366:
        raise ValidationFailed.single("end", "at most one year of sessions at a time", str(end))
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


def clinic_session_close(*, session: ClinicSession, reason: str) -> ClinicSession:
    """Close a session; only possible while nobody is booked in it."""
    if not reason.strip():
        raise ValidationFailed.single("reason", "is required to close a session")
    with transaction.atomic():
        session = ClinicSession.objects.select_for_update().get(pk=session.pk)
        if session.appointments.filter(status__in=HOLDING).exists():
            raise Conflict(
                "Cancel or move the booked appointments first.", rule="session_has_bookings"
            )
        session.status = SessionStatus.CLOSED
        session.closed_reason = reason.strip()
        session.save(update_fields=["status", "closed_reason", "updated_at"])
        audit_record(
            action=AuditAction.UPDATE, obj=session, detail={"closed": session.closed_reason}
        )
    return session


# --- appointments --------------------------------------------------------------------------


def _check_slot_bookable(slot: Slot, appointment_type: str, *, now: dt.datetime) -> None:
    session = slot.session
    if session.status != SessionStatus.OPEN:
        raise ValidationFailed.single(
            "slot", f"the clinic is closed on {session.date} ({session.closed_reason})", slot.pk
        )
    if slot.starts_at <= now:
        raise ValidationFailed.single(
            "slot",
            f"the slot at {timezone.localtime(slot.starts_at):%Y-%m-%d %H:%M} is in the past",
            slot.pk,
        )
    if appointment_type not in AppointmentType.values:
        raise ValidationFailed.single(
            "appointment_type",
            f"must be one of {', '.join(AppointmentType.values)}",
            appointment_type,
        )
    allowed = session.template.appointment_types
    if allowed and appointment_type not in allowed:
        raise ValidationFailed.single(
            "appointment_type", f"this clinic takes {', '.join(allowed)}", appointment_type
        )


def appointment_book(
    *,
    slot: Slot,
    patient: Any,
    appointment_type: str,
    reason: str = "",
    actor: Any = None,
    today: dt.date | None = None,
    audit_detail: dict[str, Any] | None = None,
) -> Appointment:
    """Book a patient into a free slot.

    Checks: the session is open, the slot is in the future, the type is one the clinic takes,
    the session is not full, the reserved share (previously treated patients) allows it, the
    slot is free and the patient has no other appointment overlapping it. The session row is
    locked so concurrent bookings of the same session queue; the partial unique constraints
    are the last line of defence.
    """
    now = timezone.now()
    today = today or timezone.localdate()
    prior = patient_previously_treated(patient, on=today)
    policy = policy_get().params()
    try:
        with transaction.atomic():
            session = ClinicSession.objects.select_for_update().get(pk=slot.session_id)
            slot = Slot.objects.select_related("session__template").get(pk=slot.pk)
            _check_slot_bookable(slot, appointment_type, now=now)
            holding = Appointment.objects.filter(session=session, status__in=HOLDING)
            capacity = session.slots.count()
            booked_total = holding.count()
            if booked_total >= capacity:
                msg = f"the session is full ({capacity} slots booked)"
                raise Conflict(
                    f"The session is full ({capacity} slots booked).",
                    rule="session_full",
                    problems=[FieldProblem("slot", msg, slot.pk)],
                )
            if holding.filter(slot=slot).exists():
                raise Conflict(
                    "This slot is already booked.",
                    rule="slot_taken",
                    problems=[FieldProblem("slot", "is already booked", slot.pk)],
                )
            check = priority.check_booking(
                capacity=capacity,
                booked_total=booked_total,
                booked_prior=holding.filter(previously_treated=True).count(),
                previously_treated=prior,
                session_date=session.date,
                today=today,
                policy=policy,
            )
            if not check.allowed:
                rule = "session_full" if check.free_slots == 0 else "reserved_for_prior"
                raise Conflict(
                    check.text, rule=rule, problems=[FieldProblem("slot", check.text, slot.pk)]
                )
            overlap = Appointment.objects.filter(
                patient=patient,
                status__in=HOLDING,
                starts_at__lt=slot.ends_at,
                slot__ends_at__gt=slot.starts_at,
            ).first()
            if overlap:
                msg = f"the patient already has an appointment at {timezone.localtime(overlap.starts_at):%Y-%m-%d %H:%M}"
                raise Conflict(
                    msg,
                    rule="patient_double_booked",
                    problems=[FieldProblem("patient", msg, patient.mrn)],
                )
            appt = Appointment.objects.create(
                slot=slot,
                session=session,
                patient=patient,
                starts_at=slot.starts_at,
                appointment_type=appointment_type,
                previously_treated=prior,
                reason=reason.strip(),
                booked_by=actor,
            )
            audit_record(
                action=AuditAction.CREATE,
                obj=appt,
                patient=patient,
                detail={
                    "slot": slot.pk,
                    "starts_at": slot.starts_at.isoformat(),
                    "type": appointment_type,
                    "previously_treated": prior,
                    **(audit_detail or {}),
                },
            )
    except IntegrityError as exc:
        raise Conflict(
            "The slot or the patient's time was taken at the same moment; choose another slot.",
            rule="double_booking",
            problems=[FieldProblem("slot", "was just taken", slot.pk)],
        ) from exc
    return appt


def _set_status(
    appt: Appointment, status: str, *, note: str = "", extra: dict[str, Any] | None = None
) -> Appointment:
    before = appt.status
    appt.status = status
    if note:
        appt.status_reason = note
    for k, v in (extra or {}).items():
        setattr(appt, k, v)
    appt.save()
    audit_record(
        action=AuditAction.UPDATE,
        obj=appt,
        patient=appt.patient,
        detail={"status": [before, status], "note": note},
    )
    return appt


def _locked(appt: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update()
        .select_related("patient", "slot", "session")
        .get(pk=appt.pk)
    )


def appointment_check_in(*, appointment: Appointment, actor: Any = None) -> Appointment:
    with transaction.atomic():
        appt = _locked(appointment)
        if appt.status != AppointmentStatus.BOOKED:
            raise Conflict(
                f"Only a booked appointment can be checked in (it is {appt.status}).", rule="status"
            )
        if appt.session.date != timezone.localdate():
            raise ValidationFailed.single(
                "appointment",
                f"check-in is on the day of the appointment ({appt.session.date})",
                appt.pk,
            )
        return _set_status(
            appt, AppointmentStatus.CHECKED_IN, extra={"checked_in_at": timezone.now()}
        )


def appointment_complete(*, appointment: Appointment, actor: Any = None) -> Appointment:
    with transaction.atomic():
        appt = _locked(appointment)
        if appt.status not in (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN):
            raise Conflict(f"This appointment is {appt.status}.", rule="status")
        appt = _set_status(appt, AppointmentStatus.COMPLETED)
        _followup_mark_done(appt)
        return appt


def appointment_mark_no_show(*, appointment: Appointment, actor: Any = None) -> Appointment:
    with transaction.atomic():
        appt = _locked(appointment)
        if appt.status != AppointmentStatus.BOOKED:
            raise Conflict(
                f"Only a booked appointment can be a no-show (it is {appt.status}).", rule="status"
            )
        if appt.starts_at > timezone.now():
            raise ValidationFailed.single(
                "appointment", "a no-show is recorded after the appointment time", appt.pk
            )
        return _set_status(appt, AppointmentStatus.NO_SHOW)


def appointment_cancel(
    *, appointment: Appointment, reason: str, actor: Any = None, offer: bool = True
) -> Appointment:
    """Cancel and offer the freed slot to the best-ranked waiting patient."""
    if not reason.strip():
        raise ValidationFailed.single("reason", "is required to cancel an appointment")
    with transaction.atomic():
        appt = _locked(appointment)
        if appt.status not in (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN):
            raise Conflict(
                f"This appointment is {appt.status} and cannot be cancelled.", rule="status"
            )
        appt = _set_status(appt, AppointmentStatus.CANCELLED, note=reason.strip())
        _followup_unbook(appt)
    if offer and appt.starts_at > timezone.now():
        waitlist_offer_slot(slot=appt.slot)
    return appt


def appointment_reschedule(
    *, appointment: Appointment, new_slot: Slot, actor: Any = None
) -> Appointment:
    """Move to another slot: the new booking is made first, then the old one is released."""
    with transaction.atomic():
        old = _locked(appointment)
        if old.status != AppointmentStatus.BOOKED:
            raise Conflict(
                f"Only a booked appointment can be rescheduled (it is {old.status}).", rule="status"
            )
        if new_slot.pk == old.slot_id:
            raise ValidationFailed.single("slot", "is the current slot", new_slot.pk)
        # Release first so that the patient's own time does not block an overlapping new slot.
        _set_status(old, AppointmentStatus.RESCHEDULED)
        new = appointment_book(
            slot=new_slot,
            patient=old.patient,
            appointment_type=old.appointment_type,
            reason=old.reason,
            actor=actor,
            audit_detail={"rescheduled_from": old.pk},
        )
        old.rescheduled_to = new
        old.save(update_fields=["rescheduled_to", "updated_at"])
        _followup_move(old, new)
    if old.starts_at > timezone.now():
        waitlist_offer_slot(slot=old.slot)
    return new


def _followup_mark_done(appt: Appointment) -> None:
    if apps.is_installed("oncocenter.followup"):
        from oncocenter.followup.services import due_items_appointment_completed

        due_items_appointment_completed(appointment=appt)


def _followup_unbook(appt: Appointment) -> None:
    if apps.is_installed("oncocenter.followup"):
        from oncocenter.followup.models import DueItem

        DueItem.objects.filter(appointment=appt, status="booked").update(
            status="due", appointment=None
        )


def _followup_move(old: Appointment, new: Appointment) -> None:
    if apps.is_installed("oncocenter.followup"):
        from oncocenter.followup.models import DueItem

        DueItem.objects.filter(appointment=old).update(appointment=new)


# --- waitlist ------------------------------------------------------------------------------


def waitlist_add(
    *,
    patient: Any,
    center: Any,
    appointment_type: str,
    urgency: str = "routine",
    physician: Any = None,
    requested_on: dt.date | None = None,
    wanted_by: dt.date | None = None,
    note: str = "",
) -> WaitlistEntry:
    problems = []
    if appointment_type not in AppointmentType.values:
        problems.append(
            FieldProblem(
                "appointment_type",
                f"must be one of {', '.join(AppointmentType.values)}",
                appointment_type,
            )
        )
    if urgency not in Urgency.values:
        problems.append(
            FieldProblem("urgency", f"must be one of {', '.join(Urgency.values)}", urgency)
        )
    requested_on = requested_on or timezone.localdate()
    if requested_on > timezone.localdate():
        problems.append(FieldProblem("requested_on", "cannot be in the future", str(requested_on)))
    if problems:
        raise ValidationFailed(problems)
    try:
        with transaction.atomic():
            entry = WaitlistEntry.objects.create(
                patient=patient,
                center=center,
                appointment_type=appointment_type,
                urgency=urgency,
                physician=physician,
                requested_on=requested_on,
                wanted_by=wanted_by,
                note=note.strip(),
            )
            audit_record(
                action=AuditAction.CREATE, obj=entry, patient=patient, detail={"urgency": urgency}
            )
    except IntegrityError as exc:
        raise Conflict(
            "The patient is already on this waitlist.",
            rule="already_waiting",
            problems=[
                FieldProblem("patient", "is already waiting for this appointment type", patient.mrn)
            ],
        ) from exc
    return entry


def waitlist_offer_slot(
    *, slot: Slot, today: dt.date | None = None, exclude_ids: tuple[int, ...] = ()
) -> WaitlistEntry | None:
    """Offer a freed slot to the best-ranked waiting patient who may take it (the reserved
    share still applies: a slot held for previously treated patients goes to one of them)."""
    from oncocenter.clinics.selectors import waitlist_ranked

    today = today or timezone.localdate()
    slot = Slot.objects.select_related("session__template").get(pk=slot.pk)
    session = slot.session
    if session.status != SessionStatus.OPEN or slot.starts_at <= timezone.now():
        return None
    if Appointment.objects.filter(slot=slot, status__in=HOLDING).exists():
        return None
    if WaitlistEntry.objects.filter(offered_slot=slot, status="offered").exists():
        return None
    ranked = waitlist_ranked(
        center=session.template.center,
        physician=session.physician,
        today=today,
        appointment_types=session.template.appointment_types or None,
    )
    holding = Appointment.objects.filter(session=session, status__in=HOLDING)
    counts = {
        "capacity": session.slots.count(),
        "booked_total": holding.count(),
        "booked_prior": holding.filter(previously_treated=True).count(),
    }
    policy = policy_get().params()
    with transaction.atomic():
        for row in ranked:
            if row.entry.pk in exclude_ids:
                continue
            allowed = priority.check_booking(
                **counts,
                previously_treated=row.previously_treated,
                session_date=session.date,
                today=today,
                policy=policy,
            ).allowed
            if not allowed:
                continue
            entry = WaitlistEntry.objects.select_for_update().get(pk=row.entry.pk)
            if entry.status != "waiting":
                continue
            entry.status = "offered"
            entry.offered_slot = slot
            entry.offered_at = timezone.now()
            entry.save(update_fields=["status", "offered_slot", "offered_at", "updated_at"])
            audit_record(
                action=AuditAction.UPDATE,
                obj=entry,
                patient=entry.patient,
                detail={
                    "offered_slot": slot.pk,
                    "score": row.score.total,
                    "reasons": [r.text for r in row.score.reasons],
                },
            )
            return entry
    return None


def waitlist_accept_offer(*, entry: WaitlistEntry, actor: Any = None) -> Appointment:
    with transaction.atomic():
        entry = (
            WaitlistEntry.objects.select_for_update(of=("self",))
            .select_related("offered_slot")
            .get(pk=entry.pk)
        )
        if entry.status != "offered" or entry.offered_slot is None:
            raise Conflict("There is no open offer for this entry.", rule="no_offer")
        appt = appointment_book(
            slot=entry.offered_slot,
            patient=entry.patient,
            appointment_type=entry.appointment_type,
            actor=actor,
            audit_detail={"waitlist_entry": entry.pk},
        )
        entry.status = "booked"
        entry.appointment = appt
        entry.save(update_fields=["status", "appointment", "updated_at"])
        audit_record(
            action=AuditAction.UPDATE, obj=entry, patient=entry.patient, detail={"booked": appt.pk}
        )
    return appt


def waitlist_decline_offer(*, entry: WaitlistEntry, actor: Any = None) -> WaitlistEntry:
    """The patient declines: back to waiting; the slot goes to the next in rank."""
    with transaction.atomic():
        entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status != "offered":
            raise Conflict("There is no open offer for this entry.", rule="no_offer")
        slot = entry.offered_slot
        entry.status = "waiting"
        entry.offered_slot = None
        entry.offered_at = None
        entry.save(update_fields=["status", "offered_slot", "offered_at", "updated_at"])
        audit_record(
            action=AuditAction.UPDATE,
            obj=entry,
            patient=entry.patient,
            detail={"declined_slot": slot.pk if slot else None},
        )
    # the decliner is waiting again; offer to the best other candidate
    if slot is not None:
        waitlist_offer_slot(slot=slot, exclude_ids=(entry.pk,))
    return entry


def waitlist_withdraw(*, entry: WaitlistEntry, actor: Any = None) -> WaitlistEntry:
    with transaction.atomic():
        entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status not in ("waiting", "offered"):
            raise Conflict(f"The entry is {entry.status}.", rule="status")
        entry.status = "withdrawn"
        entry.offered_slot = None
        entry.save(update_fields=["status", "offered_slot", "updated_at"])
        audit_record(
            action=AuditAction.UPDATE,
            obj=entry,
            patient=entry.patient,
            detail={"status": "withdrawn"},
        )
    return entry


# --- admissions ----------------------------------------------------------------------------


def ward_create(*, code: str, name: str, center: Any = None, beds: int = 0) -> Ward:
    """Create a ward with `beds` beds numbered 01, 02, ..."""
    code = code.strip().upper()
    problems = []
    if not code or len(code) > 20:
        problems.append(FieldProblem("code", "is required (at most 20 characters)", code))
    if not name.strip():
        problems.append(FieldProblem("name", "is required"))
    if not 0 <= beds <= 200:
        problems.append(FieldProblem("beds", "must be between 0 and 200", beds))
    if problems:
        raise ValidationFailed(problems)
    try:
        with transaction.atomic():
            ward = Ward.objects.create(code=code, name=name.strip(), center=center)
            Bed.objects.bulk_create(Bed(ward=ward, code=f"{i + 1:02d}") for i in range(beds))
            audit_record(action=AuditAction.CREATE, obj=ward, detail={"beds": beds})
    except IntegrityError as exc:
        raise Conflict(
            f"Ward {code} exists.",
            rule="ward_exists",
            problems=[FieldProblem("code", "already exists", code)],
        ) from exc
    return ward


def admission_admit(
    *,
    patient: Any,
    ward: Ward,
    admitted_at: dt.datetime,
    bed: Bed | None = None,
    reason: str = "",
    request: ReadmissionRequest | None = None,
    actor: Any = None,
) -> Admission:
    """Admit into a free in-service bed of the ward (the given bed, or the first free one).

    The ward row is locked so concurrent admissions queue; one current admission per bed and
    per patient are database constraints, so occupancy never exceeds the beds in service.
    """
    if admitted_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationFailed.single(
            "admitted_at", "cannot be in the future", admitted_at.isoformat()
        )
    if bed is not None and bed.ward_id != ward.pk:
        raise ValidationFailed.single("bed", f"is not in ward {ward.code}", str(bed))
    try:
        with transaction.atomic():
            Ward.objects.select_for_update().get(pk=ward.pk)
            if Admission.objects.filter(patient=patient, status="admitted").exists():
                raise Conflict(
                    "The patient is already admitted.",
                    rule="already_admitted",
                    problems=[FieldProblem("patient", "is already admitted", patient.mrn)],
                )
            occupied = Admission.objects.filter(bed__ward=ward, status="admitted").values_list(
                "bed_id", flat=True
            )
            free = Bed.objects.filter(ward=ward, in_service=True).exclude(pk__in=list(occupied))
            if bed is not None:
                if not free.filter(pk=bed.pk).exists():
                    raise Conflict(
                        f"Bed {bed} is occupied or out of service.",
                        rule="bed_taken",
                        problems=[FieldProblem("bed", "is occupied or out of service", str(bed))],
                    )
                chosen: Bed | None = bed
            else:
                chosen = free.order_by("code").first()
                if chosen is None:
                    raise Conflict(
                        f"Ward {ward.code} is full.",
                        rule="ward_full",
                        problems=[FieldProblem("ward", "has no free bed", ward.code)],
                    )
            assert chosen is not None
            adm = Admission.objects.create(
                patient=patient,
                bed=chosen,
                admitted_at=admitted_at,
                reason=reason.strip(),
                previously_treated=patient_previously_treated(patient),
                readmission_request=request,
            )
            if request is not None:
                ReadmissionRequest.objects.filter(pk=request.pk).update(
                    status="admitted", updated_at=timezone.now()
                )
            audit_record(
                action=AuditAction.CREATE,
                obj=adm,
                patient=patient,
                detail={"bed": str(chosen), "admitted_at": admitted_at.isoformat()},
            )
    except IntegrityError as exc:
        raise Conflict(
            "The bed or the patient was admitted at the same moment; try again.",
            rule="bed_taken",
            problems=[FieldProblem("bed", "was just taken")],
        ) from exc
    return adm


def admission_transfer(
    *,
    admission: Admission,
    to_bed: Bed,
    moved_at: dt.datetime | None = None,
    reason: str = "",
    actor: Any = None,
) -> Admission:
    moved_at = moved_at or timezone.now()
    try:
        with transaction.atomic():
            Ward.objects.select_for_update().get(pk=to_bed.ward_id)
            adm = (
                Admission.objects.select_for_update()
                .select_related("bed", "patient")
                .get(pk=admission.pk)
            )
            if adm.status != "admitted":
                raise Conflict("Only a current admission can be transferred.", rule="status")
            if moved_at < adm.admitted_at:
                raise ValidationFailed.single(
                    "moved_at", "is before the admission", moved_at.isoformat()
                )
            if to_bed.pk == adm.bed_id:
                raise ValidationFailed.single("to_bed", "is the current bed", str(to_bed))
            if (
                not to_bed.in_service
                or Admission.objects.filter(bed=to_bed, status="admitted").exists()
            ):
                raise Conflict(
                    f"Bed {to_bed} is occupied or out of service.",
                    rule="bed_taken",
                    problems=[FieldProblem("to_bed", "is occupied or out of service", str(to_bed))],
                )
            from_bed = adm.bed
            adm.bed = to_bed
            adm.save(update_fields=["bed", "updated_at"])
            BedMove.objects.create(
                admission=adm,
                from_bed=from_bed,
                to_bed=to_bed,
                moved_at=moved_at,
                moved_by=actor,
                reason=reason.strip(),
            )
            audit_record(
                action=AuditAction.UPDATE,
                obj=adm,
                patient=adm.patient,
                detail={"transfer": [str(from_bed), str(to_bed)]},
            )
    except IntegrityError as exc:
        raise Conflict(
            "The bed was taken at the same moment.",
            rule="bed_taken",
            problems=[FieldProblem("to_bed", "was just taken", str(to_bed))],
        ) from exc
    return adm


def admission_discharge(
    *, admission: Admission, discharged_at: dt.datetime, actor: Any = None
) -> Admission:
    with transaction.atomic():
        adm = Admission.objects.select_for_update().select_related("patient").get(pk=admission.pk)
        if adm.status != "admitted":
            raise Conflict(f"The admission is {adm.status}.", rule="status")
        if discharged_at < adm.admitted_at:
            raise ValidationFailed.single(
                "discharged_at",
                f"must be on or after the admission ({timezone.localtime(adm.admitted_at):%Y-%m-%d %H:%M})",
                discharged_at.isoformat(),
            )
        if discharged_at > timezone.now() + dt.timedelta(minutes=5):
            raise ValidationFailed.single(
                "discharged_at", "cannot be in the future", discharged_at.isoformat()
            )
        adm.status = "discharged"
        adm.discharged_at = discharged_at
        adm.save(update_fields=["status", "discharged_at", "updated_at"])
        audit_record(
            action=AuditAction.UPDATE,
            obj=adm,
            patient=adm.patient,
            detail={"discharged_at": discharged_at.isoformat()},
        )
    return adm


def readmission_request_create(
    *,
    patient: Any,
    ward: Ward,
    reason: str,
    urgency: str = "routine",
    requested_on: dt.date | None = None,
    actor: Any = None,
) -> ReadmissionRequest:
    problems = []
    if urgency not in Urgency.values:
        problems.append(
            FieldProblem("urgency", f"must be one of {', '.join(Urgency.values)}", urgency)
        )
    if not reason.strip():
        problems.append(FieldProblem("reason", "is required"))
    requested_on = requested_on or timezone.localdate()
    if requested_on > timezone.localdate():
        problems.append(FieldProblem("requested_on", "cannot be in the future", str(requested_on)))
    if problems:
        raise ValidationFailed(problems)
    try:
        with transaction.atomic():
            req = ReadmissionRequest.objects.create(
                patient=patient,
                ward=ward,
                reason=reason.strip(),
                urgency=urgency,
                requested_on=requested_on,
            )
            audit_record(
                action=AuditAction.CREATE, obj=req, patient=patient, detail={"ward": ward.code}
            )
    except IntegrityError as exc:
        raise Conflict(
            "The patient already has a waiting re-admission request.",
            rule="already_waiting",
            problems=[FieldProblem("patient", "already waiting for a bed", patient.mrn)],
        ) from exc
    return req


def readmission_request_withdraw(
    *, request: ReadmissionRequest, actor: Any = None
) -> ReadmissionRequest:
    with transaction.atomic():
        req = ReadmissionRequest.objects.select_for_update().get(pk=request.pk)
        if req.status != "waiting":
            raise Conflict(f"The request is {req.status}.", rule="status")
        req.status = "withdrawn"
        req.save(update_fields=["status", "updated_at"])
        audit_record(
            action=AuditAction.UPDATE, obj=req, patient=req.patient, detail={"status": "withdrawn"}
        )
    return req
