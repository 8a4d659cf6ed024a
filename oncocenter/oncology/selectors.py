"""Reads of the oncology record. Functions returning patient data audit the read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.oncology.models import (
    COPAY_REMINDER_DAYS,
    VITALS_CURRENT,
    CopayRegistration,
    Diagnosis,
    DiseaseStatus,
    PerformanceStatus,
    TnmStaging,
    TreatmentEpisode,
    TumorMarker,
    VitalSigns,
    WorkupDepartment,
    WorkupOrder,
    WorkupStatus,
)
from oncocenter.oncology.turnaround import Turnaround, summarize_hours
from oncocenter.patients.models import Patient


@dataclass
class OncologyRecord:
    diagnoses: list[Diagnosis]
    performance: list[PerformanceStatus]
    markers: list[TumorMarker]
    treatments: list[TreatmentEpisode]
    workup: list[WorkupOrder]
    vitals: list[VitalSigns] = field(default_factory=list)  # the latest 20 sets, newest first
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def vitals_latest(self) -> dict[str, VitalSigns]:
        """Per measurement, the newest listed set that stands and took it (a set superseded or
        entered in error never gives a latest value)."""
        latest: dict[str, VitalSigns] = {}
        for v in self.vitals:  # newest first
            if v.status not in VITALS_CURRENT:
                continue
            for name in VitalSigns.MEASUREMENTS:
                if getattr(v, name) is not None:
                    latest.setdefault(name, v)
        return latest


def diagnoses_qs(patient: Patient) -> QuerySet[Diagnosis]:
    return Diagnosis.objects.filter(patient=patient).prefetch_related(
        Prefetch("stagings", queryset=TnmStaging.objects.order_by("staged_on", "id")),
        Prefetch("disease_statuses", queryset=DiseaseStatus.objects.order_by("observed_on", "id")),
    )


def oncology_record(*, patient: Patient, audit: bool = True) -> OncologyRecord:
    """Everything oncology holds on one patient, in a fixed number of queries."""
    record = OncologyRecord(
        diagnoses=list(diagnoses_qs(patient)),
        performance=list(PerformanceStatus.objects.filter(patient=patient)),
        markers=list(TumorMarker.objects.filter(patient=patient)),
        vitals=list(
            VitalSigns.objects.filter(patient=patient)
            .select_related("corrected_by")
            .order_by("-measured_at", "-pk")[:20]
        ),
        treatments=list(TreatmentEpisode.objects.filter(patient=patient)),
        workup=list(WorkupOrder.objects.filter(patient=patient).order_by("-ordered_at")),
    )
    if audit:
        audit_record(
            action=AuditAction.READ,
            patient=patient,
            object_type="oncology.record",
            object_id=patient.mrn,
        )
    return record


def latest_stage(diagnosis: Diagnosis) -> TnmStaging | None:
    stagings = list(diagnosis.stagings.all())
    return stagings[-1] if stagings else None


def latest_performance(patient: Patient) -> PerformanceStatus | None:
    return PerformanceStatus.objects.filter(patient=patient).order_by("-observed_on", "-id").first()


def workup_worklist(*, department: str, include_closed: bool = False) -> list[WorkupOrder]:
    qs = WorkupOrder.objects.filter(department=department).select_related("patient", "ordered_by")
    if not include_closed:
        qs = qs.filter(status__in=[WorkupStatus.ORDERED, WorkupStatus.IN_PROGRESS])
    orders = list(qs.order_by("ordered_at")[:200])
    audit_record(
        action=AuditAction.SEARCH,
        object_type="oncology.workuporder",
        detail={"department": department, "count": len(orders)},
    )
    return orders


def workup_turnaround(*, since: dt.datetime | None = None) -> dict[str, Turnaround]:
    """Order-to-result turnaround per department (resulted orders only)."""
    qs = WorkupOrder.objects.filter(status=WorkupStatus.RESULTED)
    if since is not None:
        qs = qs.filter(ordered_at__gte=since)
    hours: dict[str, list[float]] = {d: [] for d in WorkupDepartment.values}
    for department, ordered_at, resulted_at in qs.values_list(
        "department", "ordered_at", "resulted_at"
    ):
        if resulted_at is None:
            continue
        hours[department].append((resulted_at - ordered_at).total_seconds() / 3600)
    return {d: summarize_hours(v) for d, v in hours.items()}


def copay_registrations(*, patient: Patient) -> list[CopayRegistration]:
    return list(CopayRegistration.objects.filter(patient=patient))


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
        object_type="oncology.copayregistration",
        detail={"expiring_within_days": days, "count": len(due)},
    )
    return due


def vital_signs_list(*, patient: Patient, limit: int = 50) -> list[VitalSigns]:
    """A patient's vital signs sets, newest first, corrected ones included (with their status):
    the read is audited."""
    rows = list(
        VitalSigns.objects.filter(patient=patient)
        .select_related("patient", "recorded_by", "corrected_by", "superseded_by")
        .order_by("-measured_at", "-pk")[:limit]
    )
    audit_record(
        action=AuditAction.READ,
        patient=patient,
        object_type="oncology.vitalsigns",
        object_id=patient.mrn,
    )
    return rows
