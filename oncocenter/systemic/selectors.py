"""Reads of systemic therapy: an order's days with their release state, cost and co-payment,
the worklists (today's chair list with lab readiness, pharmacist queue, held days, cumulative
anthracycline warnings), and the treatment days drawn on lab trends and RT pages."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from oncocenter.core.errors import NotFound
from oncocenter.labs.models import LabResult
from oncocenter.oncology.models import CopayRegistration
from oncocenter.patients.models import Patient
from oncocenter.systemic import dosing
from oncocenter.systemic.models import DayRelease, Decision, OrderDose, OrderStatus, TherapyOrder
from oncocenter.systemic.services import HOLD_CODES, cumulative_anthracycline, day_checks

LIVE = [OrderStatus.SIGNED, OrderStatus.VERIFIED, OrderStatus.DRAFT]


def order_get(pk: int) -> TherapyOrder:
    o = (
        TherapyOrder.objects.select_related(
            "patient",
            "regimen",
            "diagnosis",
            "rt_course",
            "trial_enrollment__study",
            "ordered_by",
            "signed_by",
            "verified_by",
        )
        .filter(pk=pk)
        .first()
    )
    if o is None:
        raise NotFound(_("No therapy order %(id)s.") % {"id": pk})
    return o


def order_days(order: TherapyOrder) -> list[dict[str, Any]]:
    """Each treatment day: its doses (with the administration), its latest decision, its checks."""
    doses = list(
        order.doses.select_related("drug", "administration__nurse", "administration__checker")
    )
    decisions: dict[int, DayRelease] = {}
    for rel in order.releases.select_related("by").order_by("at", "id"):
        decisions[rel.day] = rel
    by_day: dict[int, list[OrderDose]] = defaultdict(list)
    for d in doses:
        by_day[d.day].append(d)
    out = []
    for day in sorted(by_day):
        out.append(
            {
                "day": day,
                "on": by_day[day][0].on,
                "doses": by_day[day],
                "decision": decisions.get(day),
                "released": decisions.get(day) is not None
                and decisions[day].decision != Decision.HELD,
            }
        )
    return out


def readiness(order: TherapyOrder, day: int) -> list[dosing.HoldCheck]:
    return day_checks(order, day)


def copay_registered(patient: Patient, on: dt.date) -> CopayRegistration | None:
    return (
        CopayRegistration.objects.filter(patient=patient, registered_on__lte=on, expires_on__gte=on)
        .order_by("-registered_on")
        .first()
    )


def cost_estimate(order: TherapyOrder) -> dict[str, Any]:
    """Drug and treatment cost of the cycle (KRW) and the patient's share: 5 % under the
    severe-illness (cancer) registration valid on day 1, else the general share (example)."""
    lines = []
    drug_total = Decimal(0)
    doses = list(order.doses.select_related("drug"))
    per_drug: dict[str, dict[str, Any]] = {}
    for d in doses:
        line = per_drug.setdefault(
            d.drug.drug,
            {
                "drug": d.drug.drug,
                "mg": Decimal(0),
                "price_per_mg": d.drug.price_per_mg_krw,
                "days": 0,
            },
        )
        line["mg"] += d.planned_mg
        line["days"] += 1
    for line in per_drug.values():
        line["cost"] = (line["mg"] * line["price_per_mg"]).quantize(Decimal("1"))
        drug_total += line["cost"]
        lines.append(line)
    days = len({d.day for d in doses})
    fee = (order.regimen.chair_fee_krw * days).quantize(Decimal("1"))
    total = drug_total + fee
    reg = copay_registered(order.patient, order.start_date)
    rate, share = dosing.copay(total, reg is not None)
    return {
        "lines": lines,
        "drug_total": drug_total,
        "days": days,
        "fee_per_day": order.regimen.chair_fee_krw,
        "fee_total": fee,
        "total": total,
        "registration": reg,
        "rate_percent": (rate * 100).quantize(Decimal("1")),
        "patient_share": share,
        "insurer_share": total - share,
    }


def cumulative(patient: Patient) -> dict[str, Any]:
    age = patient.age_on(timezone.localdate())
    total = cumulative_anthracycline(patient)
    limit = dosing.anthracycline_limit(age)
    return {
        "total": total,
        "limit": limit,
        "percent": (total / limit * 100).quantize(Decimal("1")),
        "warn": total >= limit * Decimal("0.8"),
    }


def orders_of(patient: Patient) -> QuerySet[TherapyOrder]:
    return (
        TherapyOrder.objects.filter(patient=patient)
        .select_related("regimen", "rt_course")
        .order_by("-start_date", "-id")
    )


def verification_queue() -> QuerySet[TherapyOrder]:
    return (
        TherapyOrder.objects.filter(status=OrderStatus.SIGNED)
        .select_related("patient", "regimen", "signed_by")
        .order_by("start_date", "id")
    )


def _day_values(patient_ids: set[int], on: dt.date) -> dict[int, dict[str, Decimal | None]]:
    """The latest hold-parameter values of each patient collected on `on` or the day before
    (what ``services.day_checks`` reads), for many patients in one query."""
    start = timezone.make_aware(dt.datetime.combine(on - dt.timedelta(days=1), dt.time()))
    values: dict[int, dict[str, Decimal | None]] = defaultdict(dict)
    for pid, code, value in (
        LabResult.objects.filter(
            patient_id__in=patient_ids,
            analyte__code__in=HOLD_CODES,
            status__in=["final", "corrected"],
            collected_at__gte=start,
            collected_at__lt=start + dt.timedelta(days=2),
        )
        .order_by("collected_at", "id")
        .values_list("patient_id", "analyte__code", "value")
    ):
        values[pid][code] = value
    return values


def today_list(on: dt.date, center: str = "") -> list[dict[str, Any]]:
    """Patients with doses on `on`, per unit (the regimen's center), with lab readiness against
    each regimen's hold parameters. Three queries, whatever the length of the list."""
    qs = OrderDose.objects.filter(
        on=on, order__status__in=[OrderStatus.VERIFIED, OrderStatus.SIGNED, OrderStatus.COMPLETED]
    )
    if center:
        qs = qs.filter(order__regimen__center=center)
    rows: dict[tuple[int, int], dict[str, Any]] = {}
    for d in qs.select_related("order__patient", "order__regimen", "drug", "administration"):
        key = (d.order_id, d.day)
        r = rows.setdefault(key, {"order": d.order, "day": d.day, "doses": [], "given": 0})
        r["doses"].append(d)
        r["given"] += int(hasattr(d, "administration"))
    decisions: dict[tuple[int, int], DayRelease] = {}
    for rel in DayRelease.objects.filter(order_id__in={k[0] for k in rows}, on=on).order_by(
        "at", "id"
    ):
        decisions[(rel.order_id, rel.day)] = rel
    labs = _day_values({r["order"].patient_id for r in rows.values()}, on)
    out = []
    for key, r in sorted(
        rows.items(), key=lambda kv: (kv[1]["order"].regimen.center, kv[1]["order"].patient.mrn)
    ):
        order = r["order"]
        r["decision"] = decisions.get(key)
        r["checks"] = dosing.hold_checks(
            order.regimen.hold_parameters(),  # type: ignore[arg-type]
            labs.get(order.patient_id, {}),
        )
        r["ready"] = order.status == OrderStatus.VERIFIED and all(c.met for c in r["checks"])
        out.append(r)
    return out


def held_days(since: dt.date) -> list[DayRelease]:
    """Days held and not released since (two queries)."""
    held = list(
        DayRelease.objects.filter(decision=Decision.HELD, on__gte=since)
        .select_related("order__patient", "order__regimen", "order__rt_course", "by")
        .order_by("-on", "-id")[:300]
    )
    released = set(
        DayRelease.objects.filter(
            order_id__in={h.order_id for h in held},
            decision__in=[Decision.RELEASED, Decision.OVERRIDDEN],
        ).values_list("order_id", "day")
    )
    seen: set[tuple[int, int]] = set()
    out = []
    for h in held:
        key = (h.order_id, h.day)
        if key in released or key in seen:
            continue
        seen.add(key)
        out.append(h)
    return out


def cumulative_warnings() -> list[dict[str, Any]]:
    """Patients at or above 80 % of their lifetime anthracycline limit. Two queries."""
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for pid, dose_eq, given, planned in (
        OrderDose.objects.filter(dox_eq_mg_m2__gt=0)
        .exclude(order__status=OrderStatus.CANCELLED)
        .values_list("order__patient_id", "dox_eq_mg_m2", "administration__given_mg", "planned_mg")
    ):
        totals[pid] += (given / planned * dose_eq) if given is not None and planned else dose_eq
    today = timezone.localdate()
    out = []
    for p in Patient.objects.filter(pk__in=list(totals)):
        limit = dosing.anthracycline_limit(p.age_on(today))
        total = totals[p.pk].quantize(Decimal("0.1"))
        if total >= limit * Decimal("0.8"):
            out.append(
                {
                    "patient": p,
                    "total": total,
                    "limit": limit,
                    "percent": (total / limit * 100).quantize(Decimal("1")),
                    "warn": True,
                }
            )
    return out


def treatment_days(patient: Patient, since: dt.date, until: dt.date) -> list[tuple[dt.date, str]]:
    """For the lab trend charts: each day with a dose of a live or completed order (one query)."""
    rows = (
        OrderDose.objects.filter(order__patient=patient, on__gte=since, on__lte=until)
        .exclude(order__status=OrderStatus.CANCELLED)
        .values_list("on", "order__regimen__code", "day")
        .distinct()
    )
    seen: dict[dt.date, str] = {}
    for on, code, day in rows:
        seen.setdefault(on, f"{code} D{day}")
    return sorted(seen.items())


def concurrent_for_course(course_id: int) -> list[dict[str, Any]]:
    """Chemotherapy linked to an RT course: each day with its decision (held days visible)."""
    out = []
    for order in (
        TherapyOrder.objects.filter(rt_course_id=course_id)
        .exclude(status=OrderStatus.CANCELLED)
        .select_related("regimen")
    ):
        out.append({"order": order, "days": order_days(order)})
    return out
