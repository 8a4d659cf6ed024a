"""Upcoming appointments as the portal shows them, gathered from every area that books patients.

Each area contributes an `UpcomingSource`: `items(patient, now)` runs one query and returns the
patient's next appointments from that area. RT sessions, clinic visits and follow-up items are
registered by this app (it sits above them); chemotherapy days come from the systemic-therapy app
(issue 19) when it is merged: one more `UPCOMING.register(UpcomingSource(...))` in
`registrations.py`, with no change to the pages, reminders or documents that read this list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from oncocenter.clinics.models import Appointment
from oncocenter.core.events import Hook
from oncocenter.followup.models import DueItem
from oncocenter.patients.models import Patient
from oncocenter.scheduling.models import Booking


@dataclass(frozen=True)
class Upcoming:
    key: str  # "<source>:<id>", stable for change requests and reminders
    kind: str
    kind_label: str
    starts_at: dt.datetime | None  # None: a follow-up due on a day, not yet booked
    on: dt.date
    title: str
    where: str
    prepare: str
    can_change: bool = True


@dataclass(frozen=True)
class UpcomingSource:
    key: str
    items: Callable[[Patient, dt.datetime], list[Upcoming]]
    order: int = 100


UPCOMING: Hook[UpcomingSource] = Hook("portal.upcoming_appointments")

RT_SESSIONS_SHOWN = 5


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def rt_sessions(patient: Patient, now: dt.datetime) -> list[Upcoming]:
    rows = (
        Booking.objects.filter(patient=patient, status="booked", start__gte=now)
        .select_related("machine")
        .order_by("start")[:RT_SESSIONS_SHOWN]
    )
    out = []
    for b in rows:
        prepare = [str(_("Arrive 15 minutes early and wear clothes that are easy to take off."))]
        if b.is_first:
            prepare.append(str(_("The first session takes longer: imaging before the treatment.")))
        if b.anesthesia:
            prepare.append(str(_("Sedation: no food for 6 hours and no milk for 4 hours before.")))
        out.append(
            Upcoming(
                key=f"rt:{b.pk}",
                kind="rt",
                kind_label=str(_("Radiotherapy session")),
                starts_at=b.start,
                on=_local_day(b.start),
                title=str(_("Radiotherapy")),
                where=f"{b.machine.name}" + (f" · {b.machine.room}" if b.machine.room else ""),
                prepare=" ".join(prepare),
            )
        )
    return out


def clinic_visits(patient: Patient, now: dt.datetime) -> list[Upcoming]:
    rows = (
        Appointment.objects.filter(patient=patient, status="booked", starts_at__gte=now)
        .select_related("session__template__center", "session__physician")
        .order_by("starts_at")[:10]
    )
    return [
        Upcoming(
            key=f"clinic:{a.pk}",
            kind="clinic",
            kind_label=str(_("Clinic visit")),
            starts_at=a.starts_at,
            on=_local_day(a.starts_at),
            title=f"{a.session.template.name} · {a.get_appointment_type_display()}",
            where=a.session.template.center.name_ko,
            prepare=str(
                _("Bring your patient card, your medication list and any results from elsewhere.")
            ),
        )
        for a in rows
    ]


def followup_items(patient: Patient, now: dt.datetime) -> list[Upcoming]:
    today = timezone.localdate(now)
    rows = DueItem.objects.filter(
        patient=patient, status="due", appointment__isnull=True, window_end__gte=today
    ).order_by("due_on")[:10]
    lang_ko = (translation.get_language() or "").startswith("ko")
    return [
        Upcoming(
            key=f"followup:{d.pk}",
            kind="followup",
            kind_label=str(_("Follow-up (to book)")),
            starts_at=None,
            on=d.due_on,
            title=d.name_ko if lang_ko else d.name_en,
            where="",
            prepare=str(_("Due by %(date)s: the center will call you, or ask below."))
            % {"date": d.window_end.isoformat()},
        )
        for d in rows
    ]


def upcoming(patient: Patient, now: dt.datetime | None = None) -> list[Upcoming]:
    """Every source's next appointments, in time order (one query per source)."""
    now = now or timezone.now()
    rows: list[Upcoming] = []
    for source in sorted(UPCOMING.providers(), key=lambda s: s.order):
        rows.extend(source.items(patient, now))

    def sort_key(u: Upcoming) -> tuple[dt.date, str]:
        return (u.on, timezone.localtime(u.starts_at).strftime("%H:%M") if u.starts_at else "99")

    return sorted(rows, key=sort_key)


def register_builtin_sources() -> None:
    UPCOMING.register(UpcomingSource("rt", rt_sessions, order=10))
    UPCOMING.register(UpcomingSource("clinic", clinic_visits, order=20))
    UPCOMING.register(UpcomingSource("followup", followup_items, order=30))
