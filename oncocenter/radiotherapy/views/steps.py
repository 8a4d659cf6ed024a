"""The steps of the course page: for each, its permission, form, one service call and what the
user is told when it is done."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oncocenter.core.permissions import active_role
from oncocenter.radiotherapy import forms as f
from oncocenter.radiotherapy import services as s
from oncocenter.radiotherapy.models import Course, Pattern
from oncocenter.radiotherapy.views._common import _me

# --- the steps of the course page: form, one service call, what the user is told -------------------

# A step answers with the message for the course page, or with where the browser goes next (an
# upload goes to its job's page).
Call = Callable[[HttpRequest, Course, Any], "str | HttpResponse"]


def _service(service: Callable[..., Any], done: Any, on: str, *fields: str) -> Call:
    """A step that passes the form's fields on by their names: `service(<on>=row, by=user,
    **fields)`, where the row is the form's target (the course itself when `on` is "course");
    the user is told `done` (a lazy string, translated when the step runs)."""

    def call(request: HttpRequest, course: Course, form: f.RtForm) -> str:
        d = form.cleaned_data
        row = course if on == "course" else d["target"]
        service(**{on: row}, by=_me(request), **{name: d[name] for name in fields})
        return str(done)

    return call


def _rx_create(request: HttpRequest, course: Course, form: f.PrescriptionForm) -> str:
    d = form.cleaned_data
    rx = s.prescription_create(
        course=course,
        by=_me(request),
        site=d["site"],
        technique=d["technique"],
        dose_per_fraction_gy=d["dose_per_fraction_gy"],
        number_of_fractions=d["number_of_fractions"],
        intent=d["intent"],
        pattern=d["pattern"] or Pattern.DAILY,
        energy=d["energy"],
        icd10_code=d["icd10_code"],
        icdo3_morphology=d["icdo3_morphology"],
        diagnosis=d["diagnosis"],
        no_diagnosis_reason=d["no_diagnosis_reason"],
    )
    return _("Prescription saved (unsigned): %(rx)s") % {"rx": rx}


def _rx_edit(request: HttpRequest, course: Course, form: f.PrescriptionEditForm) -> str:
    s.prescription_update(
        prescription=form.cleaned_data["target"], by=_me(request), **form.changes()
    )
    return _("Prescription edited: its signature and the plan approvals were voided.")


def _plan_import(request: HttpRequest, course: Course, form: f.PlanImportForm) -> HttpResponse:
    """Checked now; imported by a job, whose page the browser goes to."""
    upload = form.cleaned_data["file"]
    job = s.rtplan_import_submit(
        prescription=form.cleaned_data["target"],
        by=_me(request),
        content=upload.read(),
        file_name=upload.name,
        role=active_role(request),
    )
    return redirect("jobs:detail", pk=job.pk)


def _plan_dicom(request: HttpRequest, course: Course, form: f.PlanDicomForm) -> HttpResponse:
    """An RT Structure Set or RT Dose: checked now, imported by a job; a file imported before
    goes straight to the plan's DVH page."""
    upload = form.cleaned_data["file"]
    plan = form.cleaned_data["target"]
    job, existing = s.rtobject_import_submit(
        plan=plan,
        by=_me(request),
        content=upload.read(),
        file_name=upload.name,
        role=active_role(request),
    )
    if job is None:
        messages.info(
            request,
            _("This %(what)s was imported before: nothing changed.")
            % {"what": existing.get_kind_display() if existing else ""},
        )
        return redirect("radiotherapy:dvh", pk=course.pk, plan_pk=plan.pk)
    return redirect("jobs:detail", pk=job.pk)


def _dvh(request: HttpRequest, course: Course, form: f.DvhForm) -> str:
    s.plan_import_dvh(
        plan=form.cleaned_data["target"], by=_me(request), text=form.cleaned_data["file"]
    )
    return _("Organ-at-risk doses imported from the DVH export.")


def _physics_check(request: HttpRequest, course: Course, form: f.PhysicsCheckForm) -> str:
    check = s.physics_check_record(
        plan=form.cleaned_data["target"],
        by=_me(request),
        results=form.results(),
        comment=form.cleaned_data["comment"],
    )
    if check.passed:
        return _("Physics check recorded: passed.")
    return _("Physics check recorded: FAILED.")


def _chart_check(request: HttpRequest, course: Course, form: f.ChartCheckForm) -> str:
    s.chart_check_record(
        course=course,
        by=_me(request),
        kind=form.cleaned_data["kind"],
        results=form.results(),
        comment=form.cleaned_data["comment"],
    )
    return _("Chart check recorded.")


def _psqa(request: HttpRequest, course: Course, form: f.PsqaForm) -> str:
    d = form.cleaned_data
    qa = s.psqa_record(
        plan=d["target"],
        by=_me(request),
        method=d["method"],
        passing_rate_pct=d["passing_rate_pct"],
        action_limit_pct=d["action_limit_pct"] if d["action_limit_pct"] is not None else 95,
    )
    if qa.passed:
        return _("Patient-specific QA recorded: passed.")
    return _("Patient-specific QA recorded: FAILED.")


def _schedule(request: HttpRequest, course: Course, form: f.ScheduleForm) -> str:
    created = s.fractions_schedule(
        plan=form.cleaned_data["target"],
        by=_me(request),
        start_date=form.cleaned_data["start_date"],
    )
    return _("%(n)d sessions scheduled.") % {"n": len(created)}


def _deliver(request: HttpRequest, course: Course, form: f.DeliverForm) -> str:
    d = form.cleaned_data
    delivery = s.fraction_record_delivery(
        fraction=d["target"],
        by=_me(request),
        delivered_at=d["delivered_at"],
        machine=d["machine"],
        identifiers=form.identifiers(),
        meterset_delivered=d["meterset_delivered"],
        partial=d["partial"],
        late_entry_reason=d["late_entry_reason"],
        override_reason=d["override_reason"],
    )
    delivery.fraction.refresh_from_db()
    return _("Fraction %(n)s recorded.") % {"n": delivery.fraction.delivered_number}


def _image_review(request: HttpRequest, course: Course, form: f.ImageReviewForm) -> str:
    d = form.cleaned_data
    review = s.image_review_record(
        delivery=d["target"],
        by=_me(request),
        kind=d["kind"],
        shift_lat_mm=d["shift_lat_mm"],
        shift_long_mm=d["shift_long_mm"],
        shift_vert_mm=d["shift_vert_mm"],
    )
    if review.needs_review:
        return _(
            "Images approved; a shift above %(tol)s mm puts them on the physician's review list."
        ) % {"tol": review.tolerance_mm}
    return _("Images approved (shifts within %(tol)s mm).") % {"tol": review.tolerance_mm}


def _plan_transfer(request: HttpRequest, course: Course, form: f.PlanTransferForm) -> str:
    d = form.cleaned_data
    plan = s.plan_transfer(
        plan=d["target"],
        machine=d["machine"],
        by=_me(request),
        reason=d["reason"],
        meterset_per_fraction=d["meterset_per_fraction"],
    )
    return _(
        "Plan transferred to %(machine)s: it needs the physician's approval and its checks "
        "before treatment."
    ) % {"machine": plan.machine.code}


def _weekly_review(request: HttpRequest, course: Course, form: f.WeeklyReviewForm) -> str:
    s.weekly_review_record(
        course=course,
        by=_me(request),
        reviewed_on=form.cleaned_data["reviewed_on"],
        grades=form.grades(),
        notes=form.cleaned_data["notes"],
        continue_treatment=form.cleaned_data["continue_treatment"],
    )
    return _("Weekly review signed.")


_rx_sign = _service(s.prescription_sign, gettext_lazy("Prescription signed."), "prescription")
_plan_create = _service(
    s.plan_create,
    gettext_lazy("Plan saved."),
    "prescription",
    "label",
    "machine",
    "fractions_planned",
    "dose_per_fraction_gy",
    "meterset_per_fraction",
)
_plan_approve = _service(s.plan_approve, gettext_lazy("Plan approved."), "plan")
_organ_doses = _service(
    s.plan_set_organ_doses, gettext_lazy("Organ-at-risk doses saved."), "plan", "doses"
)
_override = _service(
    s.dose_override_sign,
    gettext_lazy("Override signed."),
    "plan",
    "organ",
    "metric",
    "cumulative",
    "justification",
)
_missed = _service(
    s.fraction_mark_missed,
    gettext_lazy("Session marked missed; a replacement session was added."),
    "fraction",
    "reason",
)
_delivery_error = _service(
    s.delivery_mark_entered_in_error,
    gettext_lazy("Delivery record marked entered-in-error."),
    "delivery",
    "reason",
)
_image_sign = _service(
    s.image_review_sign, gettext_lazy("Offline image review signed."), "review", "note"
)
_suspend = _service(
    s.course_suspend,
    gettext_lazy("Course suspended; its bookings were cancelled."),
    "course",
    "reason",
)
_resume = _service(
    s.course_resume,
    gettext_lazy("Course resumed; its remaining sessions were booked again."),
    "course",
    "note",
)
_brachy = _service(
    s.brachy_session_set,
    gettext_lazy("HDR session recorded."),
    "fraction",
    "applicator",
    "room",
    "afterloader",
    "anesthesia",
    "physician_present",
    "physicist_present",
    "anesthesiologist",
)
_gap_review = _service(
    s.interruption_review_record,
    gettext_lazy("Interruption review recorded."),
    "prescription",
    "decision",
    "note",
)
_close = _service(s.course_close, gettext_lazy("Course closed."), "course", "status", "reason")


@dataclass(frozen=True)
class Step:
    permission: str
    form: type[f.RtForm]
    call: Call
    place: str  # where on the page a refusal is shown: "rx", "plan", "fraction" or a section


STEPS: dict[str, Step] = {
    "rx-create": Step("rt.prescription.write", f.PrescriptionForm, _rx_create, "rx-new"),
    "rx-edit": Step("rt.prescription.write", f.PrescriptionEditForm, _rx_edit, "rx"),
    "rx-sign": Step("rt.prescription.sign", f.TargetForm, _rx_sign, "rx"),
    "plan-create": Step("rt.plan.write", f.PlanCreateForm, _plan_create, "rx"),
    "plan-import": Step("rt.plan.write", f.PlanImportForm, _plan_import, "rx"),
    "plan-dicom": Step("rt.plan.write", f.PlanDicomForm, _plan_dicom, "plan"),
    "plan-approve": Step("rt.plan.approve", f.PlanTargetForm, _plan_approve, "plan"),
    "organ-doses": Step("rt.plan.write", f.OrganDosesForm, _organ_doses, "plan"),
    "dvh": Step("rt.plan.write", f.DvhForm, _dvh, "plan"),
    "override": Step("rt.override.sign", f.OverrideForm, _override, "plan"),
    "physics-check": Step("rt.physics.check", f.PhysicsCheckForm, _physics_check, "plan"),
    "chart-check": Step("rt.physics.check", f.ChartCheckForm, _chart_check, "checks"),
    "psqa": Step("rt.psqa.record", f.PsqaForm, _psqa, "plan"),
    "schedule": Step("rt.schedule", f.ScheduleForm, _schedule, "plan"),
    "deliver": Step("rt.delivery.record", f.DeliverForm, _deliver, "fraction"),
    "missed": Step("rt.schedule", f.ReasonForm, _missed, "fraction"),
    "delivery-error": Step(
        "rt.delivery.correct", f.DeliveryErrorForm, _delivery_error, "deliveries"
    ),
    "image-review": Step("rt.delivery.record", f.ImageReviewForm, _image_review, "images"),
    "image-sign": Step("rt.review.record", f.ImageSignForm, _image_sign, "images"),
    "brachy": Step("rt.brachy.record", f.BrachyForm, _brachy, "fraction"),
    "weekly-review": Step("rt.review.record", f.WeeklyReviewForm, _weekly_review, "review"),
    "gap-review": Step("rt.review.record", f.GapReviewForm, _gap_review, "rx"),
    "close": Step("rt.course.manage", f.CloseForm, _close, "close"),
    "suspend": Step("rt.course.manage", f.SuspendForm, _suspend, "close"),
    "resume": Step("rt.course.manage", f.ResumeForm, _resume, "close"),
    "plan-transfer": Step("rt.physics.check", f.PlanTransferForm, _plan_transfer, "plan"),
}
