"""The clinic waitlist: entries, and freed slots offered to the best-ranked waiting patient."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.clinics import priority, selectors
from oncocenter.clinics.models import (
    HOLDING,
    Appointment,
    AppointmentType,
    SessionStatus,
    Slot,
    Urgency,
    WaitlistEntry,
)
from oncocenter.clinics.services.booking import appointment_book
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.patients.models import Center, Patient


def waitlist_add(
    *,
    by: User,
    patient: Patient,
    center: Center,
    appointment_type: str,
    urgency: str = "routine",
    physician: User | None = None,
    requested_on: dt.date | None = None,
    wanted_by: dt.date | None = None,
    note: str = "",
) -> WaitlistEntry:
    """Put a patient on the clinic waitlist of a center (optionally for one physician)."""
    problems = []
    if appointment_type not in AppointmentType.values:
        problems.append(
            FieldProblem(
                "appointment_type",
                _("must be one of %(choices)s") % {"choices": ", ".join(AppointmentType.values)},
                appointment_type,
            )
        )
    if urgency not in Urgency.values:
        problems.append(
            FieldProblem(
                "urgency",
                _("must be one of %(choices)s") % {"choices": ", ".join(Urgency.values)},
                urgency,
            )
        )
    requested_on = requested_on or timezone.localdate()
    if requested_on > timezone.localdate():
        problems.append(
            FieldProblem("requested_on", _("cannot be in the future"), str(requested_on))
        )
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
            _("The patient is already on this waitlist."),
            rule="already_waiting",
            problems=[
                FieldProblem(
                    "patient", _("is already waiting for this appointment type"), patient.mrn
                )
            ],
        ) from exc
    return entry


def waitlist_offer_slot(
    *, slot: Slot, today: dt.date | None = None, exclude_ids: tuple[int, ...] = ()
) -> WaitlistEntry | None:
    """Offer a freed slot to the best-ranked waiting patient who may take it (the reserved
    share still applies: a slot held for previously treated patients goes to one of them).

    The clinic does this by itself when a slot is freed, so no user is named: the audit
    context of the request that freed the slot records who set it off."""
    today = today or timezone.localdate()
    slot = Slot.objects.select_related("session__template").get(pk=slot.pk)
    session = slot.session
    if session.status != SessionStatus.OPEN or slot.starts_at <= timezone.now():
        return None
    if Appointment.objects.filter(slot=slot, status__in=HOLDING).exists():
        return None
    if WaitlistEntry.objects.filter(offered_slot=slot, status="offered").exists():
        return None
    ranked = selectors.waitlist_ranked(
        center=session.template.center,
        physician=session.physician,
        today=today,
        appointment_types=session.template.appointment_types or None,
    )
    holding = Appointment.objects.filter(session=session, status__in=HOLDING)
    capacity = session.slots.count()
    booked_total = holding.count()
    booked_prior = holding.filter(previously_treated=True).count()
    policy = selectors.policy_get().params()
    with transaction.atomic():
        for row in ranked:
            if row.entry.pk in exclude_ids:
                continue
            allowed = priority.check_booking(
                capacity=capacity,
                booked_total=booked_total,
                booked_prior=booked_prior,
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


def waitlist_accept_offer(*, by: User, entry: WaitlistEntry) -> Appointment:
    """The patient takes the offered slot: booked under every booking rule."""
    with transaction.atomic():
        entry = (
            WaitlistEntry.objects.select_for_update(of=("self",))
            .select_related("offered_slot")
            .get(pk=entry.pk)
        )
        if entry.status != "offered" or entry.offered_slot is None:
            raise Conflict(_("There is no open offer for this entry."), rule="no_offer")
        appt = appointment_book(
            by=by,
            slot=entry.offered_slot,
            patient=entry.patient,
            appointment_type=entry.appointment_type,
            audit_detail={"waitlist_entry": entry.pk},
        )
        entry.status = "booked"
        entry.appointment = appt
        entry.save(update_fields=["status", "appointment", "updated_at"])
        audit_record(
            action=AuditAction.UPDATE, obj=entry, patient=entry.patient, detail={"booked": appt.pk}
        )
    return appt


def waitlist_decline_offer(*, by: User, entry: WaitlistEntry) -> WaitlistEntry:
    """The patient declines: back to waiting; the slot goes to the next in rank."""
    with transaction.atomic():
        entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status != "offered":
            raise Conflict(_("There is no open offer for this entry."), rule="no_offer")
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


def waitlist_withdraw(*, by: User, entry: WaitlistEntry) -> WaitlistEntry:
    """Take the patient off the waitlist (waiting or offered)."""
    with transaction.atomic():
        entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status not in ("waiting", "offered"):
            raise Conflict(
                _("The entry is %(status)s.") % {"status": entry.get_status_display()},
                rule="status",
            )
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
