"""Reads for the record completion: guardians, consents, care team, co-payment reminders."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.patients.models import Patient
from oncocenter.patients.models_record import COPAY_REMINDER_DAYS, CopayRegistration


def patient_record(*, patient: Patient) -> dict:
    return {
        "guardians": list(patient.guardians.all()),
        "consents": list(patient.consents.select_related("guardian")),
        "care_team": list(
            patient.care_team.select_related("user", "center").filter(until__isnull=True)
        ),
        "copay": list(patient.copay_registrations.all()),
    }


def copay_expiring(
    *, today: dt.date | None = None, days: int = COPAY_REMINDER_DAYS
) -> list[CopayRegistration]:
    """Registrations whose coverage ends within ``days`` (and has not ended), soonest first,
    skipping patients who already have a newer registration that runs longer."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=days)
    candidates = list(
        CopayRegistration.objects.filter(expires_on__gte=today, expires_on__lte=horizon)
        .select_related("patient")
        .order_by("expires_on", "id")
    )
    later = set(
        CopayRegistration.objects.filter(
            patient_id__in=[c.patient_id for c in candidates], expires_on__gt=horizon
        ).values_list("patient_id", flat=True)
    )
    due = [c for c in candidates if c.patient_id not in later]
    audit_record(
        action=AuditAction.SEARCH,
        object_type="patients.copayregistration",
        detail={"expiring_within_days": days, "count": len(due)},
    )
    return due


def record_gaps(*, patient: Patient, today: dt.date | None = None) -> list[str]:
    """What a minor's record still lacks: a legal-representative guardian, a guardian's treatment
    consent, the child's assent (from age 7). Empty for adults and complete records."""
    from oncocenter.patients.models_record import AGE_OF_MAJORITY, ASSENT_MIN_AGE

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
