"""Upcoming appointments as the portal shows them, gathered from every area that books patients.

Each area contributes an `UpcomingSource`: `items(patient, now)` runs one query and returns the
patient's next appointments from that area. RT sessions, clinic visits and follow-up items are
registered by this app (it sits above them), and so are chemotherapy days of the systemic-therapy
app (signed or verified orders only; a held day is shown as postponed). Pages, reminders and
documents read this list and nothing else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from oncocenter.clinics.models import Appointment
from oncocenter.core.events import Hook
from oncocenter.followup.models import DueItem
from oncocenter.patients.models import Patient
from oncocenter.scheduling.models import Booking
from oncocenter.systemic.models import DayRelease, Decision, OrderDose, OrderStatus


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


CHEMO_DAYS_SHOWN = 10


def chemo_days(patient: Patient, now: dt.datetime) -> list[Upcoming]:
    """Treatment days of the patient's signed or verified chemotherapy orders (one query)."""
    today = timezone.localdate(now)
    held = DayRelease.objects.filter(
        order=OuterRef("order"), day=OuterRef("day"), decision=Decision.HELD
    )
    released = DayRelease.objects.filter(
        order=OuterRef("order"),
        day=OuterRef("day"),
        decision__in=[Decision.RELEASED, Decision.OVERRIDDEN],
    )
    rows = (
        OrderDose.objects.filter(
            order__patient=patient,
            order__status__in=[OrderStatus.SIGNED, OrderStatus.VERIFIED],
            on__gte=today,
        )
        .annotate(held=Exists(held), released=Exists(released))
        .values(
            "order_id",
            "day",
            "on",
            "held",
            "released",
            "order__cycle",
            "order__regimen__name",
            "order__regimen__name_ko",
            "order__regimen__premedication",
        )
        .distinct()
        .order_by("on", "order_id", "day")[: CHEMO_DAYS_SHOWN * 4]
    )
    lang_ko = (translation.get_language() or "").startswith("ko")
    seen: set[tuple[int, int]] = set()
    out: list[Upcoming] = []
    for r in rows:
        k = (r["order_id"], r["day"])
        if k in seen:
            continue
        seen.add(k)
        name = r["order__regimen__name_ko"] if lang_ko else r["order__regimen__name"]
        if r["held"] and not r["released"]:
            prepare = str(_("Postponed by your team: they will tell you the new date."))
        else:
            prepare = str(
                _(
                    "Blood tests come first on the day: allow half a day, eat normally, bring "
                    "your medication list and something warm to wear."
                )
            )
            if r["order__regimen__premedication"]:
                prepare += " " + str(_("Take the premedication as your team told you."))
        out.append(
            Upcoming(
                key=f"chemo:{r['order_id']}:{r['day']}",
                kind="chemo",
                kind_label=str(_("Chemotherapy day")),
                starts_at=None,
                on=r["on"],
                title=str(_("%(regimen)s · cycle %(cycle)s, day %(day)s"))
                % {"regimen": name, "cycle": r["order__cycle"], "day": r["day"]},
                where=str(_("Day treatment unit")),
                prepare=prepare,
                can_change=False,
            )
        )
        if len(out) >= CHEMO_DAYS_SHOWN:
            break
    return out


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
    UPCOMING.register(UpcomingSource("chemo", chemo_days, order=25))
    UPCOMING.register(UpcomingSource("followup", followup_items, order=30))
