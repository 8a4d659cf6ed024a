"""Reads for tumor boards: case summary, quorum, board-to-first-treatment times."""

from __future__ import annotations

from statistics import median
from typing import Any

from django.utils import timezone

from oncocenter.mdt.models import BoardType, Meeting, Recommendation
from oncocenter.mdt.quorum import QuorumResult, check_quorum
from oncocenter.oncology import codes
from oncocenter.oncology.models import (
    Diagnosis,
    PerformanceStatus,
    TnmStaging,
    TreatmentEpisode,
    WorkupOrder,
)
from oncocenter.patients.models import Patient
from oncocenter.referrals import flow
from oncocenter.referrals.models import Referral


def _display(code_list: str, code: str) -> str:
    try:
        return codes.lookup(code_list, code).display_en
    except codes.UnknownCodeError:
        return code


def case_summary(*, patient: Patient) -> dict[str, Any]:
    """Diagnoses with latest stage, workup results, treatments so far and open referrals (JSON)."""
    stagings: dict[int, TnmStaging] = {}
    for s in TnmStaging.objects.filter(diagnosis__patient=patient).order_by("staged_on", "id"):
        stagings[s.diagnosis_id] = s
    diagnoses = [
        {
            "icd10": d.icd10_code,
            "display": _display(codes.ICD10, d.icd10_code),
            "morphology": d.icdo3_morphology,
            "morphology_display": _display(codes.ICDO3_MORPHOLOGY, d.icdo3_morphology)
            if d.icdo3_morphology
            else "",
            "diagnosed_on": d.diagnosed_on.isoformat(),
            "iccc": d.iccc_subgroup or "",
            "stage": str(stagings[d.pk]) if d.pk in stagings else "",
        }
        for d in Diagnosis.objects.filter(patient=patient).exclude(
            verification_status="entered-in-error"
        )
    ]
    ps = PerformanceStatus.objects.filter(patient=patient).order_by("-observed_on", "-id").first()
    return {
        "assembled_on": timezone.localdate().isoformat(),
        "diagnoses": diagnoses,
        "performance": f"{ps.get_scale_display()} {ps.score} ({ps.observed_on:%Y-%m-%d})"
        if ps
        else "",
        "workup": [
            {
                "department": w.department,
                "test": w.test_name,
                "status": w.status,
                "result": w.result_summary,
            }
            for w in WorkupOrder.objects.filter(patient=patient).order_by("ordered_at")
        ],
        "treatments": [
            {
                "modality": t.modality,
                "started_on": t.started_on.isoformat(),
                "description": t.description,
            }
            for t in TreatmentEpisode.objects.filter(patient=patient)
        ],
        "open_referrals": [
            {"to": r.to_department, "reason": r.reason, "status": r.status}
            for r in Referral.objects.filter(patient=patient, status__in=flow.OPEN_STATUSES)
        ],
    }


def meeting_quorum(meeting: Meeting) -> QuorumResult:
    attending = meeting.attendances.values_list("discipline", flat=True)
    return check_quorum(meeting.board_type.required_disciplines, attending)


def board_to_treatment_days() -> dict[str, dict[str, Any]]:
    """Per board type: days from the board to the first treatment that started on or after it."""
    recs = Recommendation.objects.select_related("case__meeting__board_type", "case__patient")
    pairs = [
        (r.case.meeting.board_type.code, r.case.patient_id, r.case.meeting.held_on) for r in recs
    ]
    starts: dict[int, list] = {}
    for patient_id, started in TreatmentEpisode.objects.filter(
        patient_id__in={p for _, p, _ in pairs}
    ).values_list("patient_id", "started_on"):
        starts.setdefault(patient_id, []).append(started)
    result: dict[str, dict[str, Any]] = {
        b.code: {"board": b, "days": [], "pending": 0} for b in BoardType.objects.all()
    }
    for board, patient_id, held_on in pairs:
        later = sorted(s for s in starts.get(patient_id, []) if s >= held_on)
        if later:
            result[board]["days"].append((later[0] - held_on).days)
        else:
            result[board]["pending"] += 1
    for data in result.values():
        days = data["days"]
        data["count"] = len(days)
        data["median"] = median(days) if days else None
    return result


def meeting_audit_read(meeting: Meeting) -> None:
    """Record that a meeting's case list (patient data) was read."""
    from oncocenter.audit.models import AuditAction
    from oncocenter.audit.services import audit_record

    mrns = list(meeting.cases.values_list("patient__mrn", flat=True))
    audit_record(action=AuditAction.READ, obj=meeting, detail={"mrns": mrns})
