"""Demo nutrition for the esophageal cohort: weights that recover or keep falling after
treatment, FOIS climbing from nothing-by-mouth to a full diet (or stalling), feeding routes,
milestones, NRS-2002 screenings, open alerts on the dietitian's worklist and QoL answers with
drops for the care team."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from oncocenter.clinics.demo_cohort import esophageal_cohort
from oncocenter.nutrition import calc, qol
from oncocenter.nutrition.models import (
    AlertSettings,
    Milestone,
    NRSScreening,
    NutritionAlert,
    NutritionRecord,
    QoLAlert,
    QoLResponse,
    Questionnaire,
)

SEED = 6_3


def _fois_for(course: str, days_after: int, surgery: bool) -> tuple[int, str, int]:
    """(FOIS, feeding route, IDDSI) some days after the end of treatment."""
    if surgery and days_after < 7:
        return 1, "jejunostomy", 0
    if days_after < 21:
        return (2 if surgery else 4), ("jejunostomy" if surgery else "oral"), (3 if surgery else 4)
    if course == "fall":
        return (
            (4 if days_after < 120 else 5),
            ("jejunostomy" if surgery and days_after < 90 else "oral"),
            5,
        )
    if days_after < 60:
        return 5, "oral", 5
    if days_after < 120:
        return 6, "oral", 6
    return 7, "oral", 7


def seed(ctx: Any) -> None:
    rng = random.Random(SEED)
    today = ctx.today
    thresholds = AlertSettings.objects.get_or_create(id=1)[0].thresholds()
    dietitians = ctx.staff.get("dietitian", [None])
    records, milestones, screenings, alerts = [], [], [], []
    questionnaire = Questionnaire.objects.filter(code="esophageal-qol-example").first()
    responses, qol_drops = [], []
    for member in esophageal_cohort(ctx):
        p = member.patient
        height = round(rng.uniform(158, 178) if p.sex == "male" else rng.uniform(148, 165), 1)
        base = round(rng.uniform(52, 76), 1)
        surgery = member.surgery_on is not None
        anchor = member.surgery_on or member.treatment_end
        series: list[tuple[dt.date, float]] = []
        day = anchor - dt.timedelta(days=28)
        first = True
        while day <= today and len(series) < 14:
            days_after = (day - anchor).days
            if days_after <= 0:
                w = base
            elif member.course == "recover":
                nadir = base * (0.88 if surgery else 0.93)
                w = (
                    base
                    - (base - nadir) * min(1, days_after / 60)
                    + max(0, days_after - 60) / 300 * (base - nadir)
                )
            else:
                w = base * (1 - min(0.2, days_after / 365 * 0.22))
            w = round(w + rng.uniform(-0.4, 0.4), 1)
            fois, route, iddsi = _fois_for(member.course, days_after, surgery)
            records.append(
                NutritionRecord(
                    patient=p,
                    measured_on=day,
                    weight_kg=Decimal(str(w)),
                    height_cm=Decimal(str(height)) if first else None,
                    bmi=Decimal(str(calc.bmi(w, height))),
                    fois_level=fois if days_after >= 0 else 7,
                    iddsi_level=iddsi if days_after >= 0 else 7,
                    feeding_route=route if days_after >= 0 else "oral",
                    intake_percent=min(100, max(20, int(40 + days_after / 2)))
                    if days_after >= 0
                    else 100,
                    recorded_by=rng.choice(dietitians),
                )
            )
            series.append((day, w))
            first = False
            day += dt.timedelta(days=rng.randint(18, 45) if days_after > 30 else 14)
        if surgery:
            for kind, offset in (
                ("first_oral_intake", 7),
                ("tube_removal", 40 if member.course == "recover" else 110),
                ("full_oral_diet", 100 if member.course == "recover" else None),
            ):
                if offset is not None and anchor + dt.timedelta(days=offset) <= today:
                    milestones.append(
                        Milestone(
                            patient=p, kind=kind, occurred_on=anchor + dt.timedelta(days=offset)
                        )
                    )
        nrs = None
        if series:
            change = calc.weight_change(series, period_days=30)
            status = (
                3 if change and change.loss_percent > 5 else (1 if member.course == "fall" else 0)
            )
            result = calc.nrs2002(
                nutritional_status=status, disease_severity=1, age_years=p.age_on(series[-1][0])
            )
            nrs = result.total
            screenings.append(
                NRSScreening(
                    patient=p,
                    screened_on=series[-1][0],
                    nutritional_status=status,
                    disease_severity=1,
                    age_points=result.age_points,
                    total=result.total,
                    at_risk=result.at_risk,
                )
            )
            for a in calc.evaluate_alerts(
                weights=series, height_cm=height, nrs_total=nrs, thresholds=thresholds
            ):
                alerts.append(
                    NutritionAlert(
                        patient=p,
                        code=a.code,
                        message=a.text[:300],
                        params=dict(a.params),
                        value=Decimal(f"{a.value:.1f}"),
                        threshold=Decimal(f"{a.threshold:.1f}"),
                        raised_on=series[-1][0],
                    )
                )
        if questionnaire and rng.random() < 0.6:
            prev = None
            for k in range(rng.randint(1, 3)):
                answered = member.treatment_end + dt.timedelta(days=90 * (k + 1))
                if answered > today:
                    break
                worse = member.course == "fall" and k > 0
                answers = {}
                for it in questionnaire.definition["items"]:
                    good = 1 if it.get("reverse") else 4
                    bad = 4 if it.get("reverse") else 1
                    answers[it["code"]] = (
                        bad
                        if worse and it["subscale"] == "eating"
                        else rng.choice([good, good, 2, 3])
                    )
                scores = qol.score(questionnaire.definition, answers)
                resp = QoLResponse(
                    patient=p,
                    questionnaire=questionnaire,
                    answered_on=answered,
                    answers=answers,
                    scores=scores,
                )
                responses.append(resp)
                if prev is not None:
                    for drop in qol.detect_drops(prev, scores, threshold_points=15):
                        qol_drops.append(
                            QoLAlert(
                                patient=p,
                                response=resp,
                                subscale=drop.subscale,
                                previous=Decimal(f"{drop.previous:.1f}"),
                                current=Decimal(f"{drop.current:.1f}"),
                                points=Decimal(f"{drop.points:.1f}"),
                            )
                        )
                prev = scores
    NutritionRecord.objects.bulk_create(records, batch_size=1000)
    Milestone.objects.bulk_create(milestones, batch_size=500)
    NRSScreening.objects.bulk_create(screenings, batch_size=500)
    NutritionAlert.objects.bulk_create(alerts, batch_size=500)
    QoLResponse.objects.bulk_create(responses, batch_size=500)
    QoLAlert.objects.bulk_create(qol_drops, batch_size=500)
    ctx.counts["nutrition"] = {
        "records": len(records),
        "milestones": len(milestones),
        "alerts": len(alerts),
        "qol_responses": len(responses),
        "qol_alerts": len(qol_drops),
    }
