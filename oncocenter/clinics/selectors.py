"""Reads for clinics and admissions (rankings carry their reasons)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from oncocenter.accounts.models import User
from oncocenter.clinics import priority
from oncocenter.clinics.models import (
    HOLDING,
    Admission,
    Appointment,
    Bed,
    ClinicSession,
    PriorityPolicy,
    ReadmissionRequest,
    Slot,
    WaitlistEntry,
    Ward,
)
from oncocenter.oncology.models import TreatmentEpisode
from oncocenter.patients.models import Center, Patient


def policy_get() -> PriorityPolicy:
    """The single priority-policy row (created with the defaults the first time it is read)."""
    policy, _created = PriorityPolicy.objects.get_or_create(id=1)
    return policy


def _treated_here(on: dt.date) -> QuerySet[TreatmentEpisode]:
    # "Previously treated" = a treatment at this center that has ended. The default manager
    # leaves out episodes entered in error, so a withdrawn record never earns priority.
    return TreatmentEpisode.objects.filter(
        at_this_center=True, ended_on__isnull=False, ended_on__lte=on
    )


def patient_previously_treated(patient: Patient, *, on: dt.date | None = None) -> bool:
    """Has the center finished a treatment episode for this patient (oncology.TreatmentEpisode
    with `at_this_center`) on or before `on` (today by default)?"""
    return _treated_here(on or timezone.localdate()).filter(patient=patient).exists()


def previously_treated_ids(patient_ids: Iterable[int], *, on: dt.date | None = None) -> set[int]:
    """Of these patients, those with a finished treatment episode at this center (one query)."""
    return set(
        _treated_here(on or timezone.localdate())
        .filter(patient_id__in=list(patient_ids))
        .values_list("patient_id", flat=True)
    )


@dataclass(frozen=True)
class Ranked:
    """A clinic waitlist entry or a re-admission request with its score and reasons."""

    entry: Any
    score: priority.Score
    previously_treated: bool


def _rank(
    entries: Sequence[WaitlistEntry] | Sequence[ReadmissionRequest], *, today: dt.date
) -> list[Ranked]:
    policy = policy_get().params()
    prior = previously_treated_ids({e.patient_id for e in entries}, on=today)
    by_key: dict[Hashable, WaitlistEntry | ReadmissionRequest] = {e.pk: e for e in entries}
    cands = [
        priority.Candidate(e.pk, e.patient_id in prior, e.urgency, e.requested_on) for e in entries
    ]
    return [
        Ranked(by_key[s.key], s, by_key[s.key].patient_id in prior)
        for s in priority.rank_candidates(cands, policy=policy, today=today)
    ]


def waitlist_ranked(
    *,
    center: Center | None = None,
    physician: User | None = None,
    today: dt.date | None = None,
    appointment_types: list[str] | None = None,
    statuses: tuple[str, ...] = ("waiting",),
) -> list[Ranked]:
    """Waiting entries, best first, each with its score and reasons. A physician filter keeps
    entries for that physician and those for any physician."""
    today = today or timezone.localdate()
    qs = WaitlistEntry.objects.filter(status__in=statuses).select_related(
        "patient", "physician", "center", "offered_slot"
    )
    if center is not None:
        qs = qs.filter(center=center)
    if physician is not None:
        qs = qs.filter(Q(physician__isnull=True) | Q(physician=physician))
    if appointment_types:
        qs = qs.filter(appointment_type__in=appointment_types)
    return _rank(list(qs), today=today)


def bed_waitlist_ranked(*, ward: Ward | None = None, today: dt.date | None = None) -> list[Ranked]:
    today = today or timezone.localdate()
    qs = ReadmissionRequest.objects.filter(status="waiting").select_related("patient", "ward")
    if ward is not None:
        qs = qs.filter(ward=ward)
    return _rank(list(qs), today=today)


@dataclass(frozen=True)
class WardOccupancy:
    ward: Ward
    beds_in_service: int
    occupied: int

    @property
    def free(self) -> int:
        return max(0, self.beds_in_service - self.occupied)


def ward_occupancy() -> list[WardOccupancy]:
    wards = Ward.objects.annotate(
        in_service=Count("beds", filter=Q(beds__in_service=True), distinct=True),
        occupied=Count(
            "beds__admissions", filter=Q(beds__admissions__status="admitted"), distinct=True
        ),
    ).order_by("code")
    return [WardOccupancy(w, w.in_service, w.occupied) for w in wards]


def ward_beds(*, ward: Ward) -> list[tuple[Bed, Admission | None]]:
    current = {
        a.bed_id: a
        for a in Admission.objects.filter(bed__ward=ward, status="admitted").select_related(
            "patient"
        )
    }
    return [(b, current.get(b.pk)) for b in ward.beds.order_by("code")]


def current_admissions(*, ward: Ward | None = None) -> QuerySet[Admission]:
    qs = Admission.objects.filter(status="admitted").select_related("patient", "bed__ward")
    return qs.filter(bed__ward=ward) if ward is not None else qs


@dataclass(frozen=True)
class SessionView:
    session: ClinicSession
    capacity: int
    booked: int

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.booked)


def sessions_between(
    *, start: dt.date, end: dt.date, physician: User | None = None, center: Center | None = None
) -> list[SessionView]:
    qs = ClinicSession.objects.filter(date__range=(start, end)).select_related(
        "template", "physician", "template__center"
    )
    if physician is not None:
        qs = qs.filter(physician=physician)
    if center is not None:
        qs = qs.filter(template__center=center)
    qs = qs.annotate(
        n_slots=Count("slots", distinct=True),
        n_booked=Count("appointments", filter=Q(appointments__status__in=HOLDING), distinct=True),
    ).order_by("date", "start_time")
    return [SessionView(s, s.n_slots, s.n_booked) for s in qs]


def session_slots(*, session: ClinicSession) -> list[tuple[Slot, Appointment | None]]:
    booked = {
        a.slot_id: a
        for a in Appointment.objects.filter(session=session, status__in=HOLDING).select_related(
            "patient"
        )
    }
    return [(s, booked.get(s.pk)) for s in session.slots.order_by("starts_at")]


def free_slots(
    *,
    start: dt.datetime,
    end: dt.datetime,
    physician: User | None = None,
    center: Center | None = None,
    appointment_type: str | None = None,
    limit: int = 200,
) -> list[Slot]:
    """Future free slots in open sessions, earliest first."""
    now = timezone.now()
    qs = (
        Slot.objects.filter(
            session__status="open", starts_at__gte=max(start, now), starts_at__lt=end
        )
        .exclude(appointments__status__in=HOLDING)
        .select_related("session__physician", "session__template")
        .order_by("starts_at")
    )
    if physician is not None:
        qs = qs.filter(session__physician=physician)
    if center is not None:
        qs = qs.filter(session__template__center=center)
    slots = list(qs[: limit * 3])
    if appointment_type:
        slots = [
            s
            for s in slots
            if not s.session.template.appointment_types
            or appointment_type in s.session.template.appointment_types
        ]
    return slots[:limit]


def patient_appointments(*, patient: Patient) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(patient=patient)
        .select_related("session__template", "session__physician")
        .order_by("-starts_at")
    )


def day_list(*, day: dt.date, physician: User | None = None) -> QuerySet[Appointment]:
    qs = (
        Appointment.objects.filter(session__date=day, status__in=(*HOLDING,))
        .select_related("patient", "session__template", "session__physician")
        .order_by("starts_at")
    )
    return qs.filter(session__physician=physician) if physician is not None else qs
