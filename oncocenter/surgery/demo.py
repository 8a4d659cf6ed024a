"""Demo surgery and response: the esophageal center's esophagectomies (from the surgery episodes
the clinical demo created) with complications, postoperative course and pathology at rates of a
high-volume center, and pediatric resections with INRC (neuroblastoma) and RECIST series.

Rates (*example*, high-volume esophageal centers after neoadjuvant chemoradiation, mostly
squamous cell carcinoma): R0 about 92 %, anastomotic leak about 12 %, Clavien-Dindo >= III about
18 %, 90-day mortality about 3 %, median stay about 12 days, pCR after CROSS about 40 %.
Rows are written in bulk with values that satisfy every rule the services enforce (the database
constraints check them again).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from oncocenter.mdt.models import Recommendation
from oncocenter.oncology import staging
from oncocenter.oncology.models import Diagnosis, TnmStaging, TreatmentEpisode
from oncocenter.surgery import inrc, recist
from oncocenter.surgery.models import (
    Complication,
    Operation,
    PathologyReport,
    ResponseAssessment,
    TargetLesion,
)

SEED = 22_2026
ESOPHAGECTOMY = [
    ("ivor_lewis", "intrathoracic", 0.55),
    ("mckeown", "cervical", 0.40),
    ("transhiatal", "cervical", 0.05),
]


def _pick(rng: random.Random, table: list[tuple[Any, float]]) -> Any:
    x = rng.random()
    for value, p in table:
        x -= p
        if x < 0:
            return value
    return table[-1][0]


def _complications(rng: random.Random) -> list[tuple[str, str, str, int]]:
    """(kind, ECCG type, Clavien-Dindo, day of onset) for one esophagectomy."""
    out = []
    if rng.random() < 0.12:
        eccg = _pick(rng, [("I", 0.3), ("II", 0.55), ("III", 0.15)])
        cd = {
            "I": "II",
            "II": _pick(rng, [("IIIa", 0.6), ("IIIb", 0.4)]),
            "III": _pick(rng, [("IIIb", 0.6), ("IVa", 0.4)]),
        }[eccg]
        out.append(("anastomotic_leak", eccg, cd, rng.randint(4, 9)))
    if rng.random() < 0.15:
        out.append(("pneumonia", "ATS", _pick(rng, [("II", 0.8), ("IVa", 0.2)]), rng.randint(2, 7)))
    if rng.random() < 0.08:
        out.append(("rln_palsy", _pick(rng, [("IU", 0.7), ("IIU", 0.25), ("IIB", 0.05)]), "I", 1))
    if rng.random() < 0.10:
        out.append(("arrhythmia", "", "II", rng.randint(1, 4)))
    if rng.random() < 0.03:
        out.append(
            (
                "chyle_leak",
                _pick(rng, [("IA", 0.5), ("IIA", 0.3), ("IIB", 0.2)]),
                "IIIa",
                rng.randint(3, 6),
            )
        )
    if rng.random() < 0.01:
        out.append(("conduit_necrosis", "III", "IIIb", rng.randint(3, 8)))
    return out


def _esophagectomies(ctx: Any, rng: random.Random) -> dict[str, int]:
    today = ctx.today
    surgeons = ctx.staff.get("surgeon") or []
    if not surgeons:
        return {}
    patients = ctx.patients_by_center.get("esophageal", [])
    episodes = list(
        TreatmentEpisode.objects.filter(
            patient__in=patients, modality="surgery", started_on__lte=today - dt.timedelta(days=2)
        ).order_by("patient_id", "started_on")
    )
    pids = {e.patient_id for e in episodes}
    diagnoses: dict[int, Diagnosis] = {}
    for d in Diagnosis.objects.filter(patient_id__in=pids, icd10_code__startswith="C15").order_by(
        "-is_primary", "diagnosed_on"
    ):
        diagnoses.setdefault(d.patient_id, d)
    prior: dict[int, list[TreatmentEpisode]] = {}
    for e in (
        TreatmentEpisode.objects.filter(patient_id__in=pids)
        .exclude(modality="surgery")
        .exclude(ended_on=None)
    ):
        prior.setdefault(e.patient_id, []).append(e)
    recs: dict[int, Recommendation] = {}
    for r in Recommendation.objects.filter(case__patient_id__in=pids).select_related(
        "case__meeting"
    ):
        if "surgery" in (r.modalities or []):
            recs[r.case.patient_id] = r
    ops: list[Operation] = []
    plans: list[tuple[Operation, list[tuple[str, str, str, int]], bool]] = []
    seen: set[int] = set()
    for e in episodes:
        dx = diagnoses.get(e.patient_id)
        if dx is None or e.patient_id in seen or e.started_on < dx.diagnosed_on:
            continue
        seen.add(e.patient_id)
        when = e.started_on
        neo = max(
            (
                p
                for p in prior.get(e.patient_id, [])
                if p.ended_on is not None and p.ended_on <= when - dt.timedelta(days=21)
            ),
            key=lambda p: p.ended_on or when,
            default=None,
        )
        rec = recs.get(e.patient_id)
        if rec is not None and rec.case.meeting.held_on > when:
            rec = None
        procedure, anastomosis = _pick(rng, [((p, a), w) for p, a, w in ESOPHAGECTOMY])
        comps = _complications(rng)
        severe = any(cd in ("IIIb", "IVa") for _k, _t, cd, _d in comps)
        died: dt.date | None = None
        if rng.random() < (0.12 if severe else 0.015):
            died = when + dt.timedelta(days=rng.randint(8, 85))
            if died > today:
                died = None
        los = rng.randint(9, 15) + (
            rng.randint(8, 25) if severe else rng.randint(0, 4) * (len(comps) > 0)
        )
        discharged: dt.date | None = when + dt.timedelta(days=los)
        if (died is not None and died <= when + dt.timedelta(days=los)) or (
            when + dt.timedelta(days=los) > today
        ):
            discharged = None
        oral = when + dt.timedelta(
            days=rng.randint(5, 8) + (14 if any(k == "anastomotic_leak" for k, *_ in comps) else 0)
        )
        op = Operation(
            patient_id=e.patient_id,
            diagnosis=dx,
            recommendation=rec,
            neoadjuvant_episode=neo,
            neoadjuvant=("cross" if rng.random() < 0.8 else "other_crt") if neo else "none",
            episode=e,
            procedure=procedure,
            approach=_pick(
                rng, [("mis", 0.6), ("hybrid", 0.15), ("open", 0.15), ("robotic", 0.10)]
            ),
            anastomosis=anastomosis,
            operated_on=when,
            duration_min=rng.randint(240, 420),
            blood_loss_ml=rng.randint(80, 600),
            nodes_harvested=rng.randint(18, 55),
            residual_tumor=_pick(rng, [("R0", 0.92), ("R1", 0.07), ("R2", 0.01)]),
            feeding_jejunostomy=rng.random() < 0.7,
            surgeon=rng.choice(surgeons),
            team=[
                {"role": "assistant", "name": ctx.faker.name()},
                {"role": "anesthesiologist", "name": ctx.faker.name()},
            ],
            discharged_on=discharged,
            icu_days=rng.randint(1, 3) + (rng.randint(3, 12) if severe else 0),
            readmitted_30d=discharged is not None and rng.random() < 0.09,
            oral_intake_on=oral if oral <= today and (died is None or oral < died) else None,
            died_on=died,
            recorded_by=rng.choice(surgeons),
        )
        if discharged is not None and op.icu_days is not None:
            op.icu_days = min(op.icu_days, los)
        ops.append(op)
        plans.append((op, comps, neo is not None))
    Operation.objects.bulk_create(ops, batch_size=500)
    complications: list[Complication] = []
    reports: list[tuple[Operation, TnmStaging, dict[str, Any]]] = []
    pathologists = ctx.staff.get("pathologist") or surgeons
    for op, comps, neoadjuvant in plans:
        for kind, eccg, cd, day in comps:
            onset = op.operated_on + dt.timedelta(days=day)
            if onset > today:
                continue
            complications.append(
                Complication(
                    operation=op,
                    operated_on=op.operated_on,
                    kind=kind,
                    eccg_type=eccg,
                    clavien_dindo=cd,
                    occurred_on=onset,
                    recorded_by=op.surgeon,
                )
            )
        if op.died_on is not None and op.died_on <= op.operated_on + dt.timedelta(days=30):
            complications.append(
                Complication(
                    operation=op,
                    operated_on=op.operated_on,
                    kind="other",
                    clavien_dindo="V",
                    occurred_on=op.died_on,
                    description="Death after multiorgan failure",
                    recorded_by=op.surgeon,
                )
            )
        reported = op.operated_on + dt.timedelta(days=rng.randint(5, 10))
        if reported > today:
            continue
        pcr = (
            neoadjuvant
            and op.neoadjuvant == "cross"
            and op.residual_tumor == "R0"
            and rng.random() < 0.40
        )
        examined = op.nodes_harvested or 20
        positive = (
            0
            if pcr
            else _pick(
                rng,
                [
                    (0, 0.55),
                    (1, 0.2),
                    (2, 0.1),
                    (rng.randint(3, 6), 0.12),
                    (rng.randint(7, 9), 0.03),
                ],
            )
        )
        positive = min(positive, examined)
        n = "N0" if positive == 0 else "N1" if positive <= 2 else "N2" if positive <= 6 else "N3"
        t = "T0" if pcr else _pick(rng, [("T1b", 0.2), ("T2", 0.3), ("T3", 0.45), ("T4a", 0.05)])
        result = staging.evaluate(
            site="esophagus",
            classification="pathological",
            t=t,
            n=n,
            m="M0",
            stage_group="",
            morphology=op.diagnosis.icdo3_morphology or None,
        )
        tnm = TnmStaging(
            diagnosis=op.diagnosis,
            classification="pathological",
            edition=staging.EDITION,
            site="esophagus",
            t_category=t,
            n_category=n,
            m_category="M0",
            stage_group=result.stage_group if result.ok else "",
            staged_on=reported,
            recorded_by=rng.choice(pathologists),
        )
        margin = "positive" if op.residual_tumor != "R0" else "negative"
        trg = 1 if pcr else rng.randint(2, 5)
        reports.append(
            (
                op,
                tnm,
                {
                    "reported_on": reported,
                    "after_neoadjuvant": neoadjuvant,
                    "trg_system": "mandard" if neoadjuvant else "",
                    "trg": trg if neoadjuvant else None,
                    "proximal_margin": "negative",
                    "distal_margin": "negative",
                    "circumferential_margin": margin,
                    "closest_margin_mm": Decimal(rng.randint(1, 40)),
                    "nodes_examined": examined,
                    "nodes_positive": positive,
                    "pathologist": tnm.recorded_by,
                },
            )
        )
    Complication.objects.bulk_create(complications, batch_size=500)
    TnmStaging.objects.bulk_create([t for _o, t, _f in reports], batch_size=500)
    PathologyReport.objects.bulk_create(
        [PathologyReport(operation=o, staging=t, **f) for o, t, f in reports], batch_size=500
    )
    return {
        "esophagectomies": len(ops),
        "complications": len(complications),
        "pathology_reports": len(reports),
    }


PEDIATRIC_OPERATIONS = {
    "C74.9": ("tumor_resection", "open"),
    "C40.2": ("limb_salvage", "open"),
    "C64": ("nephrectomy", "open"),
    "C69.2": ("enucleation", "open"),
    "C22.2": ("tumor_resection", "open"),
}


def _pediatric(ctx: Any, rng: random.Random) -> dict[str, int]:
    today = ctx.today
    surgeons = ctx.staff.get("surgeon") or []
    readers = ctx.staff.get("radiologist") or surgeons
    children = ctx.patients_by_center.get("pediatric", [])
    dxs = list(
        Diagnosis.objects.filter(
            patient__in=children, icd10_code__in=[*PEDIATRIC_OPERATIONS, "C41.4", "C49.0"]
        )
    )
    ops, baselines, followups = [], [], []
    lesions: list[tuple[ResponseAssessment, list[recist.Lesion]]] = []
    for d in dxs:
        age = (today - d.diagnosed_on).days
        if age < 120:
            continue
        if d.icd10_code in PEDIATRIC_OPERATIONS and surgeons and rng.random() < 0.7:
            procedure, approach = PEDIATRIC_OPERATIONS[d.icd10_code]
            when = d.diagnosed_on + dt.timedelta(days=rng.randint(70, 110))
            if when < today - dt.timedelta(days=10):
                ops.append(
                    Operation(
                        patient_id=d.patient_id,
                        diagnosis=d,
                        procedure=procedure,
                        approach=approach,
                        operated_on=when,
                        duration_min=rng.randint(90, 360),
                        blood_loss_ml=rng.randint(10, 300),
                        residual_tumor=_pick(rng, [("R0", 0.85), ("R1", 0.15)]),
                        surgeon=rng.choice(surgeons),
                        discharged_on=when + dt.timedelta(days=rng.randint(4, 10)),
                        icu_days=rng.randint(0, 2),
                        recorded_by=rng.choice(surgeons),
                    )
                )
        first = d.diagnosed_on + dt.timedelta(days=5)
        points = [first + dt.timedelta(days=60 * k) for k in range(1, 4)]
        points = [p for p in points if p <= today]
        if not points:
            continue
        if d.icd10_code == "C74.9":
            pm, curie, marrow = (
                Decimal(rng.randint(45, 110)),
                rng.randint(4, 20),
                Decimal(rng.choice([0, 0, 10, 25, 40])),
            )
            base = ResponseAssessment(
                patient_id=d.patient_id,
                diagnosis=d,
                criteria="inrc",
                assessed_on=first,
                primary_mm=pm,
                curie_score=curie,
                marrow_pct=marrow,
                recorded_by=rng.choice(readers),
            )
            baselines.append(base)
            # Most tumors shrink; about one in eight progresses.
            shrink = rng.uniform(0.45, 0.95) if rng.random() < 0.88 else rng.uniform(1.15, 1.4)
            for k, on in enumerate(points, 1):
                now_pm = (pm * Decimal(str(shrink**k))).quantize(Decimal("0.1"))
                now_curie = min(30, int(curie * shrink**k))
                now_marrow = (
                    (marrow * Decimal(str(shrink ** (2 * k)))).quantize(Decimal("0.1"))
                    if marrow
                    else Decimal(0)
                )
                if now_marrow < 1:
                    now_marrow = Decimal(0)
                now_marrow = min(now_marrow, Decimal(100))
                c = inrc.assess(
                    primary_baseline_mm=pm,
                    primary_mm=now_pm,
                    curie_baseline=curie,
                    curie=now_curie,
                    marrow_baseline_pct=marrow,
                    marrow_pct=now_marrow,
                )
                followups.append(
                    (
                        base,
                        ResponseAssessment(
                            patient_id=d.patient_id,
                            diagnosis=d,
                            criteria="inrc",
                            assessed_on=on,
                            primary_mm=now_pm,
                            curie_score=now_curie,
                            marrow_pct=now_marrow,
                            overall_response=c.overall,
                            component_responses={
                                "primary": c.primary,
                                "bone_mibg": c.bone,
                                "marrow": c.marrow,
                                "relative_curie": str(c.relative_curie)
                                if c.relative_curie is not None
                                else None,
                            },
                            recorded_by=rng.choice(readers),
                        ),
                    )
                )
        elif d.icd10_code in ("C41.4", "C49.0", "C40.2"):
            base_lesions = [
                recist.Lesion("L1", "primary", Decimal(rng.randint(40, 120))),
                recist.Lesion("L2", "lung", Decimal(rng.randint(10, 25))),
            ]
            base = ResponseAssessment(
                patient_id=d.patient_id,
                diagnosis=d,
                criteria="recist11",
                assessed_on=first,
                sum_mm=recist.lesion_sum(base_lesions),
                recorded_by=rng.choice(readers),
            )
            baselines.append(base)
            lesions.append((base, base_lesions))
            factor = rng.uniform(0.5, 1.05) if rng.random() < 0.85 else rng.uniform(1.15, 1.35)
            sums: list[Decimal] = []
            for k, on in enumerate(points, 1):
                now = [
                    recist.Lesion(
                        x.label,
                        x.organ,
                        (x.diameter_mm * Decimal(str(factor**k))).quantize(Decimal("0.1")),
                    )
                    for x in base_lesions
                ]
                r = recist.assess(lesions=now, baseline=base_lesions, previous_sums=sums)
                sums.append(r.sum_mm)
                a = ResponseAssessment(
                    patient_id=d.patient_id,
                    diagnosis=d,
                    criteria="recist11",
                    assessed_on=on,
                    sum_mm=r.sum_mm,
                    change_from_baseline_pct=r.change_from_baseline_pct,
                    change_from_nadir_pct=r.change_from_nadir_pct,
                    target_response=r.target_response or "",
                    overall_response=r.overall_response or "",
                    recorded_by=rng.choice(readers),
                )
                followups.append((base, a))
                lesions.append((a, now))
    Operation.objects.bulk_create(ops)
    ResponseAssessment.objects.bulk_create(baselines)
    for base, a in followups:
        a.baseline = base
    ResponseAssessment.objects.bulk_create([a for _b, a in followups])
    TargetLesion.objects.bulk_create(
        TargetLesion(
            assessment=a, label=x.label, organ=x.organ, is_node=x.is_node, diameter_mm=x.diameter_mm
        )
        for a, xs in lesions
        for x in xs
    )
    return {
        "pediatric_operations": len(ops),
        "response_assessments": len(baselines) + len(followups),
    }


def seed(ctx: Any) -> None:
    rng = random.Random(SEED)
    counts = _esophagectomies(ctx, rng)
    counts.update(_pediatric(ctx, rng))
    ctx.counts["surgery"] = counts
