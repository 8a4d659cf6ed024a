"""RT Structure Sets and RT Doses imported for a plan: checked, linked, stored, DVHs computed.

`rtobject_check` reads only the header (no pixel data) and says whether the file may be linked
to the plan; the upload runs it in the request, so a wrong file is refused at once with the
field that is wrong (422) or a conflict (409), and nothing is queued. `plan_dicom_import` runs in
the import job: it reads the whole file, checks again (the plan may have changed meanwhile),
stores the file and what was read from it, and computes the plan's DVHs from its newest dose and
the structure set of the same frame of reference, all in one transaction.

Linking rules (a wrong link would show one patient's dose on another's anatomy):
- DICOM Patient ID equals the patient's MRN;
- the frame of reference equals the plan's (from its RT Plan), else that of the objects already
  stored with the plan; the first object of a plan entered by hand sets it;
- a dose names the plan's RT Plan (Referenced RT Plan Sequence); a plan entered by hand has no
  RT Plan to name, so a dose cannot be linked to it;
- a structure set is the one the RT Plan was made on, when the RT Plan names one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.core.permissions import require
from oncocenter.jobs.models import Job
from oncocenter.jobs.services import job_submit
from oncocenter.radiotherapy.dicom_dvh import compute_dvhs
from oncocenter.radiotherapy.dicom_rtobjects import (
    RT_DOSE_STORAGE,
    RT_STRUCT_STORAGE,
    RTDoseSummary,
    RTStructSummary,
    parse_rtobject,
)
from oncocenter.radiotherapy.dicom_rtplan import RTPlanParseError, _read
from oncocenter.radiotherapy.models import Plan, PlanDicomObject, Prescription, RTObjectKind
from oncocenter.radiotherapy.services.plans import rtplan_check

#: Largest file accepted (a dose grid of 200 x 200 x 150 voxels in 32 bits is 24 MB).
MAX_DICOM_BYTES = 40 * 1024 * 1024


def _labels() -> dict[str, str]:
    """DICOM attributes named the way a physicist looks them up: keyword and tag."""
    return {
        "PatientID": _("Patient ID (0010,0020)"),
        "FrameOfReferenceUID": _("Frame of Reference UID (0020,0052)"),
        "ReferencedRTPlanSequence": _("Referenced RT Plan Sequence (300C,0002)"),
        "SOPInstanceUID": _("SOP Instance UID (0008,0018)"),
        "Modality": _("Modality (0008,0060)"),
    }


def _problem(field: str, message: str, value: object = None) -> FieldProblem:
    return FieldProblem(field, message, value, label=_labels().get(field))


@dataclass(frozen=True)
class RTObjectCheck:
    """What the header says, and the stored object when this file was imported before."""

    summary: RTStructSummary | RTDoseSummary
    existing: PlanDicomObject | None

    @property
    def kind(self) -> str:
        return (
            RTObjectKind.STRUCTURE_SET
            if isinstance(self.summary, RTStructSummary)
            else RTObjectKind.DOSE
        )


def _frame(summary: RTStructSummary | RTDoseSummary) -> str:
    if isinstance(summary, RTStructSummary):
        return summary.referenced_frame_of_reference
    return summary.frame_of_reference_uid


def _refuse_too_large(content: bytes) -> None:
    if len(content) > MAX_DICOM_BYTES:
        raise ValidationFailed.single(
            "file",
            _("is larger than %(mb)d MB") % {"mb": MAX_DICOM_BYTES // (1024 * 1024)},
            len(content),
        )


def _parse(content: bytes, *, header_only: bool) -> RTStructSummary | RTDoseSummary:
    if not content:
        raise ValidationFailed.single("file", _("is empty"))
    _refuse_too_large(content)
    try:
        summary = parse_rtobject(content, header_only=header_only)
    except RTPlanParseError as exc:
        raise ValidationFailed.single(
            "file", _("cannot be imported: %(reason)s") % {"reason": exc}
        ) from exc
    if not isinstance(summary, RTStructSummary | RTDoseSummary):
        raise ValidationFailed(
            [
                _problem(
                    "Modality",
                    _(
                        "is RTPLAN: an RT Plan is imported under 'Add a plan' of its "
                        "prescription; here an RT Structure Set or RT Dose"
                    ),
                    "RTPLAN",
                )
            ]
        )
    if not summary.sop_instance_uid:
        raise ValidationFailed([_problem("SOPInstanceUID", _("is missing"))])
    return summary


def _expected_frame(plan: Plan) -> str:
    frame = str((plan.dicom_summary or {}).get("frame_of_reference_uid", "") or "")
    if frame:
        return frame
    return (
        PlanDicomObject.objects.filter(plan=plan)
        .order_by("pk")
        .values_list("frame_of_reference_uid", flat=True)
        .first()
        or ""
    )


def _check_link(plan: Plan, summary: RTStructSummary | RTDoseSummary) -> None:
    mrn = plan.prescription.course.patient.mrn
    problems: list[FieldProblem] = []
    if summary.patient_id != mrn:
        problems.append(
            _problem(
                "PatientID",
                _("the file is for patient %(found)s, the plan for patient %(mrn)s")
                % {"found": summary.patient_id or "-", "mrn": mrn},
                summary.patient_id,
            )
        )
    frame = _frame(summary)
    expected = _expected_frame(plan)
    if not frame:
        problems.append(_problem("FrameOfReferenceUID", _("is missing")))
    elif expected and frame != expected:
        problems.append(
            _problem(
                "FrameOfReferenceUID",
                _("%(found)s is not the plan's frame of reference %(expected)s")
                % {"found": frame, "expected": expected},
                frame,
            )
        )
    if isinstance(summary, RTDoseSummary):
        if not plan.dicom_sop_instance_uid:
            problems.append(
                _problem(
                    "ReferencedRTPlanSequence",
                    _(
                        "the plan was entered by hand, not imported from an RT Plan: a dose can "
                        "be linked only to the RT Plan it names"
                    ),
                    summary.referenced_plan_uid,
                )
            )
        elif summary.referenced_plan_uid != plan.dicom_sop_instance_uid:
            problems.append(
                _problem(
                    "ReferencedRTPlanSequence",
                    _("names RT Plan %(found)s, not this plan's %(expected)s")
                    % {
                        "found": summary.referenced_plan_uid or "-",
                        "expected": plan.dicom_sop_instance_uid,
                    },
                    summary.referenced_plan_uid,
                )
            )
    else:
        made_on = str((plan.dicom_summary or {}).get("referenced_structure_set_uid", "") or "")
        if made_on and summary.sop_instance_uid != made_on:
            problems.append(
                _problem(
                    "SOPInstanceUID",
                    _("%(found)s is not the structure set the RT Plan was made on (%(expected)s)")
                    % {"found": summary.sop_instance_uid, "expected": made_on},
                    summary.sop_instance_uid,
                )
            )
    if problems:
        raise ValidationFailed(problems, _("The file does not belong to this plan."))


def _existing(plan: Plan, uid: str) -> PlanDicomObject | None:
    found = PlanDicomObject.objects.filter(sop_instance_uid=uid).first()
    if found is not None and found.plan_id != plan.pk:
        raise Conflict(
            _("This DICOM object was already imported for another plan."),
            rule="rtobject_other_plan",
            problems=[_problem("SOPInstanceUID", _("already imported for another plan"), uid)],
        )
    return found


def rtobject_check(*, plan: Plan, by: User, content: bytes) -> RTObjectCheck:
    """Header-only check of an RT Structure Set or RT Dose against the plan (see the module)."""
    require(by, "rt.plan.write")
    summary = _parse(content, header_only=True)
    existing = _existing(plan, summary.sop_instance_uid)
    if existing is None:
        _check_link(plan, summary)
    return RTObjectCheck(summary, existing)


def plan_dicom_import(
    *, plan: Plan, by: User, content: bytes, file_name: str
) -> tuple[PlanDicomObject, bool]:
    """Store an RT Structure Set or RT Dose with the plan and recompute its DVHs. Importing the
    same object (SOP Instance UID) again returns the stored row (second value False)."""
    require(by, "rt.plan.write")
    plan = Plan.objects.select_related("prescription__course__patient").get(pk=plan.pk)
    summary = _parse(content, header_only=False)
    existing = _existing(plan, summary.sop_instance_uid)
    if existing is not None:
        return existing, False
    _check_link(plan, summary)
    dose = summary if isinstance(summary, RTDoseSummary) else None
    kind = RTObjectKind.DOSE if dose else RTObjectKind.STRUCTURE_SET
    max_dose = (
        Decimal(str(dose.max_dose)).quantize(Decimal("0.001"))
        if dose and dose.max_dose is not None and dose.units == "GY"
        else None
    )
    try:
        with transaction.atomic():
            obj = PlanDicomObject.objects.create(
                plan=plan,
                kind=kind,
                sop_instance_uid=summary.sop_instance_uid,
                sop_class_uid=RT_DOSE_STORAGE if dose else RT_STRUCT_STORAGE,
                patient_id=summary.patient_id,
                frame_of_reference_uid=_frame(summary),
                referenced_plan_uid=dose.referenced_plan_uid if dose else "",
                label="" if dose else summary.label[:64],  # type: ignore[union-attr]
                summary=summary.as_dict(),
                max_dose_gy=max_dose,
                file_name=file_name[:200] or f"{kind}.dcm",
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                data=content,
                imported_by=by,
            )
            audit_record(
                action=AuditAction.CREATE,
                obj=obj,
                patient=plan.prescription.course.patient,
                detail={"kind": kind, "dicom": obj.sop_instance_uid, "plan": plan.pk},
            )
            plan_dvhs_refresh(plan=plan)
    except IntegrityError:
        # The same object imported twice at once: the other import won; return its row.
        won = PlanDicomObject.objects.filter(sop_instance_uid=summary.sop_instance_uid).first()
        if won is None or won.plan_id != plan.pk:
            raise
        return won, False
    obj.refresh_from_db()
    return obj, True


def plan_dvhs_refresh(*, plan: Plan) -> PlanDicomObject | None:
    """Compute the DVHs of the plan's newest dose with the newest structure set in its frame of
    reference (call inside the import's transaction). A dose that cannot give a DVH (relative
    units, an oblique grid) keeps none, with the reason in its summary."""
    dose = PlanDicomObject.objects.filter(plan=plan, kind=RTObjectKind.DOSE).order_by("-pk").first()
    if dose is None:
        return None
    structures = (
        PlanDicomObject.objects.filter(
            plan=plan,
            kind=RTObjectKind.STRUCTURE_SET,
            frame_of_reference_uid=dose.frame_of_reference_uid,
        )
        .order_by("-pk")
        .first()
    )
    if structures is None or dose.dvh_structure_set_id == structures.pk:
        return dose
    summary = dict(dose.summary)
    summary.pop("dvh_refused", None)
    try:
        dvhs = [
            d.as_dict()
            for d in compute_dvhs(_read(bytes(structures.data)), _read(bytes(dose.data)))
        ]
    except RTPlanParseError as exc:
        dvhs = []
        summary["dvh_refused"] = str(exc)
    dose.dvhs, dose.summary, dose.dvh_structure_set = dvhs, summary, structures
    dose.save(update_fields=["dvhs", "summary", "dvh_structure_set", "updated_at"])
    return dose


# --- uploads become jobs ------------------------------------------------------------------------------


def _file_name(name: str | None, default: str) -> str:
    """The upload's base name, bounded (it names the job's input file)."""
    return ((name or "").replace("\\", "/").rsplit("/", 1)[-1][:120]) or default


def rtplan_import_submit(
    *,
    prescription: Prescription,
    by: User,
    content: bytes,
    file_name: str | None,
    fraction_group: int | None = None,
    role: str = "",
) -> Job:
    """Check an uploaded RT Plan now (a refusal is the answer, nothing queued), then queue its
    import as a job."""
    from oncocenter.radiotherapy.jobs import RTPLAN_IMPORT

    _refuse_too_large(content)
    rtplan_check(prescription=prescription, by=by, content=content, fraction_group=fraction_group)
    name = _file_name(file_name, "rtplan.dcm")
    return job_submit(
        kind=RTPLAN_IMPORT,
        by=by,
        params={"prescription": prescription.pk, "file": name, "fraction_group": fraction_group},
        patient=prescription.course.patient,
        subject=prescription,
        role=role,
        inputs=[(name, "application/dicom", content)],
    )


def rtobject_import_submit(
    *, plan: Plan, by: User, content: bytes, file_name: str | None, role: str = ""
) -> tuple[Job | None, PlanDicomObject | None]:
    """Check an uploaded RT Structure Set or RT Dose now, then queue its import as a job. The
    same object imported before is returned instead (no job): (None, the stored row)."""
    from oncocenter.radiotherapy.jobs import RTOBJECT_IMPORT

    check = rtobject_check(plan=plan, by=by, content=content)
    if check.existing is not None:
        return None, check.existing
    name = _file_name(file_name, f"{check.kind}.dcm")
    job = job_submit(
        kind=RTOBJECT_IMPORT,
        by=by,
        params={"plan": plan.pk, "file": name, "kind": check.kind},
        patient=plan.prescription.course.patient,
        subject=plan,
        role=role,
        inputs=[(name, "application/dicom", content)],
    )
    return job, None
