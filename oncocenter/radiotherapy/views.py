"""Staff UI of the radiotherapy course: worklists, a patient's courses, the course page with one
form per step (htmx posts re-render the course body), and the printable treatment summary."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import (
    DomainError,
    FieldProblem,
    NotFound,
    NotPermitted,
    ValidationFailed,
)
from oncocenter.core.permissions import has_perm, require
from oncocenter.core.roles import Role
from oncocenter.core.views import permission_required
from oncocenter.machines.models import Machine, Technique
from oncocenter.patients.models import Patient
from oncocenter.radiotherapy import selectors
from oncocenter.radiotherapy import services as s
from oncocenter.radiotherapy.models import (
    ChecklistKind,
    Course,
    CourseStatus,
    CtcaeTerm,
    Delivery,
    Fraction,
    Intent,
    Pattern,
    Plan,
    Prescription,
)
from oncocenter.radiotherapy.worklists import worklist_rows

WORKLISTS_BY_ROLE: dict[str, list[str]] = {
    Role.RADIATION_ONCOLOGIST: [
        "prescriptions-to-sign",
        "plans-to-approve",
        "weekly-reviews-due",
        "interruptions",
        "overrides",
    ],
    Role.MEDICAL_PHYSICIST: ["physics-checks-due", "interruptions", "overrides"],
    Role.DOSIMETRIST: ["plans-to-approve"],
    Role.RADIATION_THERAPIST: ["treat-today", "interruptions"],
    Role.SCHEDULER: ["interruptions", "treat-today"],
    Role.NURSE: ["weekly-reviews-due", "treat-today"],
}
WORKLIST_TITLES = {
    "prescriptions-to-sign": "Prescriptions to sign",
    "plans-to-approve": "Plans to approve",
    "physics-checks-due": "Physics checks due",
    "weekly-reviews-due": "Weekly reviews due",
    "interruptions": "Interruptions",
    "overrides": "Dose-limit overrides",
    "treat-today": "Treatment today",
}


def _me(request: HttpRequest) -> User:
    """The signed-in staff member (the views' decorator guarantees one)."""
    return cast(User, request.user)


def _get(model, pk: int) -> Any:
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise NotFound(_("Not found."))
    return obj


@permission_required("rt.view")
def index(request: HttpRequest) -> HttpResponse:
    from oncocenter.core.permissions import active_role

    names = WORKLISTS_BY_ROLE.get(active_role(request), list(WORKLIST_TITLES))
    lists: list[dict[str, Any]] = [
        {"name": n, "title": _(WORKLIST_TITLES[n]), "rows": worklist_rows(n)} for n in names
    ]
    audit_record(
        action=AuditAction.SEARCH,
        object_type="radiotherapy.worklist",
        object_id=",".join(names),
        detail={"mrns": sorted({r["mrn"] for lst in lists for r in lst["rows"]})[:200]},
    )
    return render(request, "radiotherapy/index.html", {"lists": lists})


@permission_required("rt.view")
def patient_courses(request: HttpRequest, mrn: str) -> HttpResponse:
    patient = Patient.objects.filter(mrn=mrn).first()
    if patient is None:
        return render(request, "radiotherapy/not_found.html", status=404)
    errors: list[FieldProblem] = []
    status = 200
    if request.method == "POST":
        try:
            require(request.user, "rt.course.manage")
            physician = User.objects.filter(username=request.POST.get("physician", "")).first()
            if physician is None:
                raise ValidationFailed.single(
                    "physician", _("unknown user"), request.POST.get("physician")
                )
            course = s.course_create(
                patient=patient,
                label=request.POST.get("label", ""),
                intent=request.POST.get("intent", ""),
                physician=physician,
                by=_me(request),
                notes=request.POST.get("notes", ""),
            )
        except NotPermitted as exc:
            return render(
                request, "core/forbidden.html", {"permission": exc.permission}, status=403
            )
        except DomainError as exc:
            errors, status = exc.problems or [FieldProblem("", str(exc))], exc.status
        else:
            messages.success(request, _("Course %(n)d opened.") % {"n": course.number})
            return redirect("radiotherapy:course", pk=course.pk)
    audit_record(action=AuditAction.READ, obj=patient, detail={"rt_courses": True})
    return render(
        request,
        "radiotherapy/patient_courses.html",
        {
            "patient": patient,
            "courses": selectors.courses_for_patient(patient=patient),
            "can_create": has_perm(request.user, "rt.course.manage"),
            "errors": errors,
            "values": request.POST,
            "intents": Intent.choices,
            "physicians": User.objects.filter(
                role_assignments__role=Role.RADIATION_ONCOLOGIST, is_active=True
            ).order_by("username"),
        },
        status=status,
    )


def _course_context(
    request: HttpRequest,
    course: Course,
    *,
    errors: dict[str, list[FieldProblem]] | None = None,
    form: str = "",
    values: Any = None,
) -> dict[str, Any]:
    prescriptions = []
    for rx in course.prescriptions.order_by("pk"):
        plans = []
        for plan in rx.plans.select_related("machine", "planner").order_by("pk"):
            plans.append(
                {
                    "plan": plan,
                    "readiness": selectors.plan_readiness(plan=plan),
                    "constraints": selectors.plan_constraint_results(plan=plan),
                    "failures": selectors.plan_constraint_failures(plan=plan),
                    "organ_doses": list(plan.organ_doses.all()),
                    "signatures": list(selectors.active_signatures(plan=plan)),
                }
            )
        prescriptions.append(
            {
                "rx": rx,
                "plans": plans,
                "fractions": list(
                    rx.fractions.select_related("machine")
                    .prefetch_related("deliveries")
                    .order_by("sequence")
                ),
                "interruptions": selectors.prescription_interruptions(rx=rx),
                "signature": selectors.active_signatures(
                    prescription=rx, meaning="prescription-signed"
                ).first(),
            }
        )
    u = request.user
    now_local = timezone.localtime().replace(second=0, microsecond=0, tzinfo=None)
    return {
        "course": course,
        "patient": course.patient,
        "prescriptions": prescriptions,
        "deliveries": selectors.deliveries_for_course(course=course),
        "signatures": selectors.signatures_for_course(course=course),
        "reviews": course.weekly_reviews.prefetch_related("grades__term").select_related(
            "signature__signer"
        ),
        "checks": course.physics_checks.select_related("checker").order_by("-performed_at"),
        "dose_summary": selectors.dose_summary(course=course),
        "errors": errors or {},
        "form": form,
        "values": values or {},
        "now_local": now_local.isoformat(timespec="minutes"),
        "today": timezone.localdate().isoformat(),
        "techniques": Technique.choices,
        "patterns": Pattern.choices,
        "intents": Intent.choices,
        "machines": Machine.objects.prefetch_related("techniques").order_by("code"),
        "initial_items": selectors.checklist(ChecklistKind.INITIAL),
        "weekly_items": selectors.checklist(ChecklistKind.WEEKLY),
        "end_items": selectors.checklist(ChecklistKind.END),
        "ctcae_terms": CtcaeTerm.objects.filter(active=True),
        "diagnoses": _diagnoses(course.patient),
        "open": course.status in (CourseStatus.PLANNED, CourseStatus.ACTIVE),
        "can": {
            p.split(".", 1)[1].replace(".", "_"): has_perm(u, p)
            for p in (
                "rt.prescription.write",
                "rt.prescription.sign",
                "rt.plan.write",
                "rt.plan.approve",
                "rt.override.sign",
                "rt.physics.check",
                "rt.psqa.record",
                "rt.schedule",
                "rt.delivery.record",
                "rt.delivery.correct",
                "rt.review.record",
                "rt.course.manage",
                "rt.brachy.record",
                "rt.summary.print",
            )
        },
    }


def _diagnoses(patient) -> list:
    from oncocenter.oncology.models import Diagnosis

    return list(Diagnosis.objects.filter(patient=patient).order_by("-diagnosed_on"))


@permission_required("rt.view")
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    course = Course.objects.select_related("patient", "physician").filter(pk=pk).first()
    if course is None:
        return render(request, "radiotherapy/not_found.html", status=404)
    audit_record(action=AuditAction.READ, obj=course, patient=course.patient)
    return render(request, "radiotherapy/course.html", _course_context(request, course))


# --- actions ---------------------------------------------------------------------------------------------


def _target(request: HttpRequest, model, course: Course):
    try:
        pk = int(request.POST.get("target", ""))
    except ValueError:
        raise ValidationFailed.single("target", _("missing")) from None
    obj = _get(model, pk)
    owner = {
        Prescription: lambda o: o.course_id,
        Plan: lambda o: o.prescription.course_id,
        Fraction: lambda o: o.prescription.course_id,
        Delivery: lambda o: o.fraction.prescription.course_id,
    }
    if owner[model](obj) != course.pk:
        raise NotFound(_("Not part of this course."))
    return obj


def _local_dt(value: str, field: str) -> dt.datetime:
    try:
        naive = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValidationFailed.single(field, _("must be a date and time"), value) from None
    if naive.tzinfo is not None:
        return naive
    return timezone.make_aware(naive)


def _date(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValidationFailed.single(
            field, _("must be a date written YYYY-MM-DD"), value
        ) from None


def _machine(code: str, field: str = "machine") -> Machine:
    m = Machine.objects.filter(code=code).first()
    if m is None:
        raise ValidationFailed.single(field, _("unknown machine"), code)
    return m


def _user_or_none(username: str, field: str) -> User | None:
    if not username:
        return None
    u = User.objects.filter(username=username).first()
    if u is None:
        raise ValidationFailed.single(field, _("unknown user"), username)
    return u


RX_FIELDS = (
    "site",
    "technique",
    "dose_per_fraction_gy",
    "number_of_fractions",
    "total_dose_gy",
    "pattern",
    "intent",
    "energy",
    "icd10_code",
    "icdo3_morphology",
    "diagnosis",
    "notes",
)


def _checklist_results(request: HttpRequest, items) -> dict[str, Any]:
    return {
        i.code: {
            "result": request.POST.get(f"item-{i.code}", ""),
            "comment": request.POST.get(f"comment-{i.code}", ""),
        }
        for i in items
    }


def a_rx_create(request, course):
    data = {k: request.POST[k] for k in RX_FIELDS if request.POST.get(k, "") != ""}
    required = ("site", "technique", "dose_per_fraction_gy", "number_of_fractions", "intent")
    data.update({k: data.get(k, "") for k in required})
    rx = s.prescription_create(course=course, by=_me(request), **data)
    return _("Prescription saved (unsigned): %(rx)s") % {"rx": rx}


def a_rx_edit(request, course):
    rx = _target(request, Prescription, course)
    data = {k: request.POST[k] for k in RX_FIELDS if request.POST.get(k, "") != ""}
    s.prescription_update(prescription=rx, by=_me(request), **data)
    return _("Prescription edited: its signature and the plan approvals were voided.")


def a_rx_sign(request, course):
    s.prescription_sign(prescription=_target(request, Prescription, course), by=_me(request))
    return _("Prescription signed.")


def a_plan_create(request, course):
    rx = _target(request, Prescription, course)
    s.plan_create(
        prescription=rx,
        by=_me(request),
        label=request.POST.get("label", ""),
        machine=_machine(request.POST.get("machine", "")),
        fractions_planned=int(request.POST.get("fractions_planned") or 0),
        dose_per_fraction_gy=request.POST.get("dose_per_fraction_gy", ""),
        meterset_per_fraction=request.POST.get("meterset_per_fraction") or None,
    )
    return _("Plan saved.")


def a_plan_import(request, course):
    rx = _target(request, Prescription, course)
    upload = request.FILES.get("file")
    if upload is None:
        raise ValidationFailed.single("file", _("choose a DICOM RT Plan file"))
    plan = s.plan_import_dicom(prescription=rx, by=_me(request), content=upload.read())
    return _("RT Plan %(label)s imported.") % {"label": plan.label}


def a_plan_approve(request, course):
    s.plan_approve(plan=_target(request, Plan, course), by=_me(request))
    return _("Plan approved.")


def a_organ_doses(request, course):
    plan = _target(request, Plan, course)
    doses = []
    for n, line in enumerate(request.POST.get("doses", "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(",")]
        if len(parts) not in (3, 4):
            raise ValidationFailed.single(
                "doses", _("line %(n)d: write organ, metric, value[, unit]") % {"n": n}, line
            )
        doses.append(
            {
                "organ": parts[0],
                "metric": parts[1],
                "value": parts[2],
                "unit": parts[3] if len(parts) == 4 else "Gy",
            }
        )
    s.plan_set_organ_doses(plan=plan, by=_me(request), doses=doses)
    return _("Organ-at-risk doses saved.")


def a_dvh(request, course):
    plan = _target(request, Plan, course)
    upload = request.FILES.get("file")
    if upload is None:
        raise ValidationFailed.single("file", _("choose a DVH export file"))
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed.single("file", _("must be UTF-8 text")) from None
    s.plan_import_dvh(plan=plan, by=_me(request), text=text)
    return _("Organ-at-risk doses imported from the DVH export.")


def a_override(request, course):
    s.dose_override_sign(
        plan=_target(request, Plan, course),
        by=_me(request),
        organ=request.POST.get("organ", ""),
        metric=request.POST.get("metric", ""),
        cumulative=request.POST.get("cumulative") == "1",
        justification=request.POST.get("justification", ""),
    )
    return _("Override signed.")


def a_physics_check(request, course):
    check = s.physics_check_record(
        plan=_target(request, Plan, course),
        by=_me(request),
        results=_checklist_results(request, selectors.checklist(ChecklistKind.INITIAL)),
        comment=request.POST.get("comment", ""),
    )
    return (
        _("Physics check recorded: passed.")
        if check.passed
        else _("Physics check recorded: FAILED.")
    )


def a_chart_check(request, course):
    kind = request.POST.get("kind", "")
    items = selectors.checklist(kind) if kind in ChecklistKind.values else []
    s.chart_check_record(
        course=course,
        by=_me(request),
        kind=kind,
        results=_checklist_results(request, items),
        comment=request.POST.get("comment", ""),
    )
    return _("Chart check recorded.")


def a_psqa(request, course):
    qa = s.psqa_record(
        plan=_target(request, Plan, course),
        by=_me(request),
        method=request.POST.get("method", ""),
        passing_rate_pct=request.POST.get("passing_rate_pct", ""),
        action_limit_pct=request.POST.get("action_limit_pct") or 95,
    )
    return (
        _("Patient-specific QA recorded: passed.")
        if qa.passed
        else _("Patient-specific QA recorded: FAILED.")
    )


def a_schedule(request, course):
    plan = _target(request, Plan, course)
    created = s.fractions_schedule(
        plan=plan,
        by=_me(request),
        start_date=_date(request.POST.get("start_date", ""), "start_date"),
    )
    return _("%(n)d sessions scheduled.") % {"n": len(created)}


def a_deliver(request, course):
    fraction = _target(request, Fraction, course)
    ids = {k: request.POST.get(f"id_{k}", "") for k in ("mrn", "birth_date", "name")}
    d = s.fraction_record_delivery(
        fraction=fraction,
        by=_me(request),
        delivered_at=_local_dt(request.POST.get("delivered_at", ""), "delivered_at"),
        machine=_machine(request.POST.get("machine", "")),
        identifiers={k: v for k, v in ids.items() if v},
        meterset_delivered=request.POST.get("meterset_delivered") or None,
        partial=request.POST.get("partial") == "1",
        notes=request.POST.get("notes", ""),
    )
    d.fraction.refresh_from_db()
    return _("Fraction %(n)s recorded.") % {"n": d.fraction.delivered_number}


def a_missed(request, course):
    s.fraction_mark_missed(
        fraction=_target(request, Fraction, course),
        by=_me(request),
        reason=request.POST.get("reason", ""),
    )
    return _("Session marked missed; a replacement session was added.")


def a_delivery_error(request, course):
    s.delivery_mark_entered_in_error(
        delivery=_target(request, Delivery, course),
        by=_me(request),
        reason=request.POST.get("reason", ""),
    )
    return _("Delivery record marked entered-in-error.")


def a_brachy(request, course):
    s.brachy_session_set(
        fraction=_target(request, Fraction, course),
        by=_me(request),
        applicator=request.POST.get("applicator", ""),
        room=request.POST.get("room", ""),
        afterloader=_machine(request.POST.get("afterloader", ""), "afterloader"),
        anesthesia=request.POST.get("anesthesia") == "1",
        physician_present=_user_or_none(
            request.POST.get("physician_present", ""), "physician_present"
        ),
        physicist_present=_user_or_none(
            request.POST.get("physicist_present", ""), "physicist_present"
        ),
        anesthesiologist=_user_or_none(
            request.POST.get("anesthesiologist", ""), "anesthesiologist"
        ),
    )
    return _("HDR session recorded.")


def a_weekly_review(request, course):
    grades = {
        t.code: request.POST.get(f"grade-{t.code}")
        for t in CtcaeTerm.objects.filter(active=True)
        if request.POST.get(f"grade-{t.code}", "") != ""
    }
    s.weekly_review_record(
        course=course,
        by=_me(request),
        reviewed_on=_date(request.POST.get("reviewed_on", ""), "reviewed_on"),
        grades=grades,
        notes=request.POST.get("notes", ""),
        continue_treatment=request.POST.get("continue_treatment", "1") == "1",
    )
    return _("Weekly review signed.")


def a_gap_review(request, course):
    s.interruption_review_record(
        prescription=_target(request, Prescription, course),
        by=_me(request),
        decision=request.POST.get("decision", ""),
        note=request.POST.get("note", ""),
    )
    return _("Interruption review recorded.")


def a_close(request, course):
    s.course_close(
        course=course,
        by=_me(request),
        status=request.POST.get("status", ""),
        reason=request.POST.get("reason", ""),
    )
    return _("Course closed.")


ACTIONS: dict[str, tuple[str, Callable[[HttpRequest, Course], str]]] = {
    "rx-create": ("rt.prescription.write", a_rx_create),
    "rx-edit": ("rt.prescription.write", a_rx_edit),
    "rx-sign": ("rt.prescription.sign", a_rx_sign),
    "plan-create": ("rt.plan.write", a_plan_create),
    "plan-import": ("rt.plan.write", a_plan_import),
    "plan-approve": ("rt.plan.approve", a_plan_approve),
    "organ-doses": ("rt.plan.write", a_organ_doses),
    "dvh": ("rt.plan.write", a_dvh),
    "override": ("rt.override.sign", a_override),
    "physics-check": ("rt.physics.check", a_physics_check),
    "chart-check": ("rt.physics.check", a_chart_check),
    "psqa": ("rt.psqa.record", a_psqa),
    "schedule": ("rt.schedule", a_schedule),
    "deliver": ("rt.delivery.record", a_deliver),
    "missed": ("rt.schedule", a_missed),
    "delivery-error": ("rt.delivery.correct", a_delivery_error),
    "brachy": ("rt.brachy.record", a_brachy),
    "weekly-review": ("rt.review.record", a_weekly_review),
    "gap-review": ("rt.review.record", a_gap_review),
    "close": ("rt.course.manage", a_close),
}


@require_POST
@permission_required("rt.view")
def course_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Run one step of the course; on an error re-render the page with the problems beside the form."""
    course = Course.objects.select_related("patient", "physician").filter(pk=pk).first()
    if course is None or action not in ACTIONS:
        return render(request, "radiotherapy/not_found.html", status=404)
    perm, handler = ACTIONS[action]
    if not has_perm(request.user, perm):
        return render(request, "core/forbidden.html", {"permission": perm}, status=403)
    form_key = f"{action}-{request.POST.get('target', '')}"
    htmx = bool(request.headers.get("HX-Request"))
    try:
        message = handler(request, course)
    except NotPermitted as exc:
        return render(
            request, "core/forbidden.html", {"permission": exc.permission or str(exc)}, status=403
        )
    except DomainError as exc:
        problems = exc.problems or [FieldProblem("", str(exc))]
        if exc.problems and exc.message not in [p.message for p in problems]:
            problems = [FieldProblem("", str(exc.message)), *problems]
        ctx = _course_context(
            request, course, errors={form_key: problems}, form=form_key, values=request.POST
        )
        template = "radiotherapy/_partials/course_body.html" if htmx else "radiotherapy/course.html"
        return render(request, template, ctx, status=exc.status)
    course.refresh_from_db()
    if htmx:
        ctx = _course_context(request, course)
        ctx["flash"] = message
        return render(request, "radiotherapy/_partials/course_body.html", ctx)
    messages.success(request, message)
    return redirect("radiotherapy:course", pk=course.pk)


# --- treatment summary -------------------------------------------------------------------------------------


def _summary_context(course: Course) -> dict[str, Any]:
    return {
        "course": course,
        "patient": course.patient,
        "dose_summary": selectors.dose_summary(course=course),
        "prescriptions": [
            {
                "rx": rx,
                "plan": selectors.current_plan(rx),
                "interruptions": selectors.prescription_interruptions(rx=rx),
                "signature": selectors.active_signatures(
                    prescription=rx, meaning="prescription-signed"
                ).first(),
            }
            for rx in course.prescriptions.order_by("pk")
        ],
        "reviews": course.weekly_reviews.prefetch_related("grades__term").order_by("reviewed_on"),
        "checks": course.physics_checks.select_related("checker").order_by("performed_at"),
        "overrides": [
            o
            for rx in course.prescriptions.all()
            for p in rx.plans.all()
            for o in p.overrides.filter(signature__voided_at__isnull=True)
        ],
        "generated_at": timezone.localtime(),
    }


@permission_required("rt.summary.print")
def summary(request: HttpRequest, pk: int) -> HttpResponse:
    course = Course.objects.select_related("patient", "physician").filter(pk=pk).first()
    if course is None:
        return render(request, "radiotherapy/not_found.html", status=404)
    audit_record(
        action=AuditAction.EXPORT, obj=course, patient=course.patient, detail={"format": "html"}
    )
    return render(request, "radiotherapy/summary.html", _summary_context(course))


@permission_required("rt.summary.print")
def summary_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from oncocenter.radiotherapy.pdf import treatment_summary_pdf

    course = Course.objects.select_related("patient", "physician").filter(pk=pk).first()
    if course is None:
        return render(request, "radiotherapy/not_found.html", status=404)
    audit_record(
        action=AuditAction.EXPORT, obj=course, patient=course.patient, detail={"format": "pdf"}
    )
    data = treatment_summary_pdf(_summary_context(course))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="rt-summary-{course.patient.mrn}-{course.number}.pdf"'
    )
    return response
