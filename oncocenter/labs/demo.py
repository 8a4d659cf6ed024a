"""Demo data of laboratory medicine: a blood count and chemistry for some patients of every center,
ordered by their team, with critical values waiting on the ordering team's worklist (one
acknowledged). Written through the services (flags, ranges and audit as in real use); only when the
demo's today is the real today, since results may not be in the future."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from oncocenter.core.errors import DomainError
from oncocenter.labs import services
from oncocenter.patients.models import Center


def seed(ctx: Any) -> None:
    counts: dict[str, int] = {"orders": 0, "results": 0, "critical": 0, "acknowledged": 0}
    ctx.counts["labs"] = counts
    if ctx.today != timezone.localdate():
        counts["skipped_not_today"] = 1
        return
    rng = ctx.rng
    doctors = {
        "esophageal": "medical_oncologist",
        "pediatric": "pediatric_oncologist",
        "radonc": "radiation_oncologist",
    }
    nurse = (ctx.staff.get("nurse") or [None])[0]
    if nurse is None:
        return
    centers = {c.code: c for c in Center.objects.all()}
    for code, role in doctors.items():
        doctor = (ctx.staff.get(role) or [None])[0]
        if doctor is None:
            continue
        for i, p in enumerate(ctx.patients_by_center.get(code, [])[20:32]):
            when = timezone.make_aware(
                dt.datetime.combine(
                    ctx.today - dt.timedelta(days=rng.randint(0, 2)), dt.time(6, 40)
                )
            )
            if when.date() < p.birth_date:
                continue
            order = services.lab_order_create(
                patient=p,
                by=doctor,
                analyte_codes=["anc", "plt", "hgb", "creat", "k"],
                center=centers[code],
                ordered_at=when,
            )
            counts["orders"] += 1
            critical = i % 4 == 0
            values = {
                "751-8": ("0.3" if critical else f"{rng.uniform(1.6, 5):.1f}", "10*9/L"),
                "777-3": (
                    str(rng.randint(15, 19) if critical and i % 8 == 0 else rng.randint(140, 320)),
                    "10*9/L",
                ),
                "718-7": (f"{rng.uniform(10.5, 14.5):.1f}", "g/dL"),
                "2160-0": (f"{rng.uniform(0.4, 1.1):.2f}", "mg/dL"),
                "2823-3": (f"{rng.uniform(3.6, 4.8):.1f}", "mmol/L"),
            }
            for loinc, (value, unit) in values.items():
                try:
                    r = services.lab_result_record(
                        patient=p,
                        by=nurse,
                        loinc=loinc,
                        value=value,
                        unit=unit,
                        collected_at=when,
                        resulted_at=when + dt.timedelta(hours=1),
                        order=order,
                        accession=f"DEMO-{order.pk}-{loinc}",
                        source="hl7",
                    )
                except DomainError:
                    continue
                counts["results"] += 1
                if r.result.critical:
                    counts["critical"] += 1
                    if counts["acknowledged"] == 0:
                        services.lab_critical_acknowledge(
                            result=r.result,
                            by=doctor,
                            communicated_to="charge nurse",
                            action="repeat count; neutropenic precautions",
                        )
                        counts["acknowledged"] += 1
