"""Writes of the family shelter. Each service checks its rules, then writes and audits atomically:
``ValidationFailed`` (422, names the field) for bad input, ``Conflict`` (409) when the room is
taken for those nights."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.patients.models import Patient
from oncocenter.pediatrics.checks import choice, invalid, required, rule_message
from oncocenter.pediatrics.rules import SupportRuleError
from oncocenter.shelter import calc, vocab
from oncocenter.shelter.models import (
    ShelterHouse,
    ShelterRoom,
    ShelterStay,
    ShelterWaitlistEntry,
    StayStatus,
    WaitlistStatus,
)


@transaction.atomic
def shelter_house_create(*, by: User, name: str, address: str = "") -> ShelterHouse:
    required("name", name)
    if ShelterHouse.objects.filter(name=name.strip()).exists():
        raise ValidationFailed.single("name", _("a house with this name exists"), name)
    h = ShelterHouse.objects.create(name=name.strip(), address=address)
    audit_record(action="create", obj=h)
    return h


@transaction.atomic
def shelter_room_create(
    *, house: ShelterHouse, by: User, number: str, capacity: int
) -> ShelterRoom:
    required("number", number)
    if capacity is None or capacity < 1:
        raise ValidationFailed.single("capacity", _("must be at least 1"), capacity)
    if ShelterRoom.objects.filter(house=house, number=number.strip()).exists():
        raise ValidationFailed.single("number", _("this room number exists in the house"), number)
    r = ShelterRoom.objects.create(house=house, number=number.strip(), capacity=capacity)
    audit_record(action="create", obj=r)
    return r


def _room_stays(room: ShelterRoom, exclude_pk: int | None = None) -> list[calc.StaySpan]:
    qs = ShelterStay.objects.filter(room=room).exclude(status=StayStatus.CANCELLED)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return [calc.StaySpan(s.pk, s.check_in, s.check_out) for s in qs]


def _room_taken(field: str, message: str, value: object) -> Conflict:
    return Conflict(
        _("The room is not free for these nights."),
        rule="room_occupied",
        problems=[FieldProblem(field, message, value)],
    )


@transaction.atomic
def shelter_check_in(
    *,
    room: ShelterRoom,
    patient: Patient,
    by: User,
    guests: int,
    check_in: dt.date,
    check_out: dt.date | None = None,
    waitlist_entry: ShelterWaitlistEntry | None = None,
) -> ShelterStay:
    """Give a room to a family. The room row is locked, so concurrent check-ins queue.

    Rules: check-out after check-in, guests within capacity, no shared night with another stay
    in the room. The database holds the same rules (constraints; on PostgreSQL also an
    exclusion on date ranges), so even a writer that skipped this service cannot break them.
    """
    required("check_in", check_in)
    try:
        calc.check_stay_dates(check_in=check_in, check_out=check_out)
    except SupportRuleError as exc:
        raise invalid(exc) from None
    locked = ShelterRoom.objects.select_for_update().get(pk=room.pk)
    if not locked.active:
        raise ValidationFailed.single("room", _("the room is out of service"), room.pk)
    try:
        calc.check_party_size(guests=guests, capacity=locked.capacity)
    except SupportRuleError as exc:
        raise invalid(exc) from None
    try:
        calc.check_no_overlap(check_in=check_in, check_out=check_out, existing=_room_stays(locked))
    except SupportRuleError as exc:
        raise _room_taken(exc.field, rule_message(exc), exc.value) from None
    try:
        with transaction.atomic():
            stay = ShelterStay.objects.create(
                room=locked,
                patient=patient,
                guests=guests,
                room_capacity=locked.capacity,
                check_in=check_in,
                check_out=check_out,
            )
    except IntegrityError:
        raise _room_taken("check_in", _("room is already occupied"), check_in) from None
    if waitlist_entry is not None:
        entry = ShelterWaitlistEntry.objects.select_for_update().get(pk=waitlist_entry.pk)
        if entry.patient_id != patient.pk:
            raise ValidationFailed.single("waitlist_entry", _("belongs to another child"), entry.pk)
        entry.status = WaitlistStatus.HOUSED
        entry.stay = stay
        entry.save(update_fields=["status", "stay", "updated_at"])
    audit_record(
        action="create",
        obj=stay,
        patient=patient,
        detail={
            "room": str(locked),
            "check_in": check_in,
            "check_out": check_out,
            "guests": guests,
        },
    )
    return stay


@transaction.atomic
def shelter_check_out(*, stay: ShelterStay, by: User, check_out: dt.date) -> ShelterStay:
    required("check_out", check_out)
    ShelterRoom.objects.select_for_update().get(pk=stay.room_id)
    stay = ShelterStay.objects.select_for_update().get(pk=stay.pk)
    if stay.status != StayStatus.ACTIVE:
        raise Conflict(
            _("The stay is %(status)s.") % {"status": stay.get_status_display()},
            rule="stay_not_active",
        )
    try:
        calc.check_stay_dates(check_in=stay.check_in, check_out=check_out)
        calc.check_no_overlap(
            check_in=stay.check_in, check_out=check_out, existing=_room_stays(stay.room, stay.pk)
        )
    except SupportRuleError as exc:
        raise invalid(exc) from None
    stay.check_out = check_out
    stay.status = StayStatus.CHECKED_OUT
    stay.save(update_fields=["check_out", "status", "updated_at"])
    audit_record(action="update", obj=stay, patient=stay.patient, detail={"check_out": check_out})
    return stay


@transaction.atomic
def waitlist_add(
    *,
    patient: Patient,
    by: User,
    requested_on: dt.date,
    distance_km: int,
    financial_need: str,
    treatment_intensity: str,
    guests: int = 2,
    notes: str = "",
) -> ShelterWaitlistEntry:
    """Put the family on the waitlist (ranked by ``selectors.waitlist_ranked``)."""
    data = vocab.shelter_ranking()
    required("requested_on", requested_on)
    if distance_km is None or distance_km < 0:
        raise ValidationFailed.single("distance_km", _("must be 0 or more"), distance_km)
    choice("financial_need", financial_need, [lv["code"] for lv in data["financial_need_levels"]])
    choice(
        "treatment_intensity",
        treatment_intensity,
        [lv["code"] for lv in data["treatment_intensity_levels"]],
    )
    if guests is None or guests < 1:
        raise ValidationFailed.single("guests", _("must be at least 1"), guests)
    if ShelterWaitlistEntry.objects.filter(patient=patient, status=WaitlistStatus.WAITING).exists():
        raise Conflict(
            _("The family is already on the waitlist."),
            rule="already_waiting",
            problems=[FieldProblem("patient", _("already waiting"), patient.pk)],
        )
    entry = ShelterWaitlistEntry.objects.create(
        patient=patient,
        requested_on=requested_on,
        distance_km=distance_km,
        financial_need=financial_need,
        treatment_intensity=treatment_intensity,
        guests=guests,
        notes=notes,
    )
    audit_record(action="create", obj=entry, patient=patient)
    return entry


@transaction.atomic
def waitlist_withdraw(*, entry: ShelterWaitlistEntry, by: User) -> ShelterWaitlistEntry:
    if entry.status != WaitlistStatus.WAITING:
        raise Conflict(
            _("The entry is %(status)s.") % {"status": entry.get_status_display()},
            rule="not_waiting",
        )
    entry.status = WaitlistStatus.WITHDRAWN
    entry.save(update_fields=["status", "updated_at"])
    audit_record(action="update", obj=entry, patient=entry.patient, detail={"status": "withdrawn"})
    return entry
