"""Demo data of systemic therapy and its laboratory results, for both centers.

Esophageal Cancer Center: CROSS with radiotherapy (weekly, some in week 3 with a low ANC held or
overridden), definitive cisplatin/5-FU and FLOT. Pediatric division: ALL induction, Wilms and
neuroblastoma cycles. Written through the services (so every rule holds and every row is audited),
with their labs, releases and two-nurse administrations up to today. The services check dates
against the clock, so this seeder runs only when the demo's today is the real today.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from oncocenter.accounts.models import User
from oncocenter.core.errors import DomainError
from oncocenter.labs.services import lab_result_record
from oncocenter.oncology.models import Diagnosis
from oncocenter.patients.models import Patient
from oncocenter.radiotherapy.models import Course
from oncocenter.systemic import services
from oncocenter.systemic.models import Regimen


def _at(on: dt.date, hour: int = 7) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(on, dt.time(hour, 30)))


def _labs(
    patient: Patient, by: User, on: dt.date, anc: str, plt: str = "180", creat: str = "0.8"
) -> None:
    collected, resulted = _at(on), _at(on, 9)
    latest = timezone.now() - dt.timedelta(minutes=1)
    if resulted > latest:
        # Seeded before 09:30 (just after midnight, say), today's morning labs are still to
        # come: take them a minute ago instead, or the service refuses a future result.
        resulted, collected = latest, min(collected, latest - dt.timedelta(minutes=1))
    for loinc, value, unit in (
        ("751-8", anc, "10*9/L"),
        ("777-3", plt, "10*9/L"),
        ("718-7", "11.2", "g/dL"),
        ("2160-0", creat, "mg/dL"),
        ("1975-2", "0.6", "mg/dL"),
        ("1751-7", "3.6", "g/dL"),
    ):
        lab_result_record(
            patient=patient,
            by=by,
            loinc=loinc,
            value=value,
            unit=unit,
            collected_at=collected,
            resulted_at=resulted,
        )


def _size(age: int) -> tuple[Decimal, Decimal]:
    if age >= 16:
        return Decimal("168"), Decimal("61")
    return Decimal(80 + 6 * age), Decimal(10 + Decimal("2.6") * age).quantize(Decimal("0.1"))


def _run(
    ctx: Any,
    patient: Patient,
    regimen: Regimen,
    doctor: User,
    pharmacist: User,
    nurses: list[User],
    start: dt.date,
    low_week: int | None,
    course: Course | None,
    counts: dict[str, int],
    leave_signed: bool = False,
) -> None:
    today = ctx.today
    dx = Diagnosis.objects.filter(patient=patient).first()
    if dx is None:
        return
    h, w = _size(patient.age_on(start))
    services.measurement_record(
        patient=patient, by=nurses[0], height_cm=h, weight_kg=w, measured_on=start
    )
    _labs(patient, nurses[0], start, "3.1")
    order = services.order_create(
        patient=patient,
        by=doctor,
        regimen=regimen,
        diagnosis=dx,
        start_date=start,
        rt_course=course,
    )
    services.order_sign(order=order, by=doctor)
    if leave_signed:
        counts["awaiting_verification"] += 1
        return
    services.order_verify(order=order, by=pharmacist)
    counts["orders"] += 1
    days = sorted({d.day: d.on for d in order.doses.all()}.items())
    for day, on in days:
        if on > today:
            break
        low = low_week is not None and day == 1 + 7 * (low_week - 1)
        if day != 1:
            _labs(patient, nurses[0], on, "0.8" if low else f"{ctx.rng.uniform(1.6, 4.0):.1f}")
        if low:
            services.day_hold(order=order, day=day, by=nurses[0], reason="ANC 0.8 x10^9/L")
            counts["held"] += 1
            if ctx.rng.random() < 0.5:
                services.day_release(
                    order=order,
                    day=day,
                    by=doctor,
                    override_reason="ANC recovering, clinically well; proceed",
                )
                counts["overridden"] += 1
            else:
                continue
        else:
            services.day_release(order=order, day=day, by=nurses[1])
        if on == today:
            continue  # today's doses wait for the chair
        for dose in order.doses.filter(day=day).select_related("drug"):
            start_at = _at(on, 10)
            services.administration_record(
                dose=dose,
                by=nurses[0],
                checker=nurses[1],
                given_mg=dose.planned_mg,
                route=dose.drug.route,
                product_expiry=today + dt.timedelta(days=90),
                started_at=start_at,
                stopped_at=start_at + dt.timedelta(minutes=max(dose.drug.infusion_minutes, 5)),
                identifiers=["name", "birth_date"],
            )
            counts["administrations"] += 1


def seed(ctx: Any) -> None:
    counts: dict[str, int] = {
        "orders": 0,
        "awaiting_verification": 0,
        "held": 0,
        "overridden": 0,
        "administrations": 0,
    }
    ctx.counts["systemic"] = counts
    if ctx.today != timezone.localdate():
        counts["skipped_not_today"] = 1
        return
    staff = ctx.staff
    pharmacist = (staff.get("pharmacist") or [None])[0]
    nurses = staff.get("nurse", [])[:2]
    medonc = (staff.get("medical_oncologist") or [None])[0]
    pedonc = (staff.get("pediatric_oncologist") or [None])[0]
    if not (pharmacist and medonc and pedonc and len(nurses) == 2):
        return
    rng, today = ctx.rng, ctx.today
    regimens = {r.code: r for r in Regimen.objects.all()}
    adults = [p for p in ctx.patients_by_center.get("esophageal", []) if p.age_on(today) >= 18][:14]
    for i, p in enumerate(adults):
        code = ("cross", "cross", "cross", "cis-5fu-crt", "flot")[i % 5]
        low_week = 3 if i % 3 == 0 and code == "cross" else None
        start = (
            today - dt.timedelta(days=7 * (2 if low_week else rng.randint(0, 4)))
            if code == "cross"
            else today - dt.timedelta(days=rng.randint(0, 10))
        )
        course = None
        if code in ("cross", "cis-5fu-crt"):
            course = (
                Course.objects.filter(patient=p)
                .exclude(status__in=["completed", "stopped", "entered-in-error"])
                .first()
            )
        try:
            _run(
                ctx,
                p,
                regimens[code],
                medonc,
                pharmacist,
                nurses,
                start,
                low_week,
                course,
                counts,
                leave_signed=i == len(adults) - 1,
            )
        except DomainError:
            counts["refused"] = counts.get("refused", 0) + 1
    children = [
        p for p in ctx.patients_by_center.get("pediatric", []) if 1 <= p.age_on(today) < 18
    ][:10]
    for i, p in enumerate(children):
        code = ("all-induction", "wilms-ee4a", "nb-topo-cyclo")[i % 3]
        start = today - dt.timedelta(days=rng.randint(0, 14))
        try:
            _run(
                ctx,
                p,
                regimens[code],
                pedonc,
                pharmacist,
                nurses,
                start,
                None,
                None,
                counts,
                leave_signed=i == len(children) - 1,
            )
        except DomainError:
            counts["refused"] = counts.get("refused", 0) + 1
