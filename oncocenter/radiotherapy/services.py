"""Writes of the radiotherapy course, with the record-and-verify interlocks.

Each service checks the acting user's permission and credential, validates, then writes inside
`transaction.atomic()` and audits. Interlocks raise `Conflict` with a stable `rule` code (the API
answers 409 naming it), bad input raises `ValidationFailed` naming the field (422), a wrong role or
an expired credential raises `NotPermitted` (403). Nothing is written when a check fails.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from oncocenter.accounts.models import Credential, CredentialKind, User
from oncocenter.accounts.services import credential_require
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from oncocenter.core.permissions import require, user_roles
from oncocenter.core.roles import Role
from oncocenter.machines.models import Machine, MachineKind, Technique
from oncocenter.radiotherapy import selectors
from oncocenter.radiotherapy.dicom_rtplan import (
    MachineSpec,
    PrescriptionSpec,
    RTPlanParseError,
    compare_plan_with_prescription,
    parse_rtplan,
)
from oncocenter.radiotherapy.models import (
    DELIVERED_STATUSES,
    BrachySession,
    ChecklistItem,
    ChecklistKind,
    ConstraintSet,
    Course,
    CourseStatus,
    CtcaeTerm,
    Delivery,
    DoseOverride,
    Fraction,
    FractionStatus,
    GapSensitiveSite,
    Intent,
    InterruptionReview,
    PatientSpecificQA,
    Pattern,
    PhysicsCheck,
    Plan,
    PlannedOrganDose,
    PlanStatus,
    Prescription,
    PrescriptionStatus,
    Signature,
    SignatureMeaning,
    ToxicityGrade,
    WeeklyReview,
)
from oncocenter.radiotherapy.rules import check_fraction_spacing, match_gap_sensitive_site

RO_CREDENTIALS = (CredentialKind.SPECIALIST_RADIATION_ONCOLOGY,)
PHYSICIST_CREDENTIALS = (CredentialKind.MEDICAL_PHYSICIST,)
THERAPIST_CREDENTIALS = (CredentialKind.RADIATION_THERAPIST,)
PHYSICIAN_CREDENTIALS = (
    CredentialKind.MEDICAL_LICENSE,
    CredentialKind.SPECIALIST_RADIATION_ONCOLOGY,
)

#: Relative tolerance between a plan's dose per fraction and the prescription.
DOSE_TOLERANCE = 0.01
#: A delivery may exceed the planned meterset by this much (rounding at the console).
METERSET_TOLERANCE = Decimal("0.02")
MIN_JUSTIFICATION = 20
IDENTIFIER_KINDS = ("mrn", "birth_date", "name")

OPEN_COURSE = (CourseStatus.PLANNED, CourseStatus.ACTIVE)


# --- helpers ----------------------------------------------------------------------------------------


def _dec(value: Any, field: str, *, places: str = "0.001") -> Decimal:
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationFailed.single(field, "must be a number", value) from None
    if not d.is_finite():
        raise ValidationFailed.single(field, "must be a finite number", value)
    return d.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _credential_number(user: User, kinds: Iterable[str]) -> str:
    today = timezone.localdate()
    cred = (
        Credential.objects.filter(user=user, kind__in=list(kinds), issued_on__lte=today)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        .order_by("-issued_on")
        .first()
    )
    return f"{cred.kind}:{cred.number}" if cred else ""


def _sign(
    *,
    meaning: str,
    course: Course,
    signer: User,
    role: str,
    kinds: Iterable[str],
    prescription: Prescription | None = None,
    plan: Plan | None = None,
    version: int = 1,
    statement: str = "",
) -> Signature:
    return Signature.objects.create(
        meaning=meaning,
        course=course,
        prescription=prescription,
        plan=plan,
        signed_version=version,
        signer=signer,
        signer_role=role,
        credential_number=_credential_number(signer, kinds),
        signed_at=timezone.now(),
        statement=statement[:300],
    )


def _void(signatures, reason: str) -> int:
    return signatures.filter(voided_at__isnull=True).update(
        voided_at=timezone.now(), voided_reason=reason[:300]
    )


def _require_signer(user: User, perm: str, kinds: Iterable[str], purpose: str) -> None:
    require(user, perm)
    credential_require(user=user, kinds=list(kinds), purpose=purpose)


def _lock_rx(prescription: Prescription) -> Prescription:
    return (
        Prescription.objects.select_for_update()
        .select_related("course__patient")
        .get(pk=prescription.pk)
    )


def _machine_specs() -> list[MachineSpec]:
    specs = []
    for m in Machine.objects.prefetch_related("techniques", "dicom_names"):
        specs.append(
            MachineSpec(
                code=m.code,
                name=m.name,
                techniques=frozenset(m.technique_codes()),
                in_service=m.in_service,
                aliases=tuple(n.dicom_name for n in m.dicom_names.all()),
            )
        )
    return specs


def _check_machine(machine: Machine, technique: str, *, field: str = "machine") -> None:
    if not machine.in_service:
        raise Conflict(
            f"Machine {machine.code} is out of service.",
            rule="machine_out_of_service",
            problems=[FieldProblem(field, "machine is out of service", machine.code)],
        )
    if not machine.can_deliver(technique):
        raise Conflict(
            f"Machine {machine.code} cannot deliver {technique}.",
            rule="machine_incapable",
            problems=[FieldProblem(field, f"machine is not capable of {technique}", machine.code)],
        )


def _gap_site(icd10: str, morphology: str) -> str:
    sites = [s.as_rule() for s in GapSensitiveSite.objects.filter(active=True)]
    return (
        match_gap_sensitive_site(icd10_code=icd10, icdo3_morphology=morphology, sites=sites) or ""
    )


# --- course -----------------------------------------------------------------------------------------


def course_create(
    *, patient, label: str, intent: str, physician: User, by: User, notes: str = ""
) -> Course:
    """Open a radiotherapy course; flags re-irradiation when the patient was irradiated before."""
    require(by, "rt.course.manage")
    problems = []
    if not label.strip():
        problems.append(FieldProblem("label", "is required"))
    if intent not in Intent.values:
        problems.append(
            FieldProblem("intent", f"must be one of {', '.join(Intent.values)}", intent)
        )
    if Role.RADIATION_ONCOLOGIST not in user_roles(physician):
        problems.append(
            FieldProblem("physician", "must be a radiation oncologist", physician.username)
        )
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        number = (Course.objects.filter(patient=patient).aggregate(m=Max("number"))["m"] or 0) + 1
        prior = (
            Prescription.objects.filter(course__patient=patient, fractions_delivered__gt=0).exists()
            or patient.rt_prior_doses.exists()
        )
        course = Course.objects.create(
            patient=patient,
            number=number,
            label=label.strip(),
            intent=intent,
            physician=physician,
            is_reirradiation=prior,
            notes=notes,
        )
        audit_record(
            action=AuditAction.CREATE,
            obj=course,
            patient=patient,
            detail={"course": number, "reirradiation": prior},
        )
    return course


def _clean_rx(data: Mapping[str, Any], *, current: Prescription | None) -> dict[str, Any]:
    problems: list[FieldProblem] = []
    out: dict[str, Any] = {}

    def get(name: str, default: Any = None) -> Any:
        if name in data:
            return data[name]
        return getattr(current, name) if current is not None else default

    site = (get("site") or "").strip()
    if not site:
        problems.append(FieldProblem("site", "is required"))
    out["site"] = site
    technique = get("technique")
    if technique not in Technique.values:
        problems.append(
            FieldProblem("technique", f"must be one of {', '.join(Technique.values)}", technique)
        )
    out["technique"] = technique
    pattern = get("pattern") or Pattern.DAILY
    if pattern not in Pattern.values:
        problems.append(
            FieldProblem("pattern", f"must be one of {', '.join(Pattern.values)}", pattern)
        )
    out["pattern"] = pattern
    intent = get("intent")
    if intent not in Intent.values:
        problems.append(
            FieldProblem("intent", f"must be one of {', '.join(Intent.values)}", intent)
        )
    out["intent"] = intent
    out["energy"] = (get("energy") or "").strip()
    out["notes"] = get("notes") or ""
    n = get("number_of_fractions")
    try:
        n = int(n)
        if not 1 <= n <= 60:
            problems.append(FieldProblem("number_of_fractions", "must be between 1 and 60", n))
    except (TypeError, ValueError):
        problems.append(FieldProblem("number_of_fractions", "must be a whole number", n))
        n = None
    out["number_of_fractions"] = n
    try:
        d = _dec(get("dose_per_fraction_gy"), "dose_per_fraction_gy")
        if not Decimal(0) < d <= Decimal(30):
            problems.append(
                FieldProblem(
                    "dose_per_fraction_gy", "must be more than 0 and at most 30 Gy", str(d)
                )
            )
    except ValidationFailed as exc:
        problems.extend(exc.problems)
        d = None
    out["dose_per_fraction_gy"] = d
    total = data.get("total_dose_gy") if "total_dose_gy" in data else None
    if d is not None and isinstance(n, int):
        computed = (d * n).quantize(Decimal("0.001"))
        if total not in (None, ""):
            try:
                t = _dec(total, "total_dose_gy")
                if abs(t - computed) > Decimal("0.01"):
                    problems.append(
                        FieldProblem(
                            "total_dose_gy",
                            f"must equal dose per fraction x fractions ({computed} Gy)",
                            str(t),
                        )
                    )
            except ValidationFailed as exc:
                problems.extend(exc.problems)
        out["total_dose_gy"] = computed
        if computed > 200:
            problems.append(FieldProblem("total_dose_gy", "must be at most 200 Gy", str(computed)))
    if technique == Technique.HDR and pattern == Pattern.BID and isinstance(n, int) and n > 12:
        problems.append(
            FieldProblem("number_of_fractions", "HDR courses have at most 12 fractions", n)
        )
    if current is not None and isinstance(n, int) and n < current.fractions_delivered:
        problems.append(
            FieldProblem(
                "number_of_fractions",
                f"cannot be below the {current.fractions_delivered} fractions already delivered",
                n,
            )
        )
    diagnosis = get("diagnosis")
    if diagnosis is not None and not hasattr(diagnosis, "pk"):
        from oncocenter.oncology.models import Diagnosis

        found = Diagnosis.objects.filter(pk=diagnosis).first() if str(diagnosis).isdigit() else None
        if found is None:
            problems.append(FieldProblem("diagnosis", "unknown diagnosis", diagnosis))
        diagnosis = found
    patient_id = data.get("_patient_id") or (
        current.course.patient_id if current is not None else None
    )
    if diagnosis is not None and diagnosis.patient_id != patient_id:
        problems.append(FieldProblem("diagnosis", "belongs to another patient", diagnosis.pk))
    out["diagnosis"] = diagnosis
    # The diagnosis is the source of the codes; typed codes are for patients without one on file.
    out["icd10_code"] = (
        (diagnosis.icd10_code if diagnosis else (get("icd10_code") or "")).strip().upper()
    )
    out["icdo3_morphology"] = (
        diagnosis.icdo3_morphology if diagnosis else (get("icdo3_morphology") or "")
    ).strip()
    cs = data.get("constraint_set", current.constraint_set if current else None)
    if isinstance(cs, str):
        found_set = ConstraintSet.objects.filter(code=cs, active=True).first()
        if found_set is None:
            problems.append(
                FieldProblem("constraint_set", "unknown or inactive constraint set", cs)
            )
        cs = found_set
    out["constraint_set"] = cs or ConstraintSet.objects.filter(active=True).order_by("code").first()
    if problems:
        raise ValidationFailed(problems)
    out["gap_sensitive_site"] = _gap_site(out["icd10_code"], out["icdo3_morphology"])
    return out


def prescription_create(*, course: Course, by: User, data: Mapping[str, Any]) -> Prescription:
    """Write a prescription (unsigned draft) for one treatment site of a course."""
    require(by, "rt.prescription.write")
    if course.status not in OPEN_COURSE:
        raise Conflict(f"Course is {course.status}; no new prescription.", rule="course_closed")
    cleaned = _clean_rx({**data, "_patient_id": course.patient_id}, current=None)
    with transaction.atomic():
        rx = Prescription.objects.create(course=course, created_by=by, **cleaned)
        audit_record(
            action=AuditAction.CREATE,
            obj=rx,
            patient=course.patient,
            detail={
                "site": rx.site,
                "dose": str(rx.total_dose_gy),
                "fractions": rx.number_of_fractions,
            },
        )
    return rx


def prescription_update(
    *, prescription: Prescription, by: User, data: Mapping[str, Any]
) -> Prescription:
    """Edit a prescription. An edit voids its signature and everything that depends on it
    (plan approvals, physics checks of its plans), so it must be signed and approved again."""
    require(by, "rt.prescription.write")
    with transaction.atomic():
        rx = _lock_rx(prescription)
        if rx.status not in (PrescriptionStatus.DRAFT, PrescriptionStatus.SIGNED):
            raise Conflict(
                f"Prescription is {rx.status}; it cannot be edited.", rule="prescription_closed"
            )
        cleaned = _clean_rx(data, current=rx)
        changed = {k: v for k, v in cleaned.items() if getattr(rx, k) != v}
        if not changed:
            return rx
        for k, v in changed.items():
            setattr(rx, k, v)
        reason = f"prescription edited to version {rx.version + 1} by {by.username}"
        voided = _void(Signature.objects.filter(prescription=rx), reason)
        voided += _void(
            Signature.objects.filter(
                plan__prescription=rx,
                meaning__in=[
                    SignatureMeaning.PLAN_APPROVAL,
                    SignatureMeaning.PHYSICS_CHECK,
                    SignatureMeaning.OVERRIDE,
                ],
            ),
            reason,
        )
        rx.plans.exclude(status=PlanStatus.RETIRED).update(status=PlanStatus.DRAFT)
        rx.status = PrescriptionStatus.DRAFT
        rx.version += 1
        try:
            rx.save()
        except IntegrityError as exc:
            raise Conflict(
                "The database refused the edit.",
                rule="constraint",
                problems=[FieldProblem("number_of_fractions", str(exc))],
            ) from exc
        audit_record(
            action=AuditAction.UPDATE,
            obj=rx,
            patient=rx.course.patient,
            detail={"changed": sorted(changed), "version": rx.version, "signatures_voided": voided},
        )
    return rx


def prescription_sign(*, prescription: Prescription, by: User) -> Signature:
    """A radiation oncologist with a current board certification signs the prescription."""
    _require_signer(by, "rt.prescription.sign", RO_CREDENTIALS, "Signing a prescription")
    with transaction.atomic():
        rx = _lock_rx(prescription)
        if rx.status != PrescriptionStatus.DRAFT:
            raise Conflict(
                f"Prescription is {rx.status}, not a draft to sign.", rule="prescription_not_draft"
            )
        sig = _sign(
            meaning=SignatureMeaning.PRESCRIPTION,
            course=rx.course,
            prescription=rx,
            version=rx.version,
            signer=by,
            role=Role.RADIATION_ONCOLOGIST,
            kinds=RO_CREDENTIALS,
            statement=f"{rx.total_dose_gy} Gy in {rx.number_of_fractions} fractions to {rx.site}",
        )
        rx.status = PrescriptionStatus.SIGNED
        rx.save(update_fields=["status", "updated_at"])
        audit_record(
            action=AuditAction.SIGN,
            obj=rx,
            patient=rx.course.patient,
            detail={"meaning": sig.meaning, "version": rx.version},
        )
    prescription.refresh_from_db()
    return sig


# --- plans -------------------------------------------------------------------------------------------


def _plan_mismatches(
    rx: Prescription,
    *,
    machine: Machine,
    technique: str,
    fractions: int,
    dose_per_fraction: Decimal,
) -> list[FieldProblem]:
    problems = []
    if technique != rx.technique:
        problems.append(
            FieldProblem("technique", f"prescription technique is {rx.technique}", technique)
        )
    if fractions != rx.number_of_fractions:
        problems.append(
            FieldProblem(
                "fractions_planned", f"prescription has {rx.number_of_fractions}", fractions
            )
        )
    if abs(dose_per_fraction - rx.dose_per_fraction_gy) > rx.dose_per_fraction_gy * Decimal(
        str(DOSE_TOLERANCE)
    ):
        problems.append(
            FieldProblem(
                "dose_per_fraction_gy",
                f"prescription has {rx.dose_per_fraction_gy} Gy",
                str(dose_per_fraction),
            )
        )
    if not machine.in_service:
        problems.append(FieldProblem("machine", "machine is out of service", machine.code))
    if not machine.can_deliver(rx.technique):
        problems.append(
            FieldProblem("machine", f"machine is not capable of {rx.technique}", machine.code)
        )
    return problems


def plan_create(
    *,
    prescription: Prescription,
    by: User,
    label: str,
    machine: Machine,
    fractions_planned: int,
    dose_per_fraction_gy: Any,
    meterset_per_fraction: Any = None,
    technique: str | None = None,
    beams: list[dict] | None = None,
    planner: User | None = None,
) -> Plan:
    """Record a plan entered by hand; it must match the prescription and a capable machine."""
    require(by, "rt.plan.write")
    rx = prescription
    if rx.status in (
        PrescriptionStatus.CANCELLED,
        PrescriptionStatus.ENTERED_IN_ERROR,
        PrescriptionStatus.COMPLETED,
    ):
        raise Conflict(f"Prescription is {rx.status}.", rule="prescription_closed")
    if not label.strip():
        raise ValidationFailed.single("label", "is required")
    dpf = _dec(dose_per_fraction_gy, "dose_per_fraction_gy")
    mu = (
        _dec(meterset_per_fraction, "meterset_per_fraction", places="0.01")
        if meterset_per_fraction not in (None, "")
        else None
    )
    if mu is not None and mu <= 0:
        raise ValidationFailed.single("meterset_per_fraction", "must be more than 0", str(mu))
    problems = _plan_mismatches(
        rx,
        machine=machine,
        technique=technique or rx.technique,
        fractions=int(fractions_planned),
        dose_per_fraction=dpf,
    )
    if problems:
        raise Conflict(
            "The plan does not match the prescription.", rule="plan_mismatch", problems=problems
        )
    with transaction.atomic():
        plan = Plan.objects.create(
            prescription=rx,
            label=label.strip(),
            planner=planner or by,
            machine=machine,
            technique=rx.technique,
            fractions_planned=int(fractions_planned),
            dose_per_fraction_gy=dpf,
            meterset_per_fraction=mu,
            beams=beams or [],
            created_by=by,
        )
        audit_record(
            action=AuditAction.CREATE,
            obj=plan,
            patient=rx.course.patient,
            detail={"label": plan.label, "machine": machine.code},
        )
    return plan


def plan_import_dicom(
    *, prescription: Prescription, by: User, content: bytes, fraction_group: int | None = None
) -> Plan:
    """Import a DICOM RT Plan. Rejected, with every mismatch listed, unless it matches the
    prescription (patient, fractions, dose) and names a known machine capable of the technique."""
    require(by, "rt.plan.write")
    rx = Prescription.objects.select_related("course__patient").get(pk=prescription.pk)
    if rx.status in (
        PrescriptionStatus.CANCELLED,
        PrescriptionStatus.ENTERED_IN_ERROR,
        PrescriptionStatus.COMPLETED,
    ):
        raise Conflict(f"Prescription is {rx.status}.", rule="prescription_closed")
    try:
        summary = parse_rtplan(content)
    except RTPlanParseError as exc:
        raise ValidationFailed.single("file", str(exc)) from exc
    spec = PrescriptionSpec(
        technique=rx.technique,
        fractions=rx.number_of_fractions,
        dose_per_fraction_gy=float(rx.dose_per_fraction_gy),
        total_dose_gy=float(rx.total_dose_gy),
        patient_id=rx.course.patient.mrn,
    )
    mismatches = compare_plan_with_prescription(
        summary,
        spec,
        _machine_specs(),
        fraction_group=fraction_group,
        dose_tolerance=DOSE_TOLERANCE,
    )
    if mismatches:
        raise Conflict(
            "The RT Plan does not match the prescription: "
            + "; ".join(f"{m.code} (expected {m.expected}, found {m.found})" for m in mismatches),
            rule="rtplan_mismatch",
            problems=[
                FieldProblem(m.field, f"{m.code}: {m.message}; expected {m.expected}", m.found)
                for m in mismatches
            ],
        )
    if (
        summary.sop_instance_uid
        and Plan.objects.filter(dicom_sop_instance_uid=summary.sop_instance_uid).exists()
    ):
        raise Conflict(
            "This RT Plan was already imported.",
            rule="rtplan_duplicate",
            problems=[
                FieldProblem("file", "SOP Instance UID already imported", summary.sop_instance_uid)
            ],
        )
    specs = _machine_specs()
    machine_code = next(s.code for s in specs if s.answers_to(summary.machine_names[0]))
    machine = Machine.objects.get(code=machine_code)
    group = next(g for g in summary.fraction_groups if fraction_group in (None, g.number))
    dpf = group.dose_per_fraction_gy or float(rx.dose_per_fraction_gy)
    mu = summary.total_meterset
    with transaction.atomic():
        plan = Plan.objects.create(
            prescription=rx,
            label=summary.plan_label or "RT Plan",
            planner=by,
            machine=machine,
            technique=rx.technique,
            fractions_planned=group.fractions_planned or 0,
            dose_per_fraction_gy=Decimal(str(dpf)).quantize(Decimal("0.001")),
            meterset_per_fraction=Decimal(str(mu)).quantize(Decimal("0.01")) if mu else None,
            beams=summary.as_dict()["beams"],
            dicom_sop_instance_uid=summary.sop_instance_uid,
            dicom_summary=summary.as_dict(),
            created_by=by,
        )
        audit_record(
            action=AuditAction.CREATE,
            obj=plan,
            patient=rx.course.patient,
            detail={
                "dicom": summary.sop_instance_uid,
                "label": plan.label,
                "machine": machine.code,
            },
        )
    return plan


def _void_plan_signatures(plan: Plan, reason: str, *, include_psqa: bool) -> int:
    meanings = [
        SignatureMeaning.PLAN_APPROVAL,
        SignatureMeaning.PHYSICS_CHECK,
        SignatureMeaning.OVERRIDE,
    ]
    if include_psqa:
        meanings.append(SignatureMeaning.PSQA)
    return _void(Signature.objects.filter(plan=plan, meaning__in=meanings), reason)


def plan_update(*, plan: Plan, by: User, data: Mapping[str, Any]) -> Plan:
    """Edit a plan; voids its approval, physics check, overrides and patient-specific QA."""
    require(by, "rt.plan.write")
    allowed = {
        "label",
        "machine",
        "meterset_per_fraction",
        "dose_per_fraction_gy",
        "fractions_planned",
        "beams",
    }
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationFailed.single(unknown[0], "cannot be edited on a plan", unknown[0])
    with transaction.atomic():
        rx = _lock_rx(plan.prescription)
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        if plan.status == PlanStatus.RETIRED:
            raise Conflict("Plan is retired.", rule="plan_retired")
        changes: dict[str, Any] = {}
        if "label" in data:
            changes["label"] = str(data["label"]).strip()
        if "machine" in data:
            changes["machine"] = data["machine"]
        if "meterset_per_fraction" in data:
            changes["meterset_per_fraction"] = _dec(
                data["meterset_per_fraction"], "meterset_per_fraction", places="0.01"
            )
        if "dose_per_fraction_gy" in data:
            changes["dose_per_fraction_gy"] = _dec(
                data["dose_per_fraction_gy"], "dose_per_fraction_gy"
            )
        if "fractions_planned" in data:
            changes["fractions_planned"] = int(data["fractions_planned"])
        if "beams" in data:
            changes["beams"] = data["beams"]
        changes = {k: v for k, v in changes.items() if getattr(plan, k) != v}
        if not changes:
            return plan
        for k, v in changes.items():
            setattr(plan, k, v)
        problems = _plan_mismatches(
            rx,
            machine=plan.machine,
            technique=plan.technique,
            fractions=plan.fractions_planned,
            dose_per_fraction=plan.dose_per_fraction_gy,
        )
        if problems:
            raise Conflict(
                "The plan does not match the prescription.", rule="plan_mismatch", problems=problems
            )
        voided = _void_plan_signatures(
            plan, f"plan edited to version {plan.version + 1} by {by.username}", include_psqa=True
        )
        plan.status = PlanStatus.DRAFT
        plan.version += 1
        plan.save()
        audit_record(
            action=AuditAction.UPDATE,
            obj=plan,
            patient=rx.course.patient,
            detail={
                "changed": sorted(changes),
                "version": plan.version,
                "signatures_voided": voided,
            },
        )
    return plan


def plan_set_organ_doses(
    *, plan: Plan, by: User, doses: Sequence[Mapping[str, Any]], source: str = "entered"
) -> Plan:
    """Replace the planned organ-at-risk doses (entered, or from a DVH summary). Voids approval."""
    require(by, "rt.plan.write")
    rows, problems = [], []
    seen = set()
    for i, d in enumerate(doses):
        organ = str(d.get("organ", "")).strip()
        metric = str(d.get("metric", "")).strip()
        unit = str(d.get("unit", "Gy")).strip()
        if not organ:
            problems.append(FieldProblem(f"doses[{i}].organ", "is required"))
        if not metric:
            problems.append(FieldProblem(f"doses[{i}].metric", "is required"))
        if unit not in ("Gy", "%"):
            problems.append(FieldProblem(f"doses[{i}].unit", "must be Gy or %", unit))
        try:
            value = _dec(d.get("value"), f"doses[{i}].value", places="0.01")
            if value < 0:
                problems.append(FieldProblem(f"doses[{i}].value", "cannot be negative", str(value)))
        except ValidationFailed as exc:
            problems.extend(exc.problems)
            continue
        if (organ.lower(), metric.lower()) in seen:
            problems.append(
                FieldProblem(f"doses[{i}]", "organ and metric given twice", f"{organ} {metric}")
            )
        seen.add((organ.lower(), metric.lower()))
        rows.append(
            PlannedOrganDose(
                plan=plan, organ=organ, metric=metric, value=value, unit=unit, source=source
            )
        )
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        plan.organ_doses.all().delete()
        PlannedOrganDose.objects.bulk_create(rows)
        if plan.status in (PlanStatus.APPROVED, PlanStatus.CHECKED):
            _void_plan_signatures(plan, f"organ doses changed by {by.username}", include_psqa=False)
            plan.status = PlanStatus.DRAFT
            plan.version += 1
            plan.save(update_fields=["status", "version", "updated_at"])
        audit_record(
            action=AuditAction.UPDATE,
            obj=plan,
            patient=plan.prescription.course.patient,
            detail={"organ_doses": len(rows), "source": source},
        )
    return plan


def plan_import_dvh(
    *, plan: Plan, by: User, text: str, aliases: Mapping[str, str] | None = None
) -> Plan:
    """Planned organ doses from a DVH text export (Dmax, Dmean, and the Vx metrics the
    prescription's constraint set uses). Replaces the plan's organ doses; voids its approval."""
    from oncocenter.radiotherapy.dvh import DvhParseError, parse_dvh_export

    require(by, "rt.plan.write")
    cs = plan.prescription.constraint_set
    metrics = sorted({c.metric for c in cs.constraints.all()} if cs else {"V20"})
    try:
        rows = parse_dvh_export(text, volume_metrics=metrics, aliases=aliases)
    except DvhParseError as exc:
        raise ValidationFailed.single("file", str(exc)) from exc
    return plan_set_organ_doses(plan=plan, by=by, doses=[r.as_dict() for r in rows], source="dvh")


def dose_override_sign(
    *, plan: Plan, by: User, organ: str, metric: str, justification: str, cumulative: bool = False
) -> DoseOverride:
    """A radiation oncologist accepts a dose over a constraint limit, in writing."""
    _require_signer(by, "rt.override.sign", RO_CREDENTIALS, "Overriding a dose limit")
    text = (justification or "").strip()
    if len(text) < MIN_JUSTIFICATION:
        raise ValidationFailed.single(
            "justification",
            f"a written justification of at least {MIN_JUSTIFICATION} characters is required",
            len(text),
        )
    failing = [
        r
        for r in selectors.plan_constraint_failures(plan=plan)
        if r["organ"].lower() == organ.strip().lower()
        and r["metric"].lower() == metric.strip().lower()
        and r["cumulative"] == cumulative
    ]
    if not failing:
        raise ValidationFailed.single(
            "organ",
            "no failing constraint for this organ and metric on the plan",
            f"{organ} {metric}",
        )
    f = failing[0]
    with transaction.atomic():
        sig = _sign(
            meaning=SignatureMeaning.OVERRIDE,
            course=plan.prescription.course,
            plan=plan,
            version=plan.version,
            signer=by,
            role=Role.RADIATION_ONCOLOGIST,
            kinds=RO_CREDENTIALS,
            statement=f"accept {f['organ']} {f['metric']} {f['value']} over {f['limit']} {f['unit']}",
        )
        ov = DoseOverride.objects.create(
            plan=plan,
            organ=f["organ"],
            metric=f["metric"],
            cumulative=cumulative,
            value=Decimal(str(f["value"])).quantize(Decimal("0.01")),
            limit=Decimal(str(f["limit"])).quantize(Decimal("0.01")),
            unit=f["unit"],
            justification=text,
            signature=sig,
        )
        audit_record(
            action=AuditAction.SIGN,
            obj=ov,
            patient=plan.prescription.course.patient,
            detail={
                "organ": ov.organ,
                "metric": ov.metric,
                "value": str(ov.value),
                "limit": str(ov.limit),
            },
        )
    return ov


def plan_approve(*, plan: Plan, by: User) -> Signature:
    """The radiation oncologist approves the plan: prescription signed, every dose over a limit
    covered by a signed override."""
    _require_signer(by, "rt.plan.approve", RO_CREDENTIALS, "Approving a plan")
    with transaction.atomic():
        rx = _lock_rx(plan.prescription)
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        if rx.status != PrescriptionStatus.SIGNED:
            raise Conflict(
                "The prescription must be signed before the plan is approved.",
                rule="prescription_not_signed",
            )
        if plan.status != PlanStatus.DRAFT:
            raise Conflict(f"Plan is {plan.status}, not awaiting approval.", rule="plan_not_draft")
        # The prescription may have been edited since the plan was made: approve only a plan that
        # still matches it.
        mismatches = _plan_mismatches(
            rx,
            machine=plan.machine,
            technique=plan.technique,
            fractions=plan.fractions_planned,
            dose_per_fraction=plan.dose_per_fraction_gy,
        )
        if mismatches:
            raise Conflict(
                "The plan no longer matches the prescription.",
                rule="plan_mismatch",
                problems=mismatches,
            )
        uncovered = [f for f in selectors.plan_constraint_failures(plan=plan) if not f["override"]]
        if uncovered:
            raise Conflict(
                "Doses over a constraint limit need a physician override with a written justification: "
                + ", ".join(
                    f"{f['organ']} {f['metric']} {f['value']} (limit {f['limit']} {f['unit']})"
                    for f in uncovered
                ),
                rule="dose_limit_without_override",
                problems=[
                    FieldProblem(
                        "organ_doses",
                        f"{f['organ']} {f['metric']} over limit {f['limit']}",
                        f["value"],
                    )
                    for f in uncovered
                ],
            )
        sig = _sign(
            meaning=SignatureMeaning.PLAN_APPROVAL,
            course=rx.course,
            prescription=rx,
            plan=plan,
            version=plan.version,
            signer=by,
            role=Role.RADIATION_ONCOLOGIST,
            kinds=RO_CREDENTIALS,
            statement=f"plan {plan.label} v{plan.version} for prescription v{rx.version}",
        )
        plan.status = PlanStatus.APPROVED
        plan.save(update_fields=["status", "updated_at"])
        audit_record(
            action=AuditAction.SIGN,
            obj=plan,
            patient=rx.course.patient,
            detail={"meaning": sig.meaning},
        )
    return sig


def _clean_checklist(
    kind: str, results: Mapping[str, Any]
) -> tuple[dict[str, dict[str, str]], bool]:
    items = list(ChecklistItem.objects.filter(kind=kind, active=True))
    problems, cleaned = [], {}
    codes = {i.code for i in items}
    for code in sorted(set(results) - codes):
        problems.append(FieldProblem(f"results.{code}", "is not an active checklist item", code))
    for item in items:
        raw = results.get(item.code)
        if isinstance(raw, str):
            raw = {"result": raw}
        result = (raw or {}).get("result")
        if result not in ("pass", "fail", "na"):
            problems.append(FieldProblem(f"results.{item.code}", "answer pass, fail or na", result))
            continue
        comment = str((raw or {}).get("comment", ""))[:300]
        if result == "fail" and not comment.strip():
            problems.append(FieldProblem(f"results.{item.code}", "a failed item needs a comment"))
        cleaned[item.code] = {"result": result, "comment": comment}
    if not items:
        problems.append(FieldProblem("results", f"no active checklist items of kind {kind}"))
    if problems:
        raise ValidationFailed(problems, message="Checklist incomplete")
    return cleaned, all(v["result"] != "fail" for v in cleaned.values())


def physics_check_record(
    *, plan: Plan, by: User, results: Mapping[str, Any], comment: str = ""
) -> PhysicsCheck:
    """Independent initial physics plan check by a medical physicist who is not the planner."""
    _require_signer(by, "rt.physics.check", PHYSICIST_CREDENTIALS, "A physics plan check")
    if plan.planner_id == by.pk:
        raise Conflict(
            "The physics plan check must be done by a physicist other than the planner.",
            rule="physicist_is_planner",
            problems=[FieldProblem("checker", "is the planner", by.username)],
        )
    cleaned, passed = _clean_checklist(ChecklistKind.INITIAL, results)
    with transaction.atomic():
        rx = _lock_rx(plan.prescription)
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        if plan.status != PlanStatus.APPROVED:
            raise Conflict(
                f"Plan is {plan.status}; the physics check follows the physician's approval.",
                rule="plan_not_approved",
            )
        sig = _sign(
            meaning=SignatureMeaning.PHYSICS_CHECK,
            course=rx.course,
            prescription=rx,
            plan=plan,
            version=plan.version,
            signer=by,
            role=Role.MEDICAL_PHYSICIST,
            kinds=PHYSICIST_CREDENTIALS,
            statement=("passed" if passed else "failed")
            + f" initial check of plan v{plan.version}",
        )
        check = PhysicsCheck.objects.create(
            kind=ChecklistKind.INITIAL,
            course=rx.course,
            plan=plan,
            checker=by,
            performed_at=sig.signed_at,
            results=cleaned,
            passed=passed,
            comment=comment,
            signature=sig,
        )
        if passed:
            plan.status = PlanStatus.CHECKED
            plan.save(update_fields=["status", "updated_at"])
        audit_record(
            action=AuditAction.SIGN, obj=check, patient=rx.course.patient, detail={"passed": passed}
        )
    return check


def chart_check_record(
    *, course: Course, by: User, kind: str, results: Mapping[str, Any], comment: str = ""
) -> PhysicsCheck:
    """Weekly or end-of-treatment physics chart check (MPPG 11.a)."""
    _require_signer(by, "rt.physics.check", PHYSICIST_CREDENTIALS, "A physics chart check")
    if kind not in (ChecklistKind.WEEKLY, ChecklistKind.END):
        raise ValidationFailed.single("kind", "must be weekly or end", kind)
    cleaned, passed = _clean_checklist(kind, results)
    meaning = (
        SignatureMeaning.WEEKLY_CHART
        if kind == ChecklistKind.WEEKLY
        else SignatureMeaning.END_CHECK
    )
    with transaction.atomic():
        sig = _sign(
            meaning=meaning,
            course=course,
            signer=by,
            role=Role.MEDICAL_PHYSICIST,
            kinds=PHYSICIST_CREDENTIALS,
            statement=f"{kind} chart check " + ("passed" if passed else "failed"),
        )
        check = PhysicsCheck.objects.create(
            kind=kind,
            course=course,
            checker=by,
            performed_at=sig.signed_at,
            results=cleaned,
            passed=passed,
            comment=comment,
            signature=sig,
        )
        audit_record(
            action=AuditAction.SIGN,
            obj=check,
            patient=course.patient,
            detail={"kind": kind, "passed": passed},
        )
    return check


def psqa_record(
    *,
    plan: Plan,
    by: User,
    method: str,
    passing_rate_pct: Any,
    action_limit_pct: Any = 95,
    comment: str = "",
) -> PatientSpecificQA:
    """Patient-specific QA measurement, reviewed and signed by a medical physicist."""
    _require_signer(by, "rt.psqa.record", PHYSICIST_CREDENTIALS, "Reviewing patient-specific QA")
    rate = _dec(passing_rate_pct, "passing_rate_pct", places="0.01")
    limit = _dec(action_limit_pct, "action_limit_pct", places="0.01")
    problems = []
    if not 0 <= rate <= 100:
        problems.append(FieldProblem("passing_rate_pct", "must be between 0 and 100", str(rate)))
    if not 0 < limit <= 100:
        problems.append(FieldProblem("action_limit_pct", "must be between 0 and 100", str(limit)))
    if not method.strip():
        problems.append(FieldProblem("method", "is required"))
    if problems:
        raise ValidationFailed(problems)
    passed = rate >= limit
    with transaction.atomic():
        sig = _sign(
            meaning=SignatureMeaning.PSQA,
            course=plan.prescription.course,
            plan=plan,
            version=plan.version,
            signer=by,
            role=Role.MEDICAL_PHYSICIST,
            kinds=PHYSICIST_CREDENTIALS,
            statement=f"PSQA {rate}% (limit {limit}%) {'pass' if passed else 'fail'}",
        )
        qa = PatientSpecificQA.objects.create(
            plan=plan,
            performed_at=sig.signed_at,
            method=method.strip(),
            passing_rate_pct=rate,
            action_limit_pct=limit,
            passed=passed,
            comment=comment,
            signature=sig,
        )
        audit_record(
            action=AuditAction.SIGN,
            obj=qa,
            patient=plan.prescription.course.patient,
            detail={"rate": str(rate), "passed": passed},
        )
    return qa


# --- scheduling of sessions ------------------------------------------------------------------------------


def fractions_schedule(
    *, plan: Plan, by: User, start_date: dt.date, machine: Machine | None = None
) -> list[Fraction]:
    """Create scheduled sessions for the fractions not yet scheduled, on open treatment days."""
    require(by, "rt.schedule")
    machine = machine or plan.machine
    rx = plan.prescription
    _check_machine(machine, rx.technique)
    with transaction.atomic():
        rx = _lock_rx(rx)
        open_sessions = rx.fractions.filter(
            status__in=[FractionStatus.SCHEDULED, *DELIVERED_STATUSES]
        ).count()
        needed = rx.number_of_fractions - open_sessions
        if needed <= 0:
            raise Conflict(
                "Every fraction already has a session.", rule="fractions_already_scheduled"
            )
        cal = selectors.treatment_calendar()
        days = selectors.session_dates(
            start=start_date, count=needed, pattern=rx.pattern, calendar=cal
        )
        seq = rx.fractions.aggregate(m=Max("sequence"))["m"] or 0
        created = [
            Fraction(
                prescription=rx,
                plan=plan,
                sequence=seq + i + 1,
                scheduled_date=day,
                machine=machine,
            )
            for i, day in enumerate(days)
        ]
        Fraction.objects.bulk_create(created)
        audit_record(
            action=AuditAction.CREATE,
            obj=rx,
            patient=rx.course.patient,
            detail={"sessions_scheduled": len(created), "from": days[0].isoformat()},
        )
    return list(rx.fractions.filter(sequence__gt=seq).order_by("sequence"))


def fraction_mark_missed(*, fraction: Fraction, by: User, reason: str) -> Fraction:
    """A scheduled session did not happen; a replacement session is added after the last one."""
    require(by, "rt.schedule")
    if not reason.strip():
        raise ValidationFailed.single("reason", "is required")
    with transaction.atomic():
        rx = _lock_rx(fraction.prescription)
        fraction = Fraction.objects.select_for_update().get(pk=fraction.pk)
        if fraction.status != FractionStatus.SCHEDULED:
            raise Conflict(
                f"Session is {fraction.status}, not scheduled.", rule="fraction_not_open"
            )
        fraction.status = FractionStatus.MISSED
        fraction.status_reason = reason.strip()[:300]
        fraction.save(update_fields=["status", "status_reason", "updated_at"])
        last = rx.fractions.order_by("-sequence").first()
        assert last is not None  # the missed session itself
        cal = selectors.treatment_calendar()
        after = max(
            d for d in [last.scheduled_date, fraction.scheduled_date, timezone.localdate()] if d
        )
        Fraction.objects.create(
            prescription=rx,
            plan=fraction.plan,
            sequence=last.sequence + 1,
            scheduled_date=cal.add_open_days(after, 1),
            machine=fraction.machine,
        )
        audit_record(
            action=AuditAction.UPDATE,
            obj=fraction,
            patient=rx.course.patient,
            detail={"status": "missed", "reason": fraction.status_reason},
        )
    return fraction


def brachy_session_set(
    *,
    fraction: Fraction,
    by: User,
    applicator: str,
    room: str,
    afterloader: Machine,
    anesthesia: bool,
    physician_present: User | None,
    physicist_present: User | None,
    anesthesiologist: User | None = None,
    notes: str = "",
) -> BrachySession:
    """HDR session details: applicator, room and afterloader, anesthesia, team present."""
    require(by, "rt.brachy.record")
    problems = []
    if fraction.prescription.technique != Technique.HDR:
        problems.append(FieldProblem("fraction", "is not an HDR brachytherapy fraction"))
    if not applicator.strip():
        problems.append(FieldProblem("applicator", "is required"))
    if not room.strip():
        problems.append(FieldProblem("room", "is required"))
    if afterloader.kind != MachineKind.AFTERLOADER or not afterloader.can_deliver(Technique.HDR):
        problems.append(FieldProblem("afterloader", "must be an HDR afterloader", afterloader.code))
    if physician_present is not None and Role.RADIATION_ONCOLOGIST not in user_roles(
        physician_present
    ):
        problems.append(
            FieldProblem(
                "physician_present", "must be a radiation oncologist", physician_present.username
            )
        )
    if physicist_present is not None and Role.MEDICAL_PHYSICIST not in user_roles(
        physicist_present
    ):
        problems.append(
            FieldProblem(
                "physicist_present", "must be a medical physicist", physicist_present.username
            )
        )
    if anesthesia and (
        anesthesiologist is None or Role.ANESTHESIOLOGIST not in user_roles(anesthesiologist)
    ):
        problems.append(
            FieldProblem("anesthesiologist", "an anesthesiologist is required under anesthesia")
        )
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        session, _ = BrachySession.objects.update_or_create(
            fraction=fraction,
            defaults=dict(
                applicator=applicator.strip(),
                room=room.strip(),
                afterloader=afterloader,
                anesthesia=anesthesia,
                physician_present=physician_present,
                physicist_present=physicist_present,
                anesthesiologist=anesthesiologist,
                notes=notes,
            ),
        )
        audit_record(
            action=AuditAction.UPDATE,
            obj=session,
            patient=fraction.prescription.course.patient,
            detail={"applicator": session.applicator, "anesthesia": anesthesia},
        )
    return session


# --- delivery -------------------------------------------------------------------------------------------


def _check_identifiers(patient, identifiers: Mapping[str, Any]) -> list[str]:
    """Return the identifier kinds that matched; raise unless two distinct ones did."""
    matched, problems = [], []
    for kind, raw in identifiers.items():
        value = str(raw or "").strip()
        if kind not in IDENTIFIER_KINDS:
            problems.append(
                FieldProblem(f"identifiers.{kind}", f"use {', '.join(IDENTIFIER_KINDS)}", kind)
            )
            continue
        if not value:
            continue
        ok = False
        if kind == "mrn":
            ok = value == patient.mrn
        elif kind == "birth_date":
            ok = value == patient.birth_date.isoformat()
        elif kind == "name":
            latin = f"{patient.family_name_en} {patient.given_name_en}".casefold()
            ok = (
                value.replace(" ", "") == patient.name_ko.replace(" ", "")
                or " ".join(value.split()).casefold() == latin
            )
        if ok:
            matched.append(kind)
        else:
            problems.append(FieldProblem(f"identifiers.{kind}", "does not match the patient"))
    if problems or len(set(matched)) < 2:
        if len(set(matched)) < 2:
            problems.append(
                FieldProblem(
                    "identifiers",
                    "two patient identifiers must be confirmed (mrn, birth_date, name)",
                    len(set(matched)),
                )
            )
        raise ValidationFailed(problems, message="Patient identity not confirmed")
    return sorted(set(matched))


def _authorisations(rx: Prescription, plan: Plan) -> list[int]:
    """Signatures that allow treatment now, or a Conflict naming the missing one."""
    active = Signature.objects.filter(voided_at__isnull=True)
    rx_sig = active.filter(
        prescription=rx, meaning=SignatureMeaning.PRESCRIPTION, signed_version=rx.version
    ).first()
    if rx.status != PrescriptionStatus.SIGNED or rx_sig is None:
        raise Conflict(
            "No treatment without a signed prescription.", rule="prescription_not_signed"
        )
    approval = active.filter(
        plan=plan, meaning=SignatureMeaning.PLAN_APPROVAL, signed_version=plan.version
    ).first()
    if approval is None:
        raise Conflict("No treatment without a physician-approved plan.", rule="plan_not_approved")
    check = active.filter(
        plan=plan,
        meaning=SignatureMeaning.PHYSICS_CHECK,
        signed_version=plan.version,
        physics_check__passed=True,
    ).first()
    if check is None or plan.status != PlanStatus.CHECKED:
        raise Conflict(
            "No treatment without a passed independent physics plan check.",
            rule="physics_check_missing",
        )
    ids = [rx_sig.pk, approval.pk, check.pk]
    if plan.needs_psqa:
        qa = active.filter(
            plan=plan, meaning=SignatureMeaning.PSQA, signed_version=plan.version, psqa__passed=True
        ).first()
        if qa is None:
            raise Conflict(
                f"{plan.technique} needs a passed patient-specific QA before treatment.",
                rule="psqa_missing",
            )
        ids.append(qa.pk)
    return ids


def _next_delivered_number(rx: Prescription) -> int:
    used = set(
        rx.fractions.filter(delivered_number__isnull=False).values_list(
            "delivered_number", flat=True
        )
    )
    return next(n for n in range(1, rx.number_of_fractions + 2) if n not in used)


def _dose_for(plan: Plan, rx: Prescription, meterset: Decimal | None, partial: bool) -> Decimal:
    if partial and meterset is not None and plan.meterset_per_fraction:
        return (rx.dose_per_fraction_gy * meterset / plan.meterset_per_fraction).quantize(
            Decimal("0.001")
        )
    return rx.dose_per_fraction_gy


def fraction_record_delivery(
    *,
    fraction: Fraction,
    by: User,
    delivered_at: dt.datetime,
    machine: Machine,
    identifiers: Mapping[str, Any],
    meterset_delivered: Any = None,
    partial: bool = False,
    notes: str = "",
) -> Delivery:
    """Record a treated (or partially treated) session after every record-and-verify interlock:
    therapist with a current licence; two patient identifiers; signed prescription, approved plan,
    passed physics check (and PSQA where required) of the current versions; machine in service and
    capable; never more fractions than prescribed (row lock + database constraint); twice-daily
    spacing; meterset within the plan. A second delivery on a partially treated session completes it.
    """
    _require_signer(by, "rt.delivery.record", THERAPIST_CREDENTIALS, "Recording a treatment")
    if delivered_at.tzinfo is None:
        raise ValidationFailed.single(
            "delivered_at", "must include a timezone", delivered_at.isoformat()
        )
    if delivered_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationFailed.single(
            "delivered_at", "cannot be in the future", delivered_at.isoformat()
        )
    mu = None
    if meterset_delivered not in (None, ""):
        mu = _dec(meterset_delivered, "meterset_delivered", places="0.01")
        if mu <= 0:
            raise ValidationFailed.single("meterset_delivered", "must be more than 0", str(mu))
    if partial and mu is None:
        raise ValidationFailed.single("meterset_delivered", "is required for a partial treatment")
    with transaction.atomic():
        # Lock order everywhere: prescription, then fraction. Serialises concurrent recordings of
        # the same prescription, so the fraction count below cannot be read stale.
        rx = _lock_rx(fraction.prescription)
        fraction = Fraction.objects.select_for_update().select_related("plan").get(pk=fraction.pk)
        plan = fraction.plan
        patient = rx.course.patient
        matched = _check_identifiers(patient, identifiers)
        if rx.course.status not in OPEN_COURSE:
            raise Conflict(f"Course is {rx.course.status}.", rule="course_closed")
        if fraction.status not in (FractionStatus.SCHEDULED, FractionStatus.PARTIAL):
            raise Conflict(
                f"Session {fraction.sequence} is {fraction.status}.", rule="fraction_not_open"
            )
        authorised = _authorisations(rx, plan)
        _check_machine(machine, rx.technique)
        if rx.technique == Technique.HDR:
            session = BrachySession.objects.filter(fraction=fraction).first()
            if (
                session is None
                or session.physician_present_id is None
                or session.physicist_present_id is None
            ):
                raise Conflict(
                    "HDR treatment needs the physician and the physicist present (record the session).",
                    rule="hdr_team_absent",
                )
            if session.afterloader_id != machine.pk:
                raise Conflict(
                    "Machine differs from the session's afterloader.", rule="machine_mismatch"
                )
        completing = fraction.status == FractionStatus.PARTIAL
        planned_mu = plan.meterset_per_fraction
        if planned_mu is not None and mu is not None:
            total_mu = fraction.meterset_delivered + mu
            if total_mu > planned_mu * (1 + METERSET_TOLERANCE):
                raise Conflict(
                    f"Meterset {total_mu} would exceed the planned {planned_mu} MU.",
                    rule="meterset_exceeds_plan",
                    problems=[FieldProblem("meterset_delivered", f"planned {planned_mu}", str(mu))],
                )
            if partial and total_mu >= planned_mu:
                raise ValidationFailed.single(
                    "partial", "the meterset reaches the plan: not a partial treatment", str(mu)
                )
        if not completing:
            if rx.fractions_delivered >= rx.number_of_fractions:
                raise Conflict(
                    f"All {rx.number_of_fractions} prescribed fractions are delivered.",
                    rule="fractions_exhausted",
                )
            others = list(
                Delivery.objects.filter(
                    fraction__prescription=rx,
                    status=Delivery.Status.RECORDED,
                    replaces__isnull=True,
                )
                .exclude(fraction=fraction)
                .values_list("delivered_at", flat=True)
            )
            violation = check_fraction_spacing(
                others, delivered_at, pattern=rx.pattern, tz=timezone.get_default_timezone()
            )
            if violation is not None:
                raise Conflict(
                    violation.message,
                    rule=violation.code,
                    problems=[
                        FieldProblem("delivered_at", violation.message, delivered_at.isoformat())
                    ],
                )
        dose = _dose_for(plan, rx, mu, partial)
        if completing:
            dose = min(dose, rx.dose_per_fraction_gy - fraction.dose_delivered_gy)
        delivery = Delivery.objects.create(
            fraction=fraction,
            recorded_by=by,
            recorded_at=timezone.now(),
            delivered_at=delivered_at,
            machine=machine,
            meterset_delivered=mu,
            dose_delivered_gy=dose,
            partial=partial,
            identifiers_confirmed=matched,
            plan_version=plan.version,
            prescription_version=rx.version,
            authorised_by=authorised,
            notes=notes[:300],
        )
        fraction.meterset_delivered += mu or (planned_mu or Decimal(0))
        fraction.dose_delivered_gy += dose
        fraction.status = FractionStatus.PARTIAL if partial else FractionStatus.TREATED
        fraction.machine = machine
        if not completing:
            fraction.delivered_number = _next_delivered_number(rx)
        fraction.save()
        if not completing:
            try:
                with transaction.atomic():
                    Prescription.objects.filter(pk=rx.pk).update(
                        fractions_delivered=F("fractions_delivered") + 1
                    )
            except IntegrityError as exc:  # the database constraint: defence in depth
                raise Conflict(
                    "All prescribed fractions are delivered.", rule="fractions_exhausted"
                ) from exc
            rx.refresh_from_db()
        course = rx.course
        if course.status == CourseStatus.PLANNED:
            course.status = CourseStatus.ACTIVE
            course.started_on = timezone.localtime(delivered_at).date()
            course.save(update_fields=["status", "started_on", "updated_at"])
            _episode_start(course)
        audit_record(
            action=AuditAction.CREATE,
            obj=delivery,
            patient=patient,
            detail={
                "fraction": fraction.delivered_number,
                "of": rx.number_of_fractions,
                "partial": partial,
                "machine": machine.code,
                "identifiers": matched,
            },
        )
    return delivery


def _reapply_fraction(fraction: Fraction, rx: Prescription) -> None:
    active = list(
        fraction.deliveries.filter(status=Delivery.Status.RECORDED).order_by("delivered_at")
    )
    was_delivered = fraction.status in DELIVERED_STATUSES
    if not active:
        fraction.status = FractionStatus.SCHEDULED
        fraction.delivered_number = None
        fraction.meterset_delivered = Decimal(0)
        fraction.dose_delivered_gy = Decimal(0)
        fraction.save()
        if was_delivered:
            Prescription.objects.filter(pk=rx.pk).update(
                fractions_delivered=F("fractions_delivered") - 1
            )
        return
    fraction.meterset_delivered = sum(
        (d.meterset_delivered or Decimal(0) for d in active), Decimal(0)
    )
    fraction.dose_delivered_gy = sum((d.dose_delivered_gy for d in active), Decimal(0))
    fraction.status = FractionStatus.PARTIAL if active[-1].partial else FractionStatus.TREATED
    fraction.save()


def delivery_mark_entered_in_error(*, delivery: Delivery, by: User, reason: str) -> Delivery:
    """Mark a delivery record entered-in-error (never deleted); the session reopens if it was
    its only record, and the prescription's delivered count follows."""
    require(by, "rt.delivery.correct")
    if len((reason or "").strip()) < 5:
        raise ValidationFailed.single("reason", "a reason of at least 5 characters is required")
    with transaction.atomic():
        rx = _lock_rx(delivery.fraction.prescription)
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if delivery.status != Delivery.Status.RECORDED:
            raise Conflict("This record is already entered-in-error.", rule="already_in_error")
        fraction = Fraction.objects.select_for_update().get(pk=delivery.fraction_id)
        delivery.status = Delivery.Status.ENTERED_IN_ERROR
        delivery.error_reason = reason.strip()[:300]
        delivery.errored_by = by
        delivery.errored_at = timezone.now()
        delivery.save(update_fields=["status", "error_reason", "errored_by", "errored_at"])
        _reapply_fraction(fraction, rx)
        audit_record(
            action=AuditAction.UPDATE,
            obj=delivery,
            patient=rx.course.patient,
            detail={"status": "entered-in-error", "reason": delivery.error_reason},
        )
    return delivery


def delivery_correct(
    *,
    delivery: Delivery,
    by: User,
    reason: str,
    meterset_delivered: Any = None,
    delivered_at: dt.datetime | None = None,
    partial: bool | None = None,
) -> Delivery:
    """Correct a delivery record: the old row becomes entered-in-error with the reason, a new row
    (pointing to it) carries the corrected values. Identity and authorisations are carried over."""
    require(by, "rt.delivery.correct")
    if len((reason or "").strip()) < 5:
        raise ValidationFailed.single("reason", "a reason of at least 5 characters is required")
    with transaction.atomic():
        rx = _lock_rx(delivery.fraction.prescription)
        old = (
            Delivery.objects.select_for_update()
            .select_related("fraction__plan")
            .get(pk=delivery.pk)
        )
        if old.status != Delivery.Status.RECORDED:
            raise Conflict("This record is already entered-in-error.", rule="already_in_error")
        fraction = Fraction.objects.select_for_update().get(pk=old.fraction_id)
        plan = fraction.plan
        mu = old.meterset_delivered
        if meterset_delivered not in (None, ""):
            mu = _dec(meterset_delivered, "meterset_delivered", places="0.01")
            if mu <= 0:
                raise ValidationFailed.single("meterset_delivered", "must be more than 0", str(mu))
        is_partial = old.partial if partial is None else partial
        if is_partial and mu is None:
            raise ValidationFailed.single(
                "meterset_delivered", "is required for a partial treatment"
            )
        others = fraction.meterset_delivered - (old.meterset_delivered or Decimal(0))
        if (
            plan.meterset_per_fraction
            and mu is not None
            and others + mu > plan.meterset_per_fraction * (1 + METERSET_TOLERANCE)
        ):
            raise Conflict(
                "The corrected meterset would exceed the plan.",
                rule="meterset_exceeds_plan",
                problems=[
                    FieldProblem(
                        "meterset_delivered", f"planned {plan.meterset_per_fraction}", str(mu)
                    )
                ],
            )
        when = delivered_at or old.delivered_at
        old.status = Delivery.Status.ENTERED_IN_ERROR
        old.error_reason = reason.strip()[:300]
        old.errored_by = by
        old.errored_at = timezone.now()
        old.save(update_fields=["status", "error_reason", "errored_by", "errored_at"])
        new = Delivery.objects.create(
            fraction=fraction,
            recorded_by=by,
            recorded_at=timezone.now(),
            delivered_at=when,
            machine=old.machine,
            meterset_delivered=mu,
            dose_delivered_gy=_dose_for(plan, rx, mu, is_partial),
            partial=is_partial,
            identifiers_confirmed=old.identifiers_confirmed,
            plan_version=old.plan_version,
            prescription_version=old.prescription_version,
            authorised_by=old.authorised_by,
            replaces=old,
            notes=f"correction: {reason.strip()}"[:300],
        )
        _reapply_fraction(fraction, rx)
        audit_record(
            action=AuditAction.UPDATE,
            obj=new,
            patient=rx.course.patient,
            detail={"corrects": old.pk, "reason": old.error_reason},
        )
    return new


# --- on-treatment care and closing -------------------------------------------------------------------------


def weekly_review_record(
    *,
    course: Course,
    by: User,
    reviewed_on: dt.date,
    grades: Mapping[str, Any],
    notes: str = "",
    continue_treatment: bool = True,
) -> WeeklyReview:
    """Weekly on-treatment visit with CTCAE v5 grades (term code -> grade 0..5)."""
    _require_signer(by, "rt.review.record", PHYSICIAN_CREDENTIALS, "A weekly on-treatment review")
    terms = {t.code: t for t in CtcaeTerm.objects.filter(active=True, code__in=list(grades))}
    problems, rows = [], []
    for code, raw in grades.items():
        term = terms.get(code)
        if term is None:
            problems.append(FieldProblem(f"grades.{code}", "unknown CTCAE term", code))
            continue
        try:
            g = int(raw)
        except (TypeError, ValueError):
            problems.append(FieldProblem(f"grades.{code}", "must be a whole number", raw))
            continue
        if not 0 <= g <= term.max_grade:
            problems.append(
                FieldProblem(f"grades.{code}", f"must be 0 to {term.max_grade} for {term.term}", g)
            )
            continue
        rows.append((term, g))
    if reviewed_on > timezone.localdate():
        problems.append(
            FieldProblem("reviewed_on", "cannot be in the future", reviewed_on.isoformat())
        )
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        delivered = sum(rx.fractions_delivered for rx in course.prescriptions.all())
        sig = _sign(
            meaning=SignatureMeaning.WEEKLY_REVIEW,
            course=course,
            signer=by,
            role=Role.RADIATION_ONCOLOGIST,
            kinds=PHYSICIAN_CREDENTIALS,
            statement=f"weekly review after {delivered} fractions",
        )
        review = WeeklyReview.objects.create(
            course=course,
            reviewed_on=reviewed_on,
            fractions_at_review=delivered,
            notes=notes,
            continue_treatment=continue_treatment,
            signature=sig,
        )
        ToxicityGrade.objects.bulk_create(
            [ToxicityGrade(review=review, term=t, grade=g) for t, g in rows]
        )
        audit_record(
            action=AuditAction.CREATE,
            obj=review,
            patient=course.patient,
            detail={"grades": {t.code: g for t, g in rows}},
        )
    return review


def interruption_review_record(
    *, prescription: Prescription, by: User, decision: str, note: str
) -> InterruptionReview:
    """The physician records what is done about the open days lost so far; the interruption
    leaves the worklist until more days are lost."""
    require(by, "rt.review.record")
    problems = []
    if decision not in InterruptionReview.Decision.values:
        problems.append(
            FieldProblem(
                "decision",
                f"must be one of {', '.join(InterruptionReview.Decision.values)}",
                decision,
            )
        )
    if not (note or "").strip():
        problems.append(FieldProblem("note", "describe the compensation, or why none is needed"))
    if problems:
        raise ValidationFailed(problems)
    report = selectors.prescription_interruptions(rx=prescription)
    if not report.interrupted:
        raise Conflict("No open day has been lost on this prescription.", rule="no_interruption")
    with transaction.atomic():
        review = InterruptionReview.objects.create(
            prescription=prescription,
            days_lost=report.days_lost,
            decision=decision,
            note=note.strip()[:300],
            reviewed_by=by,
        )
        audit_record(
            action=AuditAction.CREATE,
            obj=review,
            patient=prescription.course.patient,
            detail={"days_lost": report.days_lost, "decision": decision},
        )
    return review


def course_close(*, course: Course, by: User, status: str, reason: str = "") -> Course:
    """Complete or stop a course; remaining scheduled sessions are cancelled."""
    require(by, "rt.course.manage")
    if status not in (CourseStatus.COMPLETED, CourseStatus.STOPPED):
        raise ValidationFailed.single("status", "must be completed or stopped", status)
    if status == CourseStatus.STOPPED and not reason.strip():
        raise ValidationFailed.single("reason", "is required to stop a course early")
    with transaction.atomic():
        course = Course.objects.select_for_update().get(pk=course.pk)
        if course.status not in OPEN_COURSE:
            raise Conflict(f"Course is already {course.status}.", rule="course_closed")
        last = (
            Delivery.objects.filter(
                fraction__prescription__course=course, status=Delivery.Status.RECORDED
            )
            .order_by("-delivered_at")
            .first()
        )
        Fraction.objects.filter(
            prescription__course=course, status=FractionStatus.SCHEDULED
        ).update(status=FractionStatus.CANCELLED, status_reason=f"course {status}")
        for rx in course.prescriptions.filter(status=PrescriptionStatus.SIGNED):
            rx.status = PrescriptionStatus.COMPLETED
            rx.save(update_fields=["status", "updated_at"])
        course.status = status
        if last is not None:
            course.started_on = course.started_on or timezone.localtime(last.delivered_at).date()
            course.ended_on = timezone.localtime(last.delivered_at).date()
        if reason:
            course.notes = (
                course.notes + "\n" if course.notes else ""
            ) + f"{status}: {reason.strip()}"
        course.save()
        _episode_end(course)
        audit_record(
            action=AuditAction.UPDATE,
            obj=course,
            patient=course.patient,
            detail={"status": status, "reason": reason},
        )
    return course


# --- oncology.TreatmentEpisode (owned by the clinical app) -------------------------------------------------


def _episode_model():
    from django.apps import apps

    try:
        return apps.get_model("oncology", "TreatmentEpisode")
    except LookupError:
        return None


def _episode_start(course: Course) -> None:
    Episode = _episode_model()
    if Episode is None or course.treatment_episode_id:
        return
    rx = course.prescriptions.exclude(diagnosis__isnull=True).first()
    doses = ", ".join(
        f"{p.site} {p.total_dose_gy} Gy/{p.number_of_fractions} fx"
        for p in course.prescriptions.all()
    )
    episode = Episode.objects.create(
        patient=course.patient,
        diagnosis_id=rx.diagnosis_id if rx else None,
        modality="radiotherapy",
        started_on=course.started_on,
        at_this_center=True,
        description=f"RT course {course.number}: {course.label} ({doses})"[:300],
        source=f"radiotherapy.course:{course.pk}",
    )
    Course.objects.filter(pk=course.pk).update(treatment_episode_id=episode.pk)
    course.treatment_episode_id = episode.pk


def _episode_end(course: Course) -> None:
    Episode = _episode_model()
    if Episode is None or not course.treatment_episode_id:
        return
    Episode.objects.filter(pk=course.treatment_episode_id).update(ended_on=course.ended_on)


def get_or_404(model, **kwargs):
    obj = model.objects.filter(**kwargs).first()
    if obj is None:
        raise NotFound(f"{model._meta.verbose_name} not found")
    return obj
