"""The demo esophageal cohort shared by the clinics, follow-up and nutrition demo seeders.

It lives in clinics, the lowest of the three apps, so that every seeder reads it without
importing an app above its own. Built once per seeding run (memoised on the demo context) from
the treatment episodes the clinical demo created; a patient the clinical demo left without one
gets a synthetic chemoradiation (and sometimes surgery) here, so every cohort member has ended a
treatment at this center.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from oncocenter.oncology.models import TreatmentEpisode
from oncocenter.patients.models import Patient

SEED = 6_2026


@dataclass
class CohortPatient:
    patient: Patient
    treatment_end: dt.date
    modalities: list[str]
    surgery_on: dt.date | None
    course: str  # "recover" or "fall": how eating and weight go after treatment
    episodes: list[tuple[str, dt.date, dt.date | None]] = field(default_factory=list)


def esophageal_cohort(ctx: Any) -> list[CohortPatient]:
    """The esophageal patients whose treatment ended at least 14 days ago, with their course."""
    cached: list[CohortPatient] | None = getattr(ctx, "_esophageal_cohort", None)
    if cached is not None:
        return cached
    rng = random.Random(SEED)
    today = ctx.today
    patients = list(ctx.patients_by_center.get("esophageal", []))
    existing: dict[int, list[tuple[str, dt.date, dt.date | None]]] = {}
    for pid, modality, start, end in TreatmentEpisode.objects.filter(
        patient__in=patients
    ).values_list("patient_id", "modality", "started_on", "ended_on"):
        existing.setdefault(pid, []).append((modality, start, end))
    created: list[TreatmentEpisode] = []
    cohort: list[CohortPatient] = []
    for patient in patients:
        episodes = existing.get(patient.pk)
        if not episodes:
            end = today - dt.timedelta(days=rng.randint(20, 900))
            episodes = [
                ("chemotherapy", end - dt.timedelta(days=40), end),
                ("radiotherapy", end - dt.timedelta(days=40), end),
            ]
            if rng.random() < 0.55:
                surgery = end + dt.timedelta(days=rng.randint(42, 70))
                if surgery < today - dt.timedelta(days=14):
                    episodes.append(("surgery", surgery, surgery))
            # Seeded in bulk like the clinical demo's own episodes (the service audits one by one).
            created.extend(
                TreatmentEpisode(
                    patient=patient,
                    modality=m,
                    started_on=s,
                    ended_on=e,
                    at_this_center=True,
                    description="Demo esophageal treatment",
                    source="clinics.demo",
                )
                for m, s, e in episodes
            )
        modalities = {m for m, _s, _e in episodes}
        if "chemotherapy" in modalities:
            modalities.add(
                "radiotherapy"
            )  # esophageal chemotherapy here is given as chemoradiation
        ends = [e for _m, _s, e in episodes if e is not None]
        if not ends or max(ends) > today - dt.timedelta(days=14):
            continue  # still on treatment: no follow-up plan yet
        surgery_on = max((s for m, s, _e in episodes if m == "surgery"), default=None)
        cohort.append(
            CohortPatient(
                patient=patient,
                treatment_end=max(ends),
                modalities=sorted(modalities),
                surgery_on=surgery_on,
                course="recover" if rng.random() < 0.7 else "fall",
                episodes=episodes,
            )
        )
    if created:
        TreatmentEpisode.objects.bulk_create(created, batch_size=500)
    ctx._esophageal_cohort = cohort
    return cohort
