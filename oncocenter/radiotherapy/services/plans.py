"""Plans: entered by hand or imported (DICOM RT Plan), organ-at-risk doses, overrides, approval."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.core.events import publish
from oncocenter.core.permissions import require
from oncocenter.core.roles import Role
from oncocenter.machines.models import Machine
from oncocenter.machines.qa import matched_machine_ids
from oncocenter.radiotherapy import selectors
from oncocenter.radiotherapy.dicom_rtplan import (
    PrescriptionSpec,
    RTPlanParseError,
    RTPlanSummary,
    compare_plan_with_prescription,
    parse_rtplan,
)
from oncocenter.radiotherapy.events import PlanTransferred
from oncocenter.radiotherapy.models import (
    DoseOverride,
    Fraction,
    FractionStatus,
    Plan,
    PlannedOrganDose,
    PlanStatus,
    Prescription,
    PrescriptionStatus,
    Signature,
    SignatureMeaning,
)
from oncocenter.radiotherapy.services._common import (
    DOSE_TOLERANCE,
    MIN_JUSTIFICATION,
    OPEN_COURSE,
    PHYSICIST_CREDENTIALS,
    RO_CREDENTIALS,
    UNCHANGED,
    Number,
    _dec,
    _lock_rx,
    _machine_specs,
)
from oncocenter.radiotherapy.services.signing import _require_signer, _sign, _void

CLOSED_PRESCRIPTION = (
    PrescriptionStatus.CANCELLED,
    PrescriptionStatus.ENTERED_IN_ERROR,
    PrescriptionStatus.COMPLETED,
)


def _refuse_closed(rx: Prescription) -> None:
    if rx.status in CLOSED_PRESCRIPTION:
        raise Conflict(
            _("Prescription is %(status)s.") % {"status": rx.get_status_display()},
            rule="prescription_closed",
        )


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
            FieldProblem(
                "technique",
                _("prescription technique is %(technique)s") % {"technique": rx.technique},
                technique,
            )
        )
    if fractions != rx.number_of_fractions:
        problems.append(
            FieldProblem(
                "fractions_planned",
                _("prescription has %(n)d") % {"n": rx.number_of_fractions},
                fractions,
            )
        )
    if abs(dose_per_fraction - rx.dose_per_fraction_gy) > rx.dose_per_fraction_gy * Decimal(
        str(DOSE_TOLERANCE)
    ):
        problems.append(
            FieldProblem(
                "dose_per_fraction_gy",
                _("prescription has %(dose)s Gy") % {"dose": rx.dose_per_fraction_gy},
                str(dose_per_fraction),
            )
        )
    if not machine.in_service:
        problems.append(FieldProblem("machine", _("machine is out of service"), machine.code))
    if not machine.can_deliver(rx.technique):
        problems.append(
            FieldProblem(
                "machine",
                _("machine is not capable of %(technique)s") % {"technique": rx.technique},
                machine.code,
            )
        )
    return problems


def _refuse_mismatch(problems: list[FieldProblem], message: str) -> None:
    if problems:
        raise Conflict(message, rule="plan_mismatch", problems=problems)


def plan_create(
    *,
    prescription: Prescription,
    by: User,
    label: str,
    machine: Machine,
    fractions_planned: int,
    dose_per_fraction_gy: Number,
    meterset_per_fraction: Number | None = None,
    technique: str | None = None,
    beams: list[dict[str, Any]] | None = None,
    planner: User | None = None,
) -> Plan:
    """Record a plan entered by hand; it must match the prescription and a capable machine."""
    require(by, "rt.plan.write")
    rx = prescription
    _refuse_closed(rx)
    if not label.strip():
        raise ValidationFailed.single("label", _("is required"))
    dpf = _dec(dose_per_fraction_gy, "dose_per_fraction_gy")
    mu = (
        _dec(meterset_per_fraction, "meterset_per_fraction", places="0.01")
        if meterset_per_fraction not in (None, "")
        else None
    )
    if mu is not None and mu <= 0:
        raise ValidationFailed.single("meterset_per_fraction", _("must be more than 0"), str(mu))
    _refuse_mismatch(
        _plan_mismatches(
            rx,
            machine=machine,
            technique=technique or rx.technique,
            fractions=int(fractions_planned),
            dose_per_fraction=dpf,
        ),
        _("The plan does not match the prescription."),
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


def rtplan_check(
    *, prescription: Prescription, by: User, content: bytes, fraction_group: int | None = None
) -> RTPlanSummary:
    """Everything `plan_import_dicom` checks, without saving: what the upload runs in the request
    so that a wrong file is refused at once (422 naming the field, 409 listing every mismatch)
    before the import job is queued."""
    require(by, "rt.plan.write")
    rx = Prescription.objects.select_related("course__patient").get(pk=prescription.pk)
    _refuse_closed(rx)
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
            _("The RT Plan does not match the prescription: %(mismatches)s")
            % {
                "mismatches": "; ".join(
                    _("%(code)s (expected %(expected)s, found %(found)s)")
                    % {"code": m.code, "expected": m.expected, "found": m.found}
                    for m in mismatches
                )
            },
            rule="rtplan_mismatch",
            problems=[
                FieldProblem(
                    m.field,
                    _("%(code)s: %(message)s; expected %(expected)s")
                    % {"code": m.code, "message": m.message, "expected": m.expected},
                    m.found,
                )
                for m in mismatches
            ],
        )
    if (
        summary.sop_instance_uid
        and Plan.objects.filter(dicom_sop_instance_uid=summary.sop_instance_uid).exists()
    ):
        raise Conflict(
            _("This RT Plan was already imported."),
            rule="rtplan_duplicate",
            problems=[
                FieldProblem(
                    "file", _("SOP Instance UID already imported"), summary.sop_instance_uid
                )
            ],
        )
    return summary


def plan_import_dicom(
    *, prescription: Prescription, by: User, content: bytes, fraction_group: int | None = None
) -> Plan:
    """Import a DICOM RT Plan. Rejected, with every mismatch listed, unless it matches the
    prescription (patient, fractions, dose) and names a known machine capable of the technique."""
    summary = rtplan_check(
        prescription=prescription, by=by, content=content, fraction_group=fraction_group
    )
    rx = Prescription.objects.select_related("course__patient").get(pk=prescription.pk)
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


def plan_update(
    *,
    plan: Plan,
    by: User,
    label: str = UNCHANGED,
    machine: Machine = UNCHANGED,
    meterset_per_fraction: Number | None = UNCHANGED,
    dose_per_fraction_gy: Number = UNCHANGED,
    fractions_planned: int = UNCHANGED,
    beams: list[dict[str, Any]] = UNCHANGED,
) -> Plan:
    """Edit a plan (arguments left out are kept); voids its approval, physics check, overrides
    and patient-specific QA."""
    require(by, "rt.plan.write")
    with transaction.atomic():
        rx = _lock_rx(plan.prescription)
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        if plan.status == PlanStatus.RETIRED:
            raise Conflict(_("Plan is retired."), rule="plan_retired")
        changes: dict[str, Any] = {}
        if label is not UNCHANGED:
            changes["label"] = str(label).strip()
        if machine is not UNCHANGED:
            changes["machine"] = machine
        if meterset_per_fraction is not UNCHANGED:
            changes["meterset_per_fraction"] = _dec(
                meterset_per_fraction, "meterset_per_fraction", places="0.01"
            )
        if dose_per_fraction_gy is not UNCHANGED:
            changes["dose_per_fraction_gy"] = _dec(dose_per_fraction_gy, "dose_per_fraction_gy")
        if fractions_planned is not UNCHANGED:
            changes["fractions_planned"] = int(fractions_planned)
        if beams is not UNCHANGED:
            changes["beams"] = beams
        changes = {k: v for k, v in changes.items() if getattr(plan, k) != v}
        if not changes:
            return plan
        for k, v in changes.items():
            setattr(plan, k, v)
        _refuse_mismatch(
            _plan_mismatches(
                rx,
                machine=plan.machine,
                technique=plan.technique,
                fractions=plan.fractions_planned,
                dose_per_fraction=plan.dose_per_fraction_gy,
            ),
            _("The plan does not match the prescription."),
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
    """Replace the planned organ-at-risk doses (entered, or from a DVH summary). Voids approval.

    Each dose is `{"organ", "metric", "value", "unit"}` (unit Gy or %, Gy by default)."""
    require(by, "rt.plan.write")
    rows, problems = [], []
    seen = set()
    for i, d in enumerate(doses):
        organ = str(d.get("organ", "")).strip()
        metric = str(d.get("metric", "")).strip()
        unit = str(d.get("unit", "Gy")).strip()
        if not organ:
            problems.append(FieldProblem(f"doses[{i}].organ", _("is required")))
        if not metric:
            problems.append(FieldProblem(f"doses[{i}].metric", _("is required")))
        if unit not in ("Gy", "%"):
            problems.append(FieldProblem(f"doses[{i}].unit", _("must be Gy or %"), unit))
        try:
            value = _dec(d.get("value"), f"doses[{i}].value", places="0.01")
            if value < 0:
                problems.append(
                    FieldProblem(f"doses[{i}].value", _("cannot be negative"), str(value))
                )
        except ValidationFailed as exc:
            problems.extend(exc.problems)
            continue
        if (organ.lower(), metric.lower()) in seen:
            problems.append(
                FieldProblem(f"doses[{i}]", _("organ and metric given twice"), f"{organ} {metric}")
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
    _require_signer(by, "rt.override.sign", RO_CREDENTIALS, _("Overriding a dose limit"))
    text = (justification or "").strip()
    if len(text) < MIN_JUSTIFICATION:
        raise ValidationFailed.single(
            "justification",
            _("a written justification of at least %(n)d characters is required")
            % {"n": MIN_JUSTIFICATION},
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
            _("no failing constraint for this organ and metric on the plan"),
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
    _require_signer(by, "rt.plan.approve", RO_CREDENTIALS, _("Approving a plan"))
    with transaction.atomic():
        rx = _lock_rx(plan.prescription)
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        if rx.status != PrescriptionStatus.SIGNED:
            raise Conflict(
                _("The prescription must be signed before the plan is approved."),
                rule="prescription_not_signed",
            )
        if plan.status != PlanStatus.DRAFT:
            raise Conflict(
                _("Plan is %(status)s, not awaiting approval.")
                % {"status": plan.get_status_display()},
                rule="plan_not_draft",
            )
        # The prescription may have been edited since the plan was made: approve only a plan that
        # still matches it.
        mismatches = _plan_mismatches(
            rx,
            machine=plan.machine,
            technique=plan.technique,
            fractions=plan.fractions_planned,
            dose_per_fraction=plan.dose_per_fraction_gy,
        )
        _refuse_mismatch(mismatches, _("The plan no longer matches the prescription."))
        uncovered = [f for f in selectors.plan_constraint_failures(plan=plan) if not f["override"]]
        if uncovered:
            raise Conflict(
                _(
                    "Doses over a constraint limit need a physician override with a written "
                    "justification: %(doses)s"
                )
                % {
                    "doses": ", ".join(
                        _("%(organ)s %(metric)s %(value)s (limit %(limit)s %(unit)s)") % f
                        for f in uncovered
                    )
                },
                rule="dose_limit_without_override",
                problems=[
                    FieldProblem(
                        "organ_doses",
                        _("%(organ)s %(metric)s over limit %(limit)s") % f,
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


def plan_transfer(
    *,
    plan: Plan,
    machine: Machine,
    by: User,
    reason: str,
    meterset_per_fraction: Number | None = None,
) -> Plan:
    """Move a patient's treatment to a machine NOT beam-matched to the plan's (issue 15).

    A medical physicist signs the transfer (meaning `plan-transfer`, with the reason): a new plan
    on the new machine (same prescription, fractions, dose per fraction and beams; the meterset
    recalculated for it, or kept) replaces the plan, which is retired. The sessions still to treat
    move to the new plan and machine; their bookings are cancelled and booked again on the new
    machine (scheduling reacts to `PlanTransferred`). The new plan is a draft: no treatment until
    the physician approves it again and its physics check (and PSQA where needed) pass.
    A machine in the plan's beam-matched group needs no transfer (409 `plan_transfer_not_needed`).
    """
    _require_signer(by, "rt.physics.check", PHYSICIST_CREDENTIALS, _("Transferring a plan"))
    if len(reason.strip()) < MIN_JUSTIFICATION:
        raise ValidationFailed.single(
            "reason",
            _("a reason of at least %(n)d characters is required") % {"n": MIN_JUSTIFICATION},
        )
    mu = (
        _dec(meterset_per_fraction, "meterset_per_fraction", places="0.01")
        if meterset_per_fraction not in (None, "")
        else None
    )
    if mu is not None and mu <= 0:
        raise ValidationFailed.single("meterset_per_fraction", _("must be more than 0"), str(mu))
    with transaction.atomic():
        rx = _lock_rx(plan.prescription)
        plan = Plan.objects.select_for_update().select_related("machine").get(pk=plan.pk)
        if rx.course.status not in OPEN_COURSE:
            raise Conflict(
                _("Course is %(status)s.") % {"status": rx.course.get_status_display()},
                rule="course_closed",
            )
        if plan.status not in (PlanStatus.APPROVED, PlanStatus.CHECKED):
            raise Conflict(
                _("Only an approved plan is transferred (this one is %(status)s).")
                % {"status": plan.get_status_display()},
                rule="plan_not_approved",
            )
        if machine.pk in matched_machine_ids(plan.machine_id):
            raise Conflict(
                _(
                    "%(machine)s is %(planned)s or beam-matched to it: book and treat there "
                    "without a transfer."
                )
                % {"machine": machine.code, "planned": plan.machine.code},
                rule="plan_transfer_not_needed",
                problems=[FieldProblem("machine", _("no transfer needed"), machine.code)],
            )
        _refuse_mismatch(
            _plan_mismatches(
                rx,
                machine=machine,
                technique=plan.technique,
                fractions=plan.fractions_planned,
                dose_per_fraction=plan.dose_per_fraction_gy,
            ),
            _("The plan cannot be transferred to this machine."),
        )
        new = Plan.objects.create(
            prescription=rx,
            label=f"{plan.label} → {machine.code}"[:64],
            planner=by,
            machine=machine,
            technique=plan.technique,
            fractions_planned=plan.fractions_planned,
            dose_per_fraction_gy=plan.dose_per_fraction_gy,
            meterset_per_fraction=mu if mu is not None else plan.meterset_per_fraction,
            beams=plan.beams,
            created_by=by,
            transferred_from=plan,
        )
        _sign(
            meaning=SignatureMeaning.PLAN_TRANSFER,
            course=rx.course,
            prescription=rx,
            plan=new,
            version=new.version,
            signer=by,
            role=Role.MEDICAL_PHYSICIST,
            kinds=PHYSICIST_CREDENTIALS,
            statement=f"{plan.machine.code} -> {machine.code}: {reason.strip()}",
        )
        plan.status = PlanStatus.RETIRED
        plan.save(update_fields=["status", "updated_at"])
        moving = Fraction.objects.filter(
            plan=plan, status__in=[FractionStatus.SCHEDULED, FractionStatus.PARTIAL]
        )
        ids = tuple(moving.order_by("sequence").values_list("pk", flat=True))
        moving.update(plan=new, machine=machine)
        audit_record(
            action=AuditAction.SIGN,
            obj=new,
            patient=rx.course.patient,
            detail={
                "transfer": True,
                "from_plan": plan.pk,
                "from_machine": plan.machine.code,
                "to_machine": machine.code,
                "reason": reason.strip()[:300],
                "sessions_moved": len(ids),
            },
        )
        publish(
            PlanTransferred(
                plan_id=new.pk,
                from_plan_id=plan.pk,
                course_id=rx.course_id,
                patient_id=rx.course.patient_id,
                by_id=by.pk,
                fraction_ids=ids,
            )
        )
    return new
