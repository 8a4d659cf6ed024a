"""Reads for follow-up: worklists, plans, slot suggestions."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from oncocenter.clinics.models import Slot
from oncocenter.clinics.selectors import free_slots
from oncocenter.followup import protocols
from oncocenter.followup.models import DueItem, DueStatus, FollowUpEvent, FollowUpPlan
from oncocenter.patients.models import Patient


def overdue_items(*, today: dt.date | None = None, limit: int = 200) -> QuerySet[DueItem]:
    """Due items whose window has passed, in active plans, most overdue first."""
    today = today or timezone.localdate()
    return (
        DueItem.objects.filter(status=DueStatus.DUE, window_end__lt=today, plan__status="active")
        .select_related("patient", "plan__template")
        .order_by("window_end", "id")[:limit]
    )


def overdue_count(*, today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    return DueItem.objects.filter(
        status=DueStatus.DUE, window_end__lt=today, plan__status="active"
    ).count()


def due_soon(
    *, today: dt.date | None = None, days: int = 30, limit: int = 200
) -> QuerySet[DueItem]:
    """Items due within `days` whose window is still open, soonest first."""
    today = today or timezone.localdate()
    return (
        DueItem.objects.filter(
            status=DueStatus.DUE,
            due_on__lte=today + dt.timedelta(days=days),
            window_end__gte=today,
            plan__status="active",
        )
        .select_related("patient", "plan__template")
        .order_by("due_on", "id")[:limit]
    )


def patient_plans(*, patient: Patient) -> list[FollowUpPlan]:
    items = Prefetch(
        "items",
        queryset=DueItem.objects.select_related("appointment").order_by("due_on", "item_code"),
    )
    return list(
        FollowUpPlan.objects.filter(patient=patient)
        .select_related("template")
        .prefetch_related(items)
    )


def patient_events(*, patient: Patient) -> list[FollowUpEvent]:
    return list(FollowUpEvent.objects.filter(patient=patient).select_related("plan__template"))


def slot_suggestions(*, item: DueItem, today: dt.date | None = None, limit: int = 5) -> list[Slot]:
    """Free clinic slots for a due item: inside its window nearest the due date, or the soonest
    ones when it is overdue. Visits look for the appointment type the protocol names."""
    today = today or timezone.localdate()
    window = (item.window_end - item.due_on).days
    lo = max(today, item.due_on - dt.timedelta(days=window))
    hi = max(item.window_end, today + dt.timedelta(days=60))
    start = timezone.make_aware(dt.datetime.combine(lo, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(hi + dt.timedelta(days=1), dt.time.min))
    slots = free_slots(
        start=start, end=end, appointment_type=item.appointment_type or "follow-up", limit=300
    )
    first_by_date: dict[dt.date, list[Slot]] = {}
    for s in slots:
        first_by_date.setdefault(timezone.localtime(s.starts_at).date(), []).append(s)
    dates = protocols.rank_dates_for_due(
        due_on=item.due_on, window_days=window, candidates=first_by_date, today=today, limit=limit
    )
    out = []
    for d in dates:
        out.extend(first_by_date[d][:1])
    return out[:limit]
