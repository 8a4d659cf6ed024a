"""Reads of laboratory medicine: a patient's results, the trend charts with treatment days, the
critical-value worklist of the ordering team. The query count does not grow with the data."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.core.errors import NotFound
from oncocenter.labs import chart, hooks
from oncocenter.labs.models import Analyte, LabResult, ResultStatus, Transfusion
from oncocenter.patients.models import Patient

LIVE = [ResultStatus.FINAL, ResultStatus.CORRECTED]
TREND_CODES = ("anc", "plt", "hgb", "creat", "tbil", "alb")


def result_get(pk: int) -> LabResult:
    row = LabResult.objects.select_related("patient", "analyte").filter(pk=pk).first()
    if row is None:
        raise NotFound(_("No lab result %(id)s.") % {"id": pk})
    return row


def live_results(patient: Patient) -> QuerySet[LabResult]:
    return (
        LabResult.objects.filter(patient=patient, status__in=LIVE)
        .select_related("analyte", "acknowledgement")
        .order_by("-collected_at", "-id")
    )


def values_on(patient: Patient, code: str, since: dt.date) -> list[tuple[dt.date, Decimal]]:
    """(local date, value) of a numeric analyte from a date on, oldest first."""
    rows = (
        LabResult.objects.filter(
            patient=patient,
            analyte__code=code,
            status__in=LIVE,
            value__isnull=False,
            collected_at__date__gte=since - dt.timedelta(days=1),
        )
        .order_by("collected_at")
        .values_list("collected_at", "value")
    )
    out = []
    for at, value in rows:
        local = timezone.localtime(at).date()
        if local >= since and value is not None:
            out.append((local, value))
    return out


def latest_by_code(
    patient: Patient, codes: tuple[str, ...], on: dt.date | None = None
) -> dict[str, LabResult]:
    """The latest live result per analyte code (collected on `on` when given). One query."""
    qs = LabResult.objects.filter(patient=patient, analyte__code__in=codes, status__in=LIVE)
    if on is not None:
        start = timezone.make_aware(dt.datetime.combine(on, dt.time()))
        qs = qs.filter(collected_at__gte=start, collected_at__lt=start + dt.timedelta(days=1))
    latest: dict[str, LabResult] = {}
    for r in qs.select_related("analyte").order_by("collected_at", "id"):
        latest[r.analyte.code] = r
    return latest


def trend_charts(
    patient: Patient, *, days: int = 120, empty_text: str = ""
) -> list[dict[str, Any]]:
    """One SVG per trend analyte (ANC, platelets, Hb, creatinine, bilirubin, albumin) with the
    treatment days the higher apps report. Two queries plus one per hook provider."""
    until = timezone.localdate()
    since = until - dt.timedelta(days=days)
    analytes = {
        a.code: a for a in Analyte.objects.filter(code__in=TREND_CODES).prefetch_related("ranges")
    }
    start = timezone.make_aware(dt.datetime.combine(since, dt.time()))
    series: dict[str, list[chart.Point]] = defaultdict(list)
    last: dict[str, LabResult] = {}
    for r in (
        LabResult.objects.filter(
            patient=patient,
            analyte__code__in=TREND_CODES,
            status__in=LIVE,
            value__isnull=False,
            collected_at__gte=start,
        )
        .select_related("analyte")
        .order_by("collected_at", "id")
    ):
        assert r.value is not None
        series[r.analyte.code].append(
            chart.Point(timezone.localtime(r.collected_at), float(r.value), r.flag != "normal")
        )
        last[r.analyte.code] = r
    markers: list[chart.DayMarker] = []
    for provider in hooks.TREATMENT_DAYS.providers():
        markers.extend(chart.DayMarker(on, label) for on, label in provider(patient, since, until))
    out = []
    for code in TREND_CODES:
        analyte = analytes.get(code)
        if analyte is None:
            continue
        ref = last.get(code)
        crit_low = crit_high = None
        if ref is not None:
            # Critical lines from the catalogue band the latest value was flagged against.
            ranges = [r for r in analyte.ranges.all() if r.sex in ("any", patient.sex)]
            if ranges:
                crit_low = next(
                    (float(r.critical_low) for r in ranges if r.critical_low is not None), None
                )
                crit_high = next(
                    (float(r.critical_high) for r in ranges if r.critical_high is not None), None
                )
        out.append(
            {
                "code": code,
                "analyte": analyte,
                "count": len(series[code]),
                "svg": chart.trend_svg(
                    title=analyte.name_ko
                    if (translation.get_language() or "").startswith("ko")
                    else analyte.name,
                    unit=analyte.unit,
                    points=series[code],
                    low=float(ref.ref_low) if ref is not None and ref.ref_low is not None else None,
                    high=float(ref.ref_high)
                    if ref is not None and ref.ref_high is not None
                    else None,
                    critical_low=crit_low,
                    critical_high=crit_high,
                    markers=markers,
                    empty_text=empty_text or _("No results"),
                ),
            }
        )
    return out


def critical_unacknowledged(
    *, user: User | None = None, center_code: str = ""
) -> QuerySet[LabResult]:
    """Critical values nobody acknowledged yet: those of the user's own orders, of orders of the
    given center, or (neither given) all of them."""
    qs = LabResult.objects.filter(critical=True, status__in=LIVE, acknowledgement__isnull=True)
    if user is not None:
        qs = qs.filter(Q(order__ordered_by=user) | Q(order__isnull=True, recorded_by=user))
    if center_code:
        qs = qs.filter(order__center__code=center_code)
    return qs.select_related("patient", "analyte", "order__ordered_by", "order__center").order_by(
        "collected_at"
    )


def transfusions_of(patient: Patient) -> QuerySet[Transfusion]:
    return Transfusion.objects.filter(patient=patient).select_related(
        "ordered_by", "given_by", "checked_by"
    )


def platelet_transfusion_days(patient: Patient, since: dt.date) -> list[dt.date]:
    rows = Transfusion.objects.filter(
        patient=patient,
        product="platelets",
        status="given",
        given_at__date__gte=since - dt.timedelta(days=8),
    ).values_list("given_at", flat=True)
    return [timezone.localtime(at).date() for at in rows if at is not None]
