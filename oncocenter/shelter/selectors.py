"""Reads of the family shelter: ranked waitlist, tonight's rooms, yearly counts for the reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet

from oncocenter.pediatrics.labels import language
from oncocenter.shelter import calc
from oncocenter.shelter.models import (
    ShelterRoom,
    ShelterStay,
    ShelterWaitlistEntry,
    StayStatus,
    WaitlistStatus,
)


def shelter_weights() -> calc.RankingWeights:
    """Weights from the setting ONCOCENTER_SHELTER_WEIGHTS (a dict) or the data file."""
    custom = getattr(settings, "ONCOCENTER_SHELTER_WEIGHTS", None)
    return calc.RankingWeights(**custom) if custom else calc.RankingWeights.from_data()


def waitlist_ranked(weights: calc.RankingWeights | None = None) -> list[dict[str, Any]]:
    """Waiting families, best first, each with the points of every factor (user's language)."""
    entries = {
        e.pk: e
        for e in ShelterWaitlistEntry.objects.filter(status=WaitlistStatus.WAITING).select_related(
            "patient"
        )
    }
    ranked = calc.rank_waitlist(
        [
            calc.WaitlistCandidate(
                key=e.pk,
                distance_km=float(e.distance_km),
                financial_need=e.financial_need,
                treatment_intensity=e.treatment_intensity,
                requested_on=e.requested_on,
            )
            for e in entries.values()
        ],
        weights or shelter_weights(),
        lang=language(),
    )
    return [
        {"entry": entries[r.key], "rank": r.rank, "score": r.score, "reasons": r.reasons}
        for r in ranked
    ]


def room_occupancy(on: dt.date) -> list[dict[str, Any]]:
    """Every room with the stay covering the night of ``on`` (or None)."""
    stays = {
        s.room_id: s
        for s in ShelterStay.objects.filter(check_in__lte=on)
        .filter(Q(check_out__isnull=True) | Q(check_out__gt=on))
        .exclude(status=StayStatus.CANCELLED)
        .select_related("patient")
    }
    return [
        {"room": r, "stay": stays.get(r.pk)}
        for r in ShelterRoom.objects.filter(active=True).select_related("house")
    ]


def active_stays() -> QuerySet[ShelterStay]:
    return ShelterStay.objects.filter(status=StayStatus.ACTIVE).select_related(
        "room__house", "patient"
    )


def families_housed_per_year(years: list[int], until: dt.date) -> list[int]:
    """Families who checked in, per calendar year (for the reports)."""
    return [
        ShelterStay.objects.exclude(status=StayStatus.CANCELLED)
        .filter(check_in__year=y)
        .values("patient")
        .distinct()
        .count()
        for y in years
    ]


def nights_per_year(years: list[int], until: dt.date) -> list[int]:
    """Nights spent in the shelter per calendar year; a stay still open counts up to ``until``."""
    nights = []
    for y in years:
        start, end = dt.date(y, 1, 1), dt.date(y + 1, 1, 1)
        total = 0
        for s in (
            ShelterStay.objects.exclude(status=StayStatus.CANCELLED)
            .filter(check_in__lt=end)
            .filter(Q(check_out__isnull=True) | Q(check_out__gt=start))
        ):
            a = max(s.check_in, start)
            b = min(s.check_out or min(until + dt.timedelta(days=1), end), end)
            total += max((b - a).days, 0)
        nights.append(total)
    return nights
