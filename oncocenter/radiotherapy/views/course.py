"""The course page: its forms, and running one step of it (htmx posts re-render the body).

Each step of the course page is one entry of `STEPS`: the permission it needs, its form
(`radiotherapy.forms`), the one service it calls and what the user is told. A refused step comes
back as the course body (htmx) or page with the form's problems beside its fields, status 422
(input) or 409 (an interlock); nothing is saved. 403 and 404 are left to the middleware.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import NotFound
from oncocenter.core.forms import run_service
from oncocenter.core.middleware import is_htmx
from oncocenter.core.permissions import has_perm, require
from oncocenter.core.views import permission_required
from oncocenter.radiotherapy import forms as f
from oncocenter.radiotherapy import selectors
from oncocenter.radiotherapy.forms.base import machines_offered
from oncocenter.radiotherapy.hooks import COURSE_SECTIONS
from oncocenter.radiotherapy.models import Course, CourseStatus, Fraction, FractionStatus, Plan
from oncocenter.radiotherapy.views._common import _course
from oncocenter.radiotherapy.views.steps import STEPS

OPEN = (CourseStatus.PLANNED, CourseStatus.ACTIVE)


# --- the course page -------------------------------------------------------------------------------


@dataclass
class Failed:
    """The step that was refused: its bound form goes back where it came from on the page."""

    action: str
    form: f.RtForm
    place: str  # "rx", "plan", "fraction" or a section of the course page
    pk: int | None = None  # the prescription, plan or session of the place


class _Forms:
    """Builds the course page's forms; the refused one replaces its unbound twin."""

    def __init__(self, course: Course, failed: Failed | None) -> None:
        self.course, self.failed = course, failed
        self.machines = machines_offered()

    def __call__(
        self, action: str, form_class: type[f.RtForm], key: object = "", **kw: Any
    ) -> f.RtForm:
        form = form_class(course=self.course, key=key, machines=self.machines, **kw)
        failed = self.failed
        if (
            failed is not None
            and failed.action == action
            and failed.form.form_key() == form.form_key()
        ):
            return failed.form
        return form


