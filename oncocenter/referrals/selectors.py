"""Reads: per-department worklists and turnaround figures."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, IntegerField, Value, When

from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.roles import Role
from oncocenter.patients.models import Patient
from oncocenter.referrals import flow
from oncocenter.referrals.models import Department, Referral, Urgency

# The department a role most often works for: the worklist shown by default.
DEFAULT_DEPARTMENT: dict[str, str] = {
    Role.RADIATION_ONCOLOGIST: Department.RADIATION_ONCOLOGY,
    Role.MEDICAL_ONCOLOGIST: Department.MEDICAL_ONCOLOGY,
    Role.PEDIATRIC_ONCOLOGIST: Department.PEDIATRIC_ONCOLOGY,
    Role.SURGEON: Department.SURGERY,
    Role.PATHOLOGIST: Department.PATHOLOGY,
    Role.RADIOLOGIST: Department.RADIOLOGY,
    Role.NUCLEAR_MEDICINE: Department.NUCLEAR_MEDICINE,
    Role.ANESTHESIOLOGIST: Department.ANESTHESIOLOGY,
    Role.DIETITIAN: Department.NUTRITION,
    Role.SOCIAL_WORKER: Department.SOCIAL_WORK,
    Role.PALLIATIVE_CARE: Department.PALLIATIVE_CARE,
    Role.NURSE: Department.NURSING,
    Role.RESEARCH_COORDINATOR: Department.CLINICAL_RESEARCH,
}


def worklist(*, department: str, include_closed: bool = False, limit: int = 200) -> list[Referral]:
    """Open referrals to a department, emergencies first, then oldest first."""
    qs = Referral.objects.filter(to_department=department).select_related("patient", "requested_by")
    if not include_closed:
        qs = qs.filter(status__in=flow.OPEN_STATUSES)
    urgency_rank = Case(
        When(urgency=Urgency.EMERGENCY, then=Value(0)),
        When(urgency=Urgency.URGENT, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    referrals = list(qs.order_by(urgency_rank, "requested_at")[:limit])
    audit_record(
        action=AuditAction.SEARCH,
        object_type="referrals.referral",
        detail={
            "department": department,
            "count": len(referrals),
            "mrns": sorted({r.patient.mrn for r in referrals}),
        },
    )
    return referrals


def turnaround_by_department(*, since: dt.datetime | None = None) -> dict[str, flow.Turnaround]:
    """Request-to-completion hours per receiving department (completed referrals)."""
    qs = Referral.objects.filter(status=flow.COMPLETED)
    if since is not None:
        qs = qs.filter(requested_at__gte=since)
    hours: dict[str, list[float]] = {}
    for dept, requested, completed in qs.values_list(
        "to_department", "requested_at", "completed_at"
    ):
        if completed is None:
            continue
        hours.setdefault(dept, []).append((completed - requested).total_seconds() / 3600)
    return {d: flow.summarize_hours(hours.get(d, [])) for d in Department.values if d in hours}


def open_referrals_for(patient: Patient) -> list[Referral]:
    return list(
        Referral.objects.filter(patient=patient, status__in=flow.OPEN_STATUSES).order_by(
            "requested_at"
        )
    )


def patient_referrals(*, patient: Patient, limit: int = 50) -> list[Referral]:
    """The patient's referrals, newest first (for the cancer record page, which audits its read)."""
    return list(Referral.objects.filter(patient=patient).order_by("-requested_at")[:limit])
