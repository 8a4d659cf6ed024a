"""The patient chart timeline: diagnoses, staging, status, workup, treatments, referrals, boards
and trials merged into one dated list. One query per source, whatever the number of events."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.patients.models import Patient

KIND_LABELS = {
    "diagnosis": gettext_lazy("Diagnosis"),
    "staging": gettext_lazy("Staging"),
    "disease_status": gettext_lazy("Disease status"),
    "performance": gettext_lazy("Performance"),
    "marker": gettext_lazy("Tumor marker"),
    "treatment": gettext_lazy("Treatment"),
    "workup": gettext_lazy("Workup"),
    "referral": gettext_lazy("Referral"),
    "board": gettext_lazy("Tumor board"),
    "trial": gettext_lazy("Trial"),
}


@dataclass(frozen=True)
class ChartEvent:
    on: dt.date
    kind: str
    title: str
    detail: str = ""
    status: str = ""

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))


def _day(value: dt.datetime | dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def patient_timeline(*, patient: Patient, audit: bool = True) -> list[ChartEvent]:
    """Newest first. Imports the other clinical apps lazily: they depend on oncology, not the reverse."""
    from oncocenter.mdt.models import BoardCase
    from oncocenter.oncology.models import (
        Diagnosis,
        DiseaseStatus,
        PerformanceStatus,
        TnmStaging,
        TreatmentEpisode,
        TumorMarker,
        WorkupOrder,
    )
    from oncocenter.referrals.models import Referral
    from oncocenter.trials.models import Enrollment, ScreeningEntry

    events: list[ChartEvent] = []
    for d in Diagnosis.objects.filter(patient=patient):
        title = f"{d.icd10_code} {d.icdo3_morphology}".strip()
        detail = d.histology_text + (f" · ICCC-3 {d.iccc_subgroup}" if d.iccc_subgroup else "")
        events.append(ChartEvent(d.diagnosed_on, "diagnosis", title, detail, d.verification_status))
    for s in TnmStaging.objects.filter(diagnosis__patient=patient).select_related("diagnosis"):
        events.append(ChartEvent(s.staged_on, "staging", f"{s} ({s.diagnosis.icd10_code})", s.site))
    for ds in DiseaseStatus.objects.filter(patient=patient):
        events.append(
            ChartEvent(
                ds.observed_on, "disease_status", ds.get_status_display(), ds.note, ds.status
            )
        )
    for ps in PerformanceStatus.objects.filter(patient=patient):
        events.append(ChartEvent(ps.observed_on, "performance", str(ps)))
    for tm in TumorMarker.objects.filter(patient=patient):
        events.append(ChartEvent(tm.observed_on, "marker", f"{tm.marker} {tm.value} {tm.unit}"))
    for te in TreatmentEpisode.objects.filter(patient=patient):
        where = "" if te.at_this_center else _("elsewhere")
        events.append(
            ChartEvent(
                te.started_on,
                "treatment",
                te.get_modality_display(),
                f"{te.description} {where}".strip(),
            )
        )
    for wo in WorkupOrder.objects.filter(patient=patient):
        events.append(
            ChartEvent(_day(wo.ordered_at), "workup", str(wo), wo.result_summary, wo.status)
        )
    for r in Referral.objects.filter(patient=patient):
        events.append(ChartEvent(_day(r.requested_at), "referral", str(r), r.reason, r.status))
    for bc in BoardCase.objects.filter(patient=patient).select_related("meeting__board_type"):
        events.append(
            ChartEvent(bc.meeting.held_on, "board", str(bc.meeting.board_type), bc.question)
        )
    for se in ScreeningEntry.objects.filter(patient=patient).select_related("study"):
        events.append(ChartEvent(se.screened_on, "trial", se.study.code, se.overall, se.outcome))
    for en in Enrollment.objects.filter(patient=patient).select_related("study"):
        events.append(ChartEvent(en.enrolled_on, "trial", en.study.code, en.arm, en.status))
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
