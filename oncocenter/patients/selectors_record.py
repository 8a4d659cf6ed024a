"""Reads for the record completion: guardians, consents, care team, what a minor's record lacks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from oncocenter.patients.models import Patient
from oncocenter.patients.models_record import AGE_OF_MAJORITY, ASSENT_MIN_AGE


def patient_record(*, patient: Patient) -> dict[str, Any]:
    return {
        "guardians": list(patient.guardians.all()),
        "consents": list(patient.consents.select_related("guardian")),
        "care_team": list(
            patient.care_team.select_related("user", "center").filter(until__isnull=True)
        ),
    }


def record_gaps(*, patient: Patient, today: dt.date | None = None) -> list[str]:
    """What a minor's record still lacks: a legal-representative guardian, a guardian's treatment
    consent, the child's assent (from age 7). Empty for adults and complete records."""
    today = today or timezone.localdate()
    age = patient.age_on(today)
    if age >= AGE_OF_MAJORITY:
        return []
    gaps = []
    if not patient.guardians.filter(is_legal_representative=True).exists():
        gaps.append("guardian")
    consents = patient.consents.filter(kind="treatment", withdrawn_on__isnull=True)
    if not consents.filter(given_by="guardian").exists():
        gaps.append("treatment_consent")
    if age >= ASSENT_MIN_AGE and not consents.filter(given_by="assent").exists():
        gaps.append("assent")
    return gaps
