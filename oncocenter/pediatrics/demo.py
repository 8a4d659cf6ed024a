"""Demo data of the pediatric record: profiles, measurements with BSA, HSCT episodes.

Called by ``oncocenter.demo.seed`` with the shared context (fixed seed). Profiles and
measurements are written with the ORM in bulk for speed, with values that satisfy every rule the
services enforce; HSCT episodes go through the service, so that they appear on the treatment
timeline the way a real one does.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from oncocenter.oncology.models import Diagnosis
from oncocenter.pediatrics import calc, services
from oncocenter.pediatrics.models import (
    BodyMeasurement,
    GVHDEntry,
    HSCTComplication,
    PediatricProfile,
)
from oncocenter.pediatrics.rules import SupportRuleError

# (ICD-10 prefix, ICD-O-3 morphology or "") -> indication, donor, HLA, conditioning.
INDICATIONS = [
    (("C91.0", ""), ("ALL, second complete remission", "unrelated", "10/10", "tbi_vp16")),
    (("C92.0", ""), ("AML, first complete remission, high risk", "related", "8/8", "bu_flu")),
    (("C74", "9500/3"), ("High-risk neuroblastoma, consolidation", "autologous", "", "bu_mel")),
    (
        ("C71", "9470/3"),
        ("Medulloblastoma, tandem autologous", "autologous", "", "thio_carbo_etop"),
    ),
    (("D61", ""), ("Severe aplastic anemia", "related_haplo", "5/10", "flu_cy_atg")),
    (("C81", ""), ("Relapsed Hodgkin lymphoma", "autologous", "", "beam")),
]


def _indication(icd10: str, morphology: str) -> tuple[str, str, str, str] | None:
    for (prefix, morph), value in INDICATIONS:
        if icd10.startswith(prefix) and (not morph or morph == morphology):
            return value
    return None


def _bsa_row(patient: Any, on: dt.date, shift_cm: float, bmi: float) -> BodyMeasurement | None:
    age = max(calc.age_in_years(patient.birth_date, on), 0.2)
    # Rough growth curve: height ~ 50 + 6.5 cm/year to 16 (shifted per child), weight from BMI.
    height = min(50 + 6.5 * min(age, 16) + shift_cm, 190)
    weight = max(2.5, (height / 100) ** 2 * bmi)
    try:
        r = calc.bsa_mosteller(height=height, weight=weight)
    except SupportRuleError:
        return None
    return BodyMeasurement(
        patient=patient,
        measured_on=on,
        height_cm=Decimal(str(r.height_cm)),
        weight_kg=Decimal(str(r.weight_kg)),
        bsa_m2=Decimal(str(r.bsa_m2)),
    )


def children_of(ctx: Any) -> list[Any]:
    """The children of the pediatric center born before the demo's today (every service seeds
    them)."""
    return [p for p in ctx.patients_by_center.get("pediatric", []) if p.birth_date < ctx.today]


def seed(ctx: Any) -> None:
    rng, today = ctx.rng, ctx.today
    children = children_of(ctx)
    counts: dict[str, int] = {}

    # Profiles and measurements (three over the last months for every child).
    PediatricProfile.objects.bulk_create(
        [
            PediatricProfile(
                patient=c,
                sedation_required=c.age_on(today) < 6,
                sedation_notes="Propofol by the anesthesia team; fasting from midnight"
                if c.age_on(today) < 6
                else "",
            )
            for c in children
        ]
    )
    rows = []
    for c in children:
        shift_cm, bmi = rng.uniform(-6, 6), rng.uniform(14, 20)
        for months in (6, 3, 0):
            on = max(today - dt.timedelta(days=30 * months), c.birth_date + dt.timedelta(days=30))
            if on <= today:
                m = _bsa_row(c, on, shift_cm, bmi)
                if m:
                    rows.append(m)
    BodyMeasurement.objects.bulk_create(rows)
    counts["measurements"] = len(rows)

    # HSCT episodes for children whose diagnosis is a transplant indication (clinical demo).
    by_child = {c.pk: c for c in children}
    diagnoses = (
        Diagnosis.objects.filter(patient_id__in=by_child, is_primary=True)
        .order_by("patient_id", "diagnosed_on")
        .values_list("patient_id", "icd10_code", "icdo3_morphology", "diagnosed_on")
    )
    candidates: list[tuple[Any, tuple[str, str, str, str], dt.date]] = []
    seen: set[int] = set()
    for pid, icd10, morphology, diagnosed_on in diagnoses:
        found = _indication(icd10, morphology)
        if found and pid not in seen:
            seen.add(pid)
            candidates.append((by_child[pid], found, diagnosed_on))
    statuses = []
    doctor = ctx.staff["pediatric_oncologist"][0]
    for i, (c, (indication, donor, hla, regimen), diagnosed_on) in enumerate(candidates):
        offset = [-5, 8, 21, 60, 150, 400][i % 6]
        day0 = today - dt.timedelta(days=offset)
        if day0 - dt.timedelta(days=7) < max(diagnosed_on, c.birth_date + dt.timedelta(days=120)):
            continue
        engraft = day0 + dt.timedelta(days=rng.randint(12, 24)) if offset > 24 else None
        status = (
            "conditioning"
            if offset < 0
            else ("infused" if engraft is None else ("engrafted" if offset < 100 else "completed"))
        )
        ep = services.hsct_episode_create(
            patient=c,
            by=doctor,
            indication=indication,
            donor_type=donor,
            stem_cell_source="cord_blood"
            if donor == "cord_blood"
            else ("peripheral_blood" if donor == "autologous" else "bone_marrow"),
            hla_match=hla,
            conditioning_regimen=regimen,
            conditioning_start=day0 - dt.timedelta(days=7),
            day0=day0,
            neutrophil_engraftment_on=engraft,
            status=status,
        )
        statuses.append(status)
        if engraft and donor not in ("autologous",):
            GVHDEntry.objects.create(
                episode=ep,
                kind="acute",
                organ="skin",
                stage=rng.randint(1, 3),
                observed_on=engraft + dt.timedelta(days=5),
            )
        if offset > 100 and donor != "autologous":
            GVHDEntry.objects.create(
                episode=ep,
                kind="chronic",
                organ="mouth",
                stage=1,
                observed_on=day0 + dt.timedelta(days=100),
            )
        if offset > 10:
            HSCTComplication.objects.create(
                episode=ep,
                kind="mucositis",
                onset_on=day0 + dt.timedelta(days=3),
                grade=rng.randint(1, 3),
                resolved_on=day0 + dt.timedelta(days=10),
            )
    counts["hsct_episodes"] = len(statuses)
    ctx.counts["pediatrics"] = counts