CAN = (
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


def _plan_item(plan: Any, forms: _Forms) -> dict[str, Any]:
    # Organ doses and constraints come prefetched (see _course_context): computed once here.
    results = selectors.plan_constraint_results(plan=plan)
    failures = selectors.plan_constraint_failures(plan=plan, results=results)
    organ_doses = list(plan.organ_doses.all())
    doses_text = "".join(f"{d.organ}, {d.metric}, {d.value}, {d.unit}\n" for d in organ_doses)
    return {
        "plan": plan,
        "readiness": selectors.plan_readiness(plan=plan),
        "constraints": results,
        "failures": failures,
        "organ_doses": organ_doses,
        "signatures": list(selectors.active_signatures(plan=plan)),
        "approve": forms("plan-approve", f.PlanTargetForm, plan.pk),
        "organ_doses_form": forms(
            "organ-doses", f.OrganDosesForm, plan.pk, initial={"doses": doses_text}
        ),
        "dvh": forms("dvh", f.DvhForm, plan.pk),
        "dicom": forms("plan-dicom", f.PlanDicomForm, plan.pk),
        "overrides": [
            forms(
                "override",
                f.OverrideForm,
                f"{plan.pk}-{n}",
                failure=failure,
                initial={"target": plan.pk},
            )
            for n, failure in enumerate(failures)
            if not failure["override"]
        ],
        "psqa": forms("psqa", f.PsqaForm, plan.pk),
        "physics": forms("physics-check", f.PhysicsCheckForm, plan.pk),
        "schedule": forms("schedule", f.ScheduleForm, plan.pk),
        "transfer": forms("plan-transfer", f.PlanTransferForm, plan.pk),
    }


def _fraction_item(fraction: Fraction, forms: _Forms, can: dict[str, bool]) -> dict[str, Any]:
    item: dict[str, Any] = {"f": fraction}
    recordable = fraction.status in (FractionStatus.SCHEDULED, FractionStatus.PARTIAL)
    if can["delivery_record"] and recordable:
        item["deliver"] = forms("deliver", f.DeliverForm, fraction.pk, fraction=fraction)
    if fraction.status == FractionStatus.SCHEDULED:
        if can["schedule"]:
            item["missed"] = forms("missed", f.ReasonForm, fraction.pk)
        if can["brachy_record"]:
            item["brachy"] = forms("brachy", f.BrachyForm, fraction.pk)
    return item


def _image_items(deliveries: Any, forms: _Forms, can: dict[str, bool]) -> list[dict[str, Any]]:
    """Per recorded delivery: its image review, or the therapist's approval form; the physician's
    signature form where the shifts exceeded the tolerance and nobody has signed yet."""
    items = []
    for d in deliveries:
        review = getattr(d, "image_review", None)
        if d.status != "recorded" and review is None:
            continue
        item: dict[str, Any] = {"d": d, "review": review}
        if review is None and can["delivery_record"]:
            item["form"] = forms("image-review", f.ImageReviewForm, d.pk)
        if (
            review is not None
            and review.needs_review
            and review.reviewed_at is None
            and can["review_record"]
        ):
            item["sign"] = forms("image-sign", f.ImageSignForm, review.pk)
        items.append(item)
    return items


def _course_context(
    request: HttpRequest, course: Course, *, failed: Failed | None = None
) -> dict[str, Any]:
    u = request.user
    can = {p.split(".", 1)[1].replace(".", "_"): has_perm(u, p) for p in CAN}
    forms = _Forms(course, failed)
    prescriptions = []
    # Every plan of the course at once, with its organ doses and its prescription's constraints
    # (they were read again for each plan and each metric: 66 -> 47 queries for one plan).
    plans_by_rx: dict[int, list[Plan]] = defaultdict(list)
    for plan in (
        Plan.objects.filter(prescription__course=course)
        .select_related(
            "machine", "planner", "prescription__constraint_set", "prescription__course__patient"
        )
        .prefetch_related("organ_doses", "prescription__constraint_set__constraints")
        .annotate(dicom_count=Count("dicom_objects"))
        .order_by("pk")
    ):
        plans_by_rx[plan.prescription_id].append(plan)
    for rx in course.prescriptions.order_by("pk"):
        plans = plans_by_rx[rx.pk]
        fractions = rx.fractions.select_related("machine").prefetch_related("deliveries")
        prescriptions.append(
            {
                "rx": rx,
                "plans": [_plan_item(plan, forms) for plan in plans],
                "fractions": [
                    _fraction_item(fraction, forms, can)
                    for fraction in fractions.order_by("sequence")
                ],
                "interruptions": selectors.prescription_interruptions(rx=rx),
                "signature": selectors.active_signatures(
                    prescription=rx, meaning="prescription-signed"
                ).first(),
                "edit": forms("rx-edit", f.PrescriptionEditForm, rx.pk),
                "sign": forms("rx-sign", f.TargetForm, rx.pk),
                "gap": forms("gap-review", f.GapReviewForm, rx.pk),
                "plan_create": forms("plan-create", f.PlanCreateForm, rx.pk, prescription=rx),
                "plan_import": forms("plan-import", f.PlanImportForm, rx.pk),
            }
        )
    deliveries = selectors.deliveries_for_course(course=course)
    return {
        "course": course,
        "patient": course.patient,
        "prescriptions": prescriptions,
        "deliveries": [
            {"d": d, "error": forms("delivery-error", f.DeliveryErrorForm, d.pk)}
            for d in deliveries
        ],
        "images": _image_items(deliveries, forms, can),
        "signatures": selectors.signatures_for_course(course=course),
        "reviews": course.weekly_reviews.prefetch_related("grades__term").select_related(
            "signature__signer"
        ),
        "checks": course.physics_checks.select_related("checker").order_by("-performed_at"),
        "dose_summary": selectors.dose_summary(course=course),
        "failed": failed,
        "rx_create": forms("rx-create", f.PrescriptionForm),
        "weekly_review": forms("weekly-review", f.WeeklyReviewForm),
        "chart_weekly": forms("chart-check", f.ChartCheckForm, "weekly"),
        "chart_end": forms("chart-check", f.ChartCheckForm, "end"),
        "close": forms("close", f.CloseForm),
        "suspend": forms("suspend", f.SuspendForm),
        "resume": forms("resume", f.ResumeForm),
        "suspended": course.status == CourseStatus.SUSPENDED,
        "suspensions": course.suspensions.select_related("suspended_by", "resumed_by"),
        "open": course.status in OPEN,
        "can": can,
        "extra_sections": [
            block
            for provider in COURSE_SECTIONS.providers()
            if (block := provider(request, course))
        ],
    }


@permission_required("rt.view")
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    course = _course(pk)
    audit_record(action=AuditAction.READ, obj=course, patient=course.patient)
    return render(request, "radiotherapy/course.html", _course_context(request, course))


def _target_pk(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("target", ""))
    except ValueError:
        return None


@require_POST
@permission_required("rt.view")
def course_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Run one step of the course; a refusal re-renders the page with the problems beside the form."""
    course = _course(pk)
    step = STEPS.get(action)
    if step is None:
        raise NotFound(_("No such step of a radiotherapy course: %(step)s.") % {"step": action})
    require(request.user, step.permission)
    form = step.form(request.POST, request.FILES, course=course, key=request.POST.get("target", ""))
    outcome = run_service(request, form, lambda: step.call(request, course, form))
    htmx = is_htmx(request)
    if not outcome.ok:
        target = _target_pk(request)
        place = (
            step.place
            if target is not None or step.place not in ("rx", "plan", "fraction")
            else "top"
        )
        failed = Failed(action=action, form=form, place=place, pk=target)
        ctx = _course_context(request, course, failed=failed)
        template = "radiotherapy/_partials/course_body.html" if htmx else "radiotherapy/course.html"
        return render(request, template, ctx, status=outcome.status)
    if isinstance(outcome.value, HttpResponse):
        return outcome.value
    message = str(outcome.value)
    course.refresh_from_db()
    if htmx:
        ctx = _course_context(request, course)
        ctx["flash"] = message
        return render(request, "radiotherapy/_partials/course_body.html", ctx)
    messages.success(request, message)
    return redirect("radiotherapy:course", pk=course.pk)
