"""The patient chart timeline: every app adds its dated events (`core.registry.ChartSource`,
registered from its `ready()`); this module merges them and contributes oncology's own sources
(diagnoses, staging, disease status, performance, markers, treatments, workup). Each source runs
one query per table it reads, whatever the number of events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.registry import ChartEvent, ChartSource, registry
from oncocenter.oncology.labels import iccc_label, staging_site_label
from oncocenter.oncology.models import (
    Diagnosis,
    DiseaseStatus,
    PerformanceStatus,
    TnmStaging,
    TreatmentEpisode,
    TumorMarker,
    WorkupOrder,
)
from oncocenter.patients.models import Patient


def local_day(value: dt.datetime | dt.date) -> dt.date:
    """The center's calendar day of a timestamp (dates pass through)."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _diagnoses(patient: Patient) -> Iterable[ChartEvent]:
    for d in Diagnosis.objects.filter(patient=patient):
        title = f"{d.icd10_code} {d.icdo3_morphology}".strip()
        detail = d.histology_text + (
            f" · ICCC-3 {iccc_label(d.iccc_subgroup)}" if d.iccc_subgroup else ""
        )
        yield ChartEvent(
            d.diagnosed_on,
            "diagnosis",
            title,
            detail,
            d.verification_status,
            d.get_verification_status_display(),
        )


def _stagings(patient: Patient) -> Iterable[ChartEvent]:
    for s in TnmStaging.objects.filter(diagnosis__patient=patient).select_related("diagnosis"):
        yield ChartEvent(
            s.staged_on, "staging", f"{s} ({s.diagnosis.icd10_code})", staging_site_label(s.site)
        )


def _disease_statuses(patient: Patient) -> Iterable[ChartEvent]:
    for ds in DiseaseStatus.objects.filter(patient=patient):
        label = ds.get_status_display()
        yield ChartEvent(ds.observed_on, "disease_status", label, ds.note, ds.status, label)


def _performance(patient: Patient) -> Iterable[ChartEvent]:
    for ps in PerformanceStatus.objects.filter(patient=patient):
        yield ChartEvent(ps.observed_on, "performance", str(ps))


def _markers(patient: Patient) -> Iterable[ChartEvent]:
    for tm in TumorMarker.objects.filter(patient=patient):
        yield ChartEvent(tm.observed_on, "marker", f"{tm.marker} {tm.value} {tm.unit}")


def _treatments(patient: Patient) -> Iterable[ChartEvent]:
    for te in TreatmentEpisode.objects.filter(patient=patient):
        where = "" if te.at_this_center else _("elsewhere")
        yield ChartEvent(
            te.started_on,
            "treatment",
            te.get_modality_display(),
            f"{te.description} {where}".strip(),
        )


def _workup(patient: Patient) -> Iterable[ChartEvent]:
    for wo in WorkupOrder.objects.filter(patient=patient):
        yield ChartEvent(
            local_day(wo.ordered_at),
            "workup",
            str(wo),
            wo.result_summary,
            wo.status,
            wo.get_status_display(),
        )


def register() -> None:
    for order, key, label, events in (
        (10, "diagnosis", gettext_lazy("Diagnosis"), _diagnoses),
        (11, "staging", gettext_lazy("Staging"), _stagings),
        (12, "disease_status", gettext_lazy("Disease status"), _disease_statuses),
        (13, "performance", gettext_lazy("Performance"), _performance),
        (14, "marker", gettext_lazy("Tumor marker"), _markers),
        (15, "treatment", gettext_lazy("Treatment"), _treatments),
        (16, "workup", gettext_lazy("Workup"), _workup),
    ):
        registry.add_chart_source(
            ChartSource(key=f"oncology.{key}", kinds={key: label}, events=events, order=order)
        )


def patient_timeline(*, patient: Patient, audit: bool = True) -> list[ChartEvent]:
    """Every registered source's events, newest first; the read is audited."""
    events: list[ChartEvent] = []
    for source in sorted(registry.chart_sources, key=lambda s: s.order):
        events.extend(source.events(patient))
    events.sort(key=lambda e: e.on, reverse=True)
    if audit:
        audit_record(
            action=AuditAction.READ,
            patient=patient,
            object_type="oncology.chart",
            object_id=patient.mrn,
            detail={"events": len(events)},
        )
    return events
