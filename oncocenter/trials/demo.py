"""Demo studies (pediatric neuroblastoma and ALL, esophageal CRT) with screening and enrollments."""

from __future__ import annotations

from typing import Any

from oncocenter.trials import eligibility as el
from oncocenter.trials.models import Enrollment, ScreeningEntry, Study
from oncocenter.trials.selectors import prescreen

STUDIES = [
    {
        "code": "KPHO-NB-2025",
        "title": "High-risk neuroblastoma: tandem HSCT after induction",
        "phase": "II",
        "target_diseases": "Neuroblastoma",
        "min_age_years": 1,
        "max_age_years": 21,
        "diagnosis_code_prefixes": ["C74", "C47", "C48.0"],
        "max_ecog": 2,
        "excluded_prior_therapies": ["radiotherapy"],
        "arms": ["Tandem", "Single"],
        "center": "pediatric",
    },
    {
        "code": "KPHO-ALL-2024",
        "title": "Risk-adapted therapy for childhood ALL",
        "phase": "III",
        "target_diseases": "Acute lymphoblastic leukemia",
        "min_age_years": 1,
        "max_age_years": 18,
        "diagnosis_code_prefixes": ["C91.0"],
        "max_ecog": 2,
        "excluded_prior_therapies": ["hsct"],
        "arms": ["Standard", "Intensified"],
        "center": "pediatric",
    },
    {
        "code": "KECC-CRT-3",
        "title": "Definitive vs neoadjuvant chemoradiotherapy for esophageal SCC",
        "phase": "III",
        "target_diseases": "Esophageal squamous cell carcinoma",
        "min_age_years": 20,
        "max_age_years": 80,
        "diagnosis_code_prefixes": ["C15"],
        "stage_groups": ["II", "III"],
        "max_ecog": 1,
        "excluded_prior_therapies": ["radiotherapy", "surgery"],
        "arms": ["A", "B"],
        "center": "esophageal",
    },
]


def seed(ctx: Any) -> None:
    rng, today = ctx.rng, ctx.today
    coordinator = (ctx.staff.get("research_coordinator") or [None])[0]
    for spec in STUDIES:
        data = {k: v for k, v in spec.items() if k != "center"}
        study, _ = Study.objects.get_or_create(code=data.pop("code"), defaults=data)
        candidates = prescreen(study=study, as_of=today, limit=60)
        log, enrollments = [], []
        for c in candidates[:40]:
            verdicts = [
                {
                    "criterion": v.criterion,
                    "verdict": v.verdict,
                    "requirement": v.requirement,
                    "data_used": v.data_used,
                }
                for v in c.evaluation.verdicts
            ]
            outcome = "pre-screened"
            if c.evaluation.overall == el.ELIGIBLE and rng.random() < 0.5:
                outcome = "enrolled"
                enrollments.append(
                    Enrollment(
                        study=study,
                        patient=c.patient,
                        consent_on=today,
                        enrolled_on=today,
                        arm=rng.choice(study.arms),
                        eligibility_overall=c.evaluation.overall,
                        eligibility_verdicts=verdicts,
                        enrolled_by=coordinator,
                    )
                )
            elif c.evaluation.overall == el.INELIGIBLE:
                outcome = "screen-failed"
            log.append(
                ScreeningEntry(
                    study=study,
                    patient=c.patient,
                    screened_on=today,
                    overall=c.evaluation.overall,
                    verdicts=verdicts,
                    outcome=outcome,
                    screened_by=coordinator,
                )
            )
        ScreeningEntry.objects.bulk_create(log)
        Enrollment.objects.bulk_create(enrollments)
        center = ctx.counts.setdefault("clinical", {}).setdefault(spec["center"], {})
        center["trial_screenings"] = center.get("trial_screenings", 0) + len(log)
        center["trial_enrollments"] = center.get("trial_enrollments", 0) + len(enrollments)
