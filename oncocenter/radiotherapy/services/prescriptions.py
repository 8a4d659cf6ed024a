"""Prescriptions: write, edit (voiding what depended on the signed version), sign."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.core.permissions import require
from oncocenter.core.roles import Role
from oncocenter.machines.models import Technique
from oncocenter.oncology.models import Diagnosis
from oncocenter.radiotherapy.models import (
    ConstraintSet,
    Course,
    Intent,
    Pattern,
    PlanStatus,
    Prescription,
    PrescriptionStatus,
    Signature,
    SignatureMeaning,
)
from oncocenter.radiotherapy.services._common import (
    OPEN_COURSE,
    RO_CREDENTIALS,
    UNCHANGED,
    Number,
    _dec,
    _gap_site,
    _lock_rx,
)
from oncocenter.radiotherapy.services.signing import _require_signer, _sign, _void


def _one_of(problems: list[FieldProblem], field: str, value: Any, choices: list[str]) -> None:
    if value not in choices:
        problems.append(
            FieldProblem(
                field, _("must be one of %(choices)s") % {"choices": ", ".join(choices)}, value
            )
        )


def _field_problem(problems: list[FieldProblem], field: str) -> bool:
    return any(p.field == field for p in problems)


def _clean_rx(data: dict[str, Any], *, current: Prescription | None) -> dict[str, Any]:
    """Every field of a prescription checked at once; `data` holds the fields given."""
    problems: list[FieldProblem] = []
    out: dict[str, Any] = {}

    def get(name: str, default: Any = None) -> Any:
        if name in data:
            return data[name]
        return getattr(current, name) if current is not None else default

    site = (get("site") or "").strip()
    if not site:
        problems.append(FieldProblem("site", _("is required")))
    out["site"] = site
    technique = get("technique")
    _one_of(problems, "technique", technique, Technique.values)
    out["technique"] = technique
    pattern = get("pattern") or Pattern.DAILY
    _one_of(problems, "pattern", pattern, Pattern.values)
    out["pattern"] = pattern
    intent = get("intent")
    _one_of(problems, "intent", intent, Intent.values)
    out["intent"] = intent
    out["energy"] = (get("energy") or "").strip()
    out["notes"] = get("notes") or ""
    n = get("number_of_fractions")
    try:
        n = int(n)
        if not 1 <= n <= 60:
            problems.append(FieldProblem("number_of_fractions", _("must be between 1 and 60"), n))
    except (TypeError, ValueError):
        problems.append(FieldProblem("number_of_fractions", _("must be a whole number"), n))
        n = None
    out["number_of_fractions"] = n
    d: Decimal | None
    try:
        d = _dec(get("dose_per_fraction_gy"), "dose_per_fraction_gy")
        if not Decimal(0) < d <= Decimal(30):
            problems.append(
                FieldProblem(
                    "dose_per_fraction_gy", _("must be more than 0 and at most 30 Gy"), str(d)
                )
            )
    except ValidationFailed as exc:
        problems.extend(exc.problems)
        d = None
    out["dose_per_fraction_gy"] = d
    total = data.get("total_dose_gy")
    if d is not None and isinstance(n, int):
        computed = (d * n).quantize(Decimal("0.001"))
        if total not in (None, ""):
            try:
                t = _dec(total, "total_dose_gy")
                if abs(t - computed) > Decimal("0.01"):
                    problems.append(
                        FieldProblem(
                            "total_dose_gy",
                            _("must equal dose per fraction x fractions (%(total)s Gy)")
                            % {"total": computed},
                            str(t),
                        )
                    )
            except ValidationFailed as exc:
                problems.extend(exc.problems)
        out["total_dose_gy"] = computed
        if computed > 200:
            problems.append(
                FieldProblem("total_dose_gy", _("must be at most 200 Gy"), str(computed))
            )
    if technique == Technique.HDR and pattern == Pattern.BID and isinstance(n, int) and n > 12:
        problems.append(
            FieldProblem("number_of_fractions", _("HDR courses have at most 12 fractions"), n)
        )
    if current is not None and isinstance(n, int) and n < current.fractions_delivered:
        problems.append(
            FieldProblem(
                "number_of_fractions",
                _("cannot be below the %(n)d fractions already delivered")
                % {"n": current.fractions_delivered},
                n,
            )
        )
    diagnosis = get("diagnosis")
    if diagnosis is not None and not isinstance(diagnosis, Diagnosis):
        found = Diagnosis.objects.filter(pk=diagnosis).first() if str(diagnosis).isdigit() else None
        if found is None:
            problems.append(FieldProblem("diagnosis", _("unknown diagnosis"), diagnosis))
        diagnosis = found
    patient_id = data.get("_patient_id") or (
        current.course.patient_id if current is not None else None
    )
    if diagnosis is not None and diagnosis.patient_id != patient_id:
        problems.append(FieldProblem("diagnosis", _("belongs to another patient"), diagnosis.pk))
    out["diagnosis"] = diagnosis
    # Tied to the diagnosis it treats, or an explicit reason why none is linked (issue 15).
    no_dx_reason = str(get("no_diagnosis_reason") or "").strip()[:300]
    if diagnosis is None and len(no_dx_reason) < 5 and not _field_problem(problems, "diagnosis"):
        problems.append(
            FieldProblem(
                "diagnosis",
                _("link the diagnosis this prescription treats, or give the reason for none"),
            )
        )
    out["no_diagnosis_reason"] = "" if diagnosis is not None else no_dx_reason
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
                FieldProblem("constraint_set", _("unknown or inactive constraint set"), cs)
            )
        cs = found_set
    out["constraint_set"] = cs or ConstraintSet.objects.filter(active=True).order_by("code").first()
    if problems:
        raise ValidationFailed(problems)
    out["gap_sensitive_site"] = _gap_site(out["icd10_code"], out["icdo3_morphology"])
    return out


def prescription_create(
    *,
    course: Course,
    by: User,
    site: str,
    technique: str,
    dose_per_fraction_gy: Number,
    number_of_fractions: int,
    intent: str,
    pattern: str = Pattern.DAILY,
    total_dose_gy: Number | None = None,
    energy: str = "",
    icd10_code: str = "",
    icdo3_morphology: str = "",
    diagnosis: Diagnosis | int | None = None,
    no_diagnosis_reason: str = "",
    constraint_set: ConstraintSet | str | None = None,
    notes: str = "",
) -> Prescription:
    """Write a prescription (unsigned draft) for one treatment site of a course.

    `total_dose_gy`, when given, must equal dose per fraction x fractions; the diagnosis (or its
    id) supplies the ICD-10 and ICD-O-3 codes; `constraint_set` (or its code) defaults to the
    first active set."""
    require(by, "rt.prescription.write")
    if course.status not in OPEN_COURSE:
        raise Conflict(
            _("Course is %(status)s; no new prescription.")
            % {"status": course.get_status_display()},
            rule="course_closed",
        )
    fields: dict[str, Any] = {
        "site": site,
        "technique": technique,
        "dose_per_fraction_gy": dose_per_fraction_gy,
        "number_of_fractions": number_of_fractions,
        "total_dose_gy": total_dose_gy,
        "pattern": pattern,
        "intent": intent,
        "energy": energy,
        "icd10_code": icd10_code,
        "icdo3_morphology": icdo3_morphology,
        "diagnosis": diagnosis,
        "no_diagnosis_reason": no_diagnosis_reason,
        "notes": notes,
        "_patient_id": course.patient_id,
    }
    if constraint_set is not None:
        fields["constraint_set"] = constraint_set
    cleaned = _clean_rx(fields, current=None)
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
    *,
    prescription: Prescription,
    by: User,
    site: str = UNCHANGED,
    technique: str = UNCHANGED,
    dose_per_fraction_gy: Number = UNCHANGED,
    number_of_fractions: int = UNCHANGED,
    total_dose_gy: Number | None = UNCHANGED,
    pattern: str = UNCHANGED,
    intent: str = UNCHANGED,
    energy: str = UNCHANGED,
    icd10_code: str = UNCHANGED,
    icdo3_morphology: str = UNCHANGED,
    diagnosis: Diagnosis | int | None = UNCHANGED,
    no_diagnosis_reason: str = UNCHANGED,
    notes: str = UNCHANGED,
) -> Prescription:
    """Edit a prescription (arguments left out are kept). An edit voids its signature and
    everything that depends on it (plan approvals, physics checks of its plans), so it must be
    signed and approved again."""
    require(by, "rt.prescription.write")
    given = {
        name: value
        for name, value in {
            "site": site,
            "technique": technique,
            "dose_per_fraction_gy": dose_per_fraction_gy,
            "number_of_fractions": number_of_fractions,
            "total_dose_gy": total_dose_gy,
            "pattern": pattern,
            "intent": intent,
            "energy": energy,
            "icd10_code": icd10_code,
            "icdo3_morphology": icdo3_morphology,
            "diagnosis": diagnosis,
            "no_diagnosis_reason": no_diagnosis_reason,
            "notes": notes,
        }.items()
        if value is not UNCHANGED
    }
    with transaction.atomic():
        rx = _lock_rx(prescription)
        if rx.status not in (PrescriptionStatus.DRAFT, PrescriptionStatus.SIGNED):
            raise Conflict(
                _("Prescription is %(status)s; it cannot be edited.")
                % {"status": rx.get_status_display()},
                rule="prescription_closed",
            )
        cleaned = _clean_rx(given, current=rx)
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
                _("The database refused the edit."),
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
    _require_signer(by, "rt.prescription.sign", RO_CREDENTIALS, _("Signing a prescription"))
    with transaction.atomic():
        rx = _lock_rx(prescription)
        if rx.status != PrescriptionStatus.DRAFT:
            raise Conflict(
                _("Prescription is %(status)s, not a draft to sign.")
                % {"status": rx.get_status_display()},
                rule="prescription_not_draft",
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
