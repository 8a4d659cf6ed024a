"""Physics checks (initial plan check, weekly and end-of-treatment chart checks, AAPM MPPG 11.a)
and patient-specific QA."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.core.roles import Role
from oncocenter.radiotherapy.models import (
    ChecklistItem,
    ChecklistKind,
    Course,
    PatientSpecificQA,
    PhysicsCheck,
    Plan,
    PlanStatus,
    SignatureMeaning,
)
from oncocenter.radiotherapy.services._common import (
    PHYSICIST_CREDENTIALS,
    Number,
    _dec,
    _lock_rx,
)
from oncocenter.radiotherapy.services.signing import _require_signer, _sign

#: One checklist answer: "pass", "fail" or "na", or {"result": ..., "comment": ...}.
ChecklistAnswer = str | Mapping[str, str]
ANSWERS = ("pass", "fail", "na")


def _clean_checklist(
    kind: str, results: Mapping[str, ChecklistAnswer]
) -> tuple[dict[str, dict[str, str]], bool]:
    items = list(ChecklistItem.objects.filter(kind=kind, active=True))
    problems, cleaned = [], {}
    codes = {i.code for i in items}
    for code in sorted(set(results) - codes):
        problems.append(FieldProblem(f"results.{code}", _("is not an active checklist item"), code))
    for item in items:
        raw = results.get(item.code)
        answer: Mapping[str, object]
        if raw is None:
            answer = {}
        elif isinstance(raw, Mapping):
            answer = raw
        else:
            answer = {"result": raw}
        result = answer.get("result")
        if result not in ANSWERS:
            problems.append(
                FieldProblem(f"results.{item.code}", _("answer pass, fail or na"), result)
            )
            continue
        comment = str(answer.get("comment", ""))[:300]
        if result == "fail" and not comment.strip():
            problems.append(
                FieldProblem(f"results.{item.code}", _("a failed item needs a comment"))
            )
        cleaned[item.code] = {"result": str(result), "comment": comment}
    if not items:
        problems.append(
            FieldProblem(
                "results", _("no active checklist items of kind %(kind)s") % {"kind": kind}
            )
        )
    if problems:
        raise ValidationFailed(problems, message=_("Checklist incomplete"))
    return cleaned, all(v["result"] != "fail" for v in cleaned.values())


def physics_check_record(
    *, plan: Plan, by: User, results: Mapping[str, ChecklistAnswer], comment: str = ""
) -> PhysicsCheck:
    """Independent initial physics plan check by a medical physicist who is not the planner.

    `results` answers every active item of the initial checklist (item code -> answer)."""
    _require_signer(by, "rt.physics.check", PHYSICIST_CREDENTIALS, _("A physics plan check"))
    if plan.planner_id == by.pk:
        raise Conflict(
            _("The physics plan check must be done by a physicist other than the planner."),
            rule="physicist_is_planner",
            problems=[FieldProblem("checker", _("is the planner"), by.username)],
        )
    cleaned, passed = _clean_checklist(ChecklistKind.INITIAL, results)
    with transaction.atomic():
        rx = _lock_rx(plan.prescription)
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        if plan.status != PlanStatus.APPROVED:
            raise Conflict(
                _("Plan is %(status)s; the physics check follows the physician's approval.")
                % {"status": plan.get_status_display()},
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
    *,
    course: Course,
    by: User,
    kind: str,
    results: Mapping[str, ChecklistAnswer],
    comment: str = "",
) -> PhysicsCheck:
    """Weekly or end-of-treatment physics chart check (MPPG 11.a)."""
    _require_signer(by, "rt.physics.check", PHYSICIST_CREDENTIALS, _("A physics chart check"))
    if kind not in (ChecklistKind.WEEKLY, ChecklistKind.END):
        raise ValidationFailed.single("kind", _("must be weekly or end"), kind)
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
    passing_rate_pct: Number,
    action_limit_pct: Number = 95,
    comment: str = "",
) -> PatientSpecificQA:
    """Patient-specific QA measurement, reviewed and signed by a medical physicist."""
    _require_signer(by, "rt.psqa.record", PHYSICIST_CREDENTIALS, _("Reviewing patient-specific QA"))
    rate = _dec(passing_rate_pct, "passing_rate_pct", places="0.01")
    limit = _dec(action_limit_pct, "action_limit_pct", places="0.01")
    problems = []
    if not 0 <= rate <= 100:
        problems.append(FieldProblem("passing_rate_pct", _("must be between 0 and 100"), str(rate)))
    if not 0 < limit <= 100:
        problems.append(
            FieldProblem("action_limit_pct", _("must be between 0 and 100"), str(limit))
        )
    if not method.strip():
        problems.append(FieldProblem("method", _("is required")))
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
