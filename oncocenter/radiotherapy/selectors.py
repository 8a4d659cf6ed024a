"""Reads of the radiotherapy course: dose accounting, constraint results, interruptions, worklists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from django.db.models import (
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from oncocenter.patients.models import Patient
from oncocenter.radiotherapy.dose import OrganDoseContribution, cumulative_eqd2, eqd2_of_fractions
from oncocenter.radiotherapy.models import (
    DELIVERED_STATUSES,
    ChecklistItem,
    ChecklistKind,
    Course,
    CourseStatus,
    Delivery,
    DoseOverride,
    Fraction,
    ImageReview,
    InterruptionReview,
    PatientSpecificQA,
    PhysicsCheck,
    Plan,
    PlanDicomObject,
    PlanStatus,
    Prescription,
    PrescriptionStatus,
    RTObjectKind,
    Signature,
    SignatureMeaning,
    WeeklyReview,
)
from oncocenter.radiotherapy.rules import (
    Constraint,
    InterruptionReport,
    PlannedOrganDose,
    TreatmentCalendar,
    detect_interruptions,
    evaluate_constraints,
    evaluate_cumulative_eqd2,
)

#: A weekly review or chart check is due after this many days or fractions since the last one.
REVIEW_EVERY_DAYS = 7
REVIEW_EVERY_FRACTIONS = 5


@cache
def treatment_calendar() -> TreatmentCalendar:
    """The center's calendar (Korean public holidays); built once per process."""
    return TreatmentCalendar(country="KR")


def session_dates(
    *, start: dt.date, count: int, pattern: str, calendar: TreatmentCalendar
) -> list[dt.date]:
    """Dates of `count` sessions from `start` (moved to the next open day) following the pattern."""
    day = start if calendar.is_open(start) else calendar.add_open_days(start, 1)
    out: list[dt.date] = []
    while len(out) < count:
        out.append(day)
        if pattern == "bid" and len(out) < count:
            out.append(day)
        day = calendar.add_open_days(day, 2 if pattern == "alternate" else 1)
    return out[:count]


# --- courses ------------------------------------------------------------------------------------------


def courses_for_patient(*, patient: Patient) -> QuerySet[Course]:
    return (
        Course.objects.filter(patient=patient).prefetch_related("prescriptions").order_by("number")
    )


def course_get(*, pk: int) -> Course | None:
    return (
        Course.objects.select_related("patient", "physician")
        .prefetch_related(
            Prefetch("prescriptions", queryset=Prescription.objects.order_by("pk")),
            "prescriptions__plans__machine",
            Prefetch(
                "prescriptions__fractions",
                queryset=Fraction.objects.select_related("machine").order_by("sequence"),
            ),
        )
        .filter(pk=pk)
        .first()
    )


def active_signatures(**filters: Any) -> QuerySet[Signature]:
    return Signature.objects.filter(voided_at__isnull=True, **filters).select_related("signer")


def current_plan(rx: Prescription) -> Plan | None:
    return rx.plans.exclude(status=PlanStatus.RETIRED).order_by("-pk").first()


def plan_readiness(*, plan: Plan) -> dict[str, bool]:
    """Which of the authorisations a plan needs for treatment are in force (for display)."""
    rx = plan.prescription
    sigs = {(s.meaning) for s in active_signatures(plan=plan, signed_version=plan.version)}
    rx_signed = active_signatures(
        prescription=rx, meaning=SignatureMeaning.PRESCRIPTION, signed_version=rx.version
    ).exists()
    psqa_ok = (
        not plan.needs_psqa
        or plan.psqa.filter(
            signature__voided_at__isnull=True, passed=True, signature__signed_version=plan.version
        ).exists()
    )
    checked = plan.physics_checks.filter(
        signature__voided_at__isnull=True, passed=True, signature__signed_version=plan.version
    ).exists()
    out = {
        # A completed prescription was signed: the course page keeps showing the tick after
        # the last fraction, but only a prescription still in force makes the plan ready.
        "prescription_signed": rx_signed
        and rx.status in (PrescriptionStatus.SIGNED, PrescriptionStatus.COMPLETED),
        "plan_approved": SignatureMeaning.PLAN_APPROVAL in sigs,
        "physics_checked": checked,
        "psqa_passed": psqa_ok,
    }
    out["ready"] = all(out.values()) and rx.status == PrescriptionStatus.SIGNED
    return out


def delivered_dates(*, rx: Prescription) -> list[dt.date]:
    return delivered_dates_by_prescription([rx.pk]).get(rx.pk, [])


def delivered_dates_by_prescription(ids: list[int]) -> dict[int, list[dt.date]]:
    """Local delivery dates of several prescriptions in one query."""
    tz = timezone.get_default_timezone()
    out: dict[int, list[dt.date]] = {i: [] for i in ids}
    rows = Delivery.objects.filter(
        fraction__prescription_id__in=ids, status=Delivery.Status.RECORDED
    ).values_list("fraction__prescription_id", "delivered_at")
    for rx_id, at in rows:
        out[rx_id].append(timezone.localtime(at, tz).date())
    return out


def prescription_interruptions(
    *, rx: Prescription, today: dt.date | None = None, dates: list[dt.date] | None = None
) -> InterruptionReport:
    """Open days skipped so far. A course still running counts up to yesterday (today's session
    may not have happened yet); a finished prescription up to its last treatment day."""
    today = today or timezone.localdate()
    running = (
        rx.status == PrescriptionStatus.SIGNED and rx.fractions_delivered < rx.number_of_fractions
    )
    return detect_interruptions(
        delivered_dates(rx=rx) if dates is None else dates,
        calendar=treatment_calendar(),
        pattern=rx.pattern,
        as_of=today - dt.timedelta(days=1) if running else None,
        gap_sensitive_site=rx.gap_sensitive_site or None,
    )


def dose_summary(*, course: Course) -> list[dict[str, Any]]:
    """Delivered dose per prescription (site)."""
    out = []
    for rx in course.prescriptions.all():
        fr = [f for f in rx.fractions.all() if f.status in DELIVERED_STATUSES]
        delivered = sum((f.dose_delivered_gy for f in fr), Decimal(0))
        out.append(
            {
                "prescription": rx,
                "site": rx.site,
                "technique": rx.technique,
                "fractions_delivered": rx.fractions_delivered,
                "fractions_prescribed": rx.number_of_fractions,
                "dose_delivered_gy": delivered,
                "dose_prescribed_gy": rx.total_dose_gy,
                "eqd2_delivered_gy_ab10": round(
                    eqd2_of_fractions(
                        total_dose_gy=float(delivered),
                        fractions=max(len(fr), 1),
                        alpha_beta_gy=10.0,
                    ),
                    2,
                )
                if fr
                else 0.0,
            }
        )
    return out


# --- constraints and cumulative dose ------------------------------------------------------------------


def plan_constraints(plan: Plan) -> list[Constraint]:
    cs = plan.prescription.constraint_set
    if cs is None:
        return []
    return [
        Constraint(
            organ=c.organ,
            metric=c.metric,
            comparator=c.comparator,
            limit=float(c.limit),
            unit=c.unit,
            alpha_beta_gy=float(c.alpha_beta_gy),
            note=c.note,
        )
        for c in cs.constraints.all()
    ]


def _contributions(plan: Plan, metric: str) -> tuple[list[OrganDoseContribution], bool]:
    """This plan's organ doses plus everything the patient received before (other prescriptions
    with delivered fractions, and doses recorded from elsewhere). Second value: any prior dose."""
    rx = plan.prescription
    patient = rx.course.patient
    items = [
        OrganDoseContribution(
            d.organ, float(d.value), plan.fractions_planned, f"{plan.label} (this plan)"
        )
        for d in plan.organ_doses.all()
        if d.metric.lower() == metric.lower() and d.unit == "Gy"
    ]
    prior = False
    others = Prescription.objects.filter(
        course__patient=patient, fractions_delivered__gt=0
    ).exclude(pk=rx.pk)
    for other in others.select_related("course"):
        other_plan = current_plan(other)
        if other_plan is None:
            continue
        # Only the delivered share of a previous plan counts.
        share = other.fractions_delivered / other_plan.fractions_planned
        for d in other_plan.organ_doses.all():
            if d.metric.lower() == metric.lower() and d.unit == "Gy":
                prior = True
                items.append(
                    OrganDoseContribution(
                        d.organ,
                        float(d.value) * share,
                        other.fractions_delivered,
                        f"course {other.course.number}: {other.site}",
                    )
                )
    if metric.lower() == "dmax":
        for p in patient.rt_prior_doses.all():
            prior = True
            items.append(
                OrganDoseContribution(
                    p.organ,
                    float(p.total_dose_gy),
                    p.fractions,
                    f"prior RT {p.treated_year or ''} {p.source}".strip(),
                )
            )
    return items, prior


def cumulative_for_plan(
    *, plan: Plan, metric: str = "Dmax", constraints: list[Constraint] | None = None
) -> dict[str, Any]:
    constraints = plan_constraints(plan) if constraints is None else constraints
    ab = {c.organ: c.alpha_beta_gy for c in constraints}
    items, prior = _contributions(plan, metric)
    return {"prior": prior, "organs": cumulative_eqd2(items, alpha_beta_by_organ=ab)}


def plan_constraint_results(*, plan: Plan) -> dict[str, Any]:
    constraints = plan_constraints(plan)
    planned = [
        PlannedOrganDose(d.organ, d.metric, float(d.value), d.unit) for d in plan.organ_doses.all()
    ]
    try:
        results = evaluate_constraints(planned, constraints)
    except ValueError:
        results = []
    cumulative = []
    for metric in ("Dmax", "Dmean"):
        data = cumulative_for_plan(plan=plan, metric=metric, constraints=constraints)
        if data["prior"]:
            cumulative.extend(
                evaluate_cumulative_eqd2(
                    {k: v.eqd2_gy for k, v in data["organs"].items()}, constraints, metric=metric
                )
            )
    return {"planned": results, "cumulative": cumulative}


def plan_constraint_failures(
    *, plan: Plan, results: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Constraints the plan breaks (planned, and cumulative EQD2 for re-irradiation), each with
    whether a signed, unvoided physician override covers it. `results`: the plan's
    `plan_constraint_results`, when the caller has them already (the course page)."""
    overrides = list(DoseOverride.objects.filter(plan=plan, signature__voided_at__isnull=True))

    def covered(organ: str, metric: str, cumulative: bool) -> DoseOverride | None:
        for o in overrides:
            if (
                o.organ.lower() == organ.lower()
                and o.metric.lower() == metric.lower()
                and o.cumulative == cumulative
            ):
                return o
        return None

    out = []
    res = results if results is not None else plan_constraint_results(plan=plan)
    for kind, cumulative in (("planned", False), ("cumulative", True)):
        for r in res[kind]:
            if r.passed is False:
                c = r.constraint
                out.append(
                    {
                        "organ": c.organ,
                        "metric": c.metric,
                        "value": round(float(r.value or 0), 2),
                        "limit": c.limit,
                        "unit": c.unit,
                        "comparator": c.comparator,
                        "cumulative": cumulative,
                        "override": covered(c.organ, c.metric, cumulative),
                    }
                )
    return out


# --- worklists ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkItem:
    course: Course
    title: str
    detail: str = ""
    url_suffix: str = ""


def _open_courses() -> QuerySet[Course]:
    return Course.objects.filter(
        status__in=[CourseStatus.PLANNED, CourseStatus.ACTIVE]
    ).select_related("patient", "physician")


def worklist_prescriptions_to_sign() -> QuerySet[Prescription]:
    qs = Prescription.objects.filter(
        status=PrescriptionStatus.DRAFT,
        course__status__in=[CourseStatus.PLANNED, CourseStatus.ACTIVE],
    ).select_related("course__patient", "course__physician")
    return qs.order_by("created_at")


def worklist_plans_to_approve() -> QuerySet[Plan]:
    return (
        Plan.objects.filter(status=PlanStatus.DRAFT, prescription__status=PrescriptionStatus.SIGNED)
        .select_related("prescription__course__patient", "machine")
        .order_by("created_at")
    )


def _deliveries_counted(course_ref: str = "pk") -> QuerySet[Delivery]:
    """First deliveries (not corrections) of the outer course, for a counting subquery."""
    return Delivery.objects.filter(
        fraction__prescription__course=OuterRef(course_ref),
        status=Delivery.Status.RECORDED,
        replaces__isnull=True,
    ).order_by()


def _count(qs: QuerySet[Any]) -> Coalesce:
    """A correlated COUNT(*) subquery (one query for the whole list, not one per row)."""
    # Func, not Count: no GROUP BY, so the subquery counts every row the filter keeps.
    counted = qs.annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def worklist_physics_checks_due() -> list[dict[str, Any]]:
    """Initial plan checks (approved plans), PSQA due, weekly chart checks and end-of-treatment checks.

    A fixed number of queries whatever the number of plans and courses: the per-row facts (a
    passed PSQA for this version, the last weekly check, sessions since then, an end check) are
    annotations.
    """
    items: list[dict[str, Any]] = []
    for plan in Plan.objects.filter(status=PlanStatus.APPROVED).select_related(
        "prescription__course__patient"
    ):
        items.append({"kind": "initial", "course": plan.prescription.course, "plan": plan})
    psqa_passed = PatientSpecificQA.objects.filter(
        plan=OuterRef("pk"),
        passed=True,
        signature__voided_at__isnull=True,
        signature__signed_version=OuterRef("version"),
    )
    for plan in (
        Plan.objects.filter(
            status__in=[PlanStatus.APPROVED, PlanStatus.CHECKED],
            technique__in=["IMRT", "VMAT", "SBRT", "SRS"],
        )
        .annotate(psqa_ok=Exists(psqa_passed))
        .filter(psqa_ok=False)
        .select_related("prescription__course__patient")
    ):
        items.append({"kind": "psqa", "course": plan.prescription.course, "plan": plan})
    today = timezone.localdate()
    last_weekly = (
        PhysicsCheck.objects.filter(course=OuterRef("pk"), kind=ChecklistKind.WEEKLY)
        .order_by("-performed_at")
        .values("performed_at")[:1]
    )
    for course in (
        Course.objects.filter(status=CourseStatus.ACTIVE)
        .annotate(last=Subquery(last_weekly))
        .annotate(
            delivered=_count(_deliveries_counted()),
            delivered_since=_count(_deliveries_counted().filter(delivered_at__gt=OuterRef("last"))),
        )
        .select_related("patient")
    ):
        if _due_from(course.last, course.delivered, course.delivered_since, today):
            items.append({"kind": "weekly", "course": course, "plan": None})
    end_check = PhysicsCheck.objects.filter(course=OuterRef("pk"), kind=ChecklistKind.END)
    for ended in (
        Course.objects.filter(status__in=[CourseStatus.COMPLETED, CourseStatus.STOPPED])
        .annotate(end_done=Exists(end_check))
        .filter(end_done=False)
        .select_related("patient")
    ):
        items.append({"kind": "end", "course": ended, "plan": None})
    return items


def _due_from(
    last: dt.datetime | dt.date | None, delivered: int, delivered_since: int, today: dt.date
) -> bool:
    """Due after REVIEW_EVERY_DAYS days or REVIEW_EVERY_FRACTIONS sessions since the last one;
    never reviewed: due once the first session is delivered."""
    if last is None:
        return delivered > 0
    last_day = timezone.localtime(last).date() if isinstance(last, dt.datetime) else last
    return (today - last_day).days >= REVIEW_EVERY_DAYS or delivered_since >= REVIEW_EVERY_FRACTIONS


def worklist_weekly_reviews_due() -> list[Course]:
    today = timezone.localdate()
    last_review = (
        WeeklyReview.objects.filter(course=OuterRef("pk"))
        .order_by("-reviewed_on")
        .values("reviewed_on")[:1]
    )
    # A review on day D covers that whole local day: count sessions on later local days.
    since = (
        _deliveries_counted()
        .annotate(day=TruncDate("delivered_at"))
        .filter(day__gt=OuterRef("last"))
    )
    courses = (
        Course.objects.filter(status=CourseStatus.ACTIVE)
        .annotate(last=Subquery(last_review))
        .annotate(delivered=_count(_deliveries_counted()), delivered_since=_count(since))
        .select_related("patient", "physician")
    )
    return [c for c in courses if _due_from(c.last, c.delivered, c.delivered_since, today)]


def worklist_interruptions() -> list[dict[str, Any]]:
    """Signed, running prescriptions with open days skipped and not yet reviewed at that count.

    Three queries whatever the number of prescriptions: the prescriptions with their last
    review's count, then every delivery date of those prescriptions at once.
    """
    last_review = (
        InterruptionReview.objects.filter(prescription=OuterRef("pk"))
        .order_by("-created_at")
        .values("days_lost")[:1]
    )
    rxs = list(
        Prescription.objects.filter(
            status=PrescriptionStatus.SIGNED,
            fractions_delivered__gt=0,
            course__status=CourseStatus.ACTIVE,
        )
        .annotate(reviewed_days=Subquery(last_review))
        .select_related("course__patient")
    )
    dates = delivered_dates_by_prescription([rx.pk for rx in rxs])
    out: list[dict[str, Any]] = []
    for rx in rxs:
        report = prescription_interruptions(rx=rx, dates=dates.get(rx.pk, []))
        reviewed = rx.reviewed_days
        if report.interrupted and (reviewed is None or reviewed < report.days_lost):
            out.append({"prescription": rx, "course": rx.course, "report": report})
    out.sort(key=lambda x: (not x["report"].compensation_needed, -x["report"].days_lost))
    return out


def worklist_overrides() -> QuerySet[DoseOverride]:
    return (
        DoseOverride.objects.filter(signature__voided_at__isnull=True)
        .select_related("plan__prescription__course__patient", "signature__signer")
        .order_by("-created_at")
    )


def worklist_image_reviews() -> QuerySet[ImageReview]:
    """Treatment images whose couch shifts exceeded the tolerance, not yet reviewed."""
    return (
        ImageReview.objects.filter(needs_review=True, reviewed_at__isnull=True)
        .select_related("delivery__fraction__prescription__course__patient")
        .order_by("approved_at")
    )


def worklist_treat_today(*, day: dt.date | None = None) -> QuerySet[Fraction]:
    day = day or timezone.localdate()
    return (
        Fraction.objects.filter(scheduled_date=day, status__in=["scheduled", "partially-treated"])
        .select_related("prescription__course__patient", "machine", "plan")
        .order_by("machine__code", "prescription__course__patient")
    )


def checklist(kind: str) -> QuerySet[ChecklistItem]:
    return ChecklistItem.objects.filter(kind=kind, active=True).order_by("order", "code")


def deliveries_for_course(*, course: Course) -> QuerySet[Delivery]:
    return (
        Delivery.objects.filter(fraction__prescription__course=course)
        .select_related(
            "fraction",
            "machine",
            "recorded_by",
            "errored_by",
            "override_signature",
            "image_review__approved_by",
            "image_review__reviewed_by",
        )
        .order_by("delivered_at", "pk")
    )


def signatures_for_course(*, course: Course) -> QuerySet[Signature]:
    return Signature.objects.filter(course=course).select_related("signer").order_by("signed_at")


def search_filter(q: str) -> Q:
    return Q(patient__mrn__startswith=q) | Q(patient__name_ko__contains=q) | Q(label__icontains=q)


# --- DICOM RT objects and DVHs of a plan --------------------------------------------------------------

#: The figures of the DVH table, in order: (label, metric read by `dicom_dvh.dvh_metric`).
DVH_TABLE_METRICS = (
    ("D95", "D95"),
    ("D50", "D50"),
    ("D2", "D2"),
    ("Dmean", "Dmean"),
    ("Dmax", "Dmax"),
    ("V20", "V20"),
)


def plan_dvh_report(*, plan: Plan) -> dict[str, Any]:
    """The plan's stored RT objects and, from its newest dose with its DVHs: per structure the
    curve, the table's figures and each of the prescription's organ constraints that names the
    structure's organ, evaluated on the DVH (passed False: violated)."""
    from oncocenter.radiotherapy.dicom_dvh import dvh_metric
    from oncocenter.radiotherapy.dvh import organ_of_structure, same_organ

    objects = list(
        PlanDicomObject.objects.filter(plan=plan)
        .select_related("imported_by")
        .defer("data")
        .order_by("-pk")
    )
    dose = next((o for o in objects if o.kind == RTObjectKind.DOSE), None)
    structure_set = (
        next((o for o in objects if o.pk == dose.dvh_structure_set_id), None) if dose else None
    )
    kinds = {
        int(s["number"]): s.get("kind", "")
        for s in (structure_set.summary.get("structures", []) if structure_set else [])
    }
    constraints = plan_constraints(plan)
    rows = []
    for d in dose.dvhs if dose else []:
        organ = organ_of_structure(d["name"])
        checks = []
        for c in constraints:
            if not same_organ(c.organ, organ):
                continue
            got = dvh_metric(d, c.metric)
            value = got[0] if got and got[1].lower() == c.unit.lower() else None
            checks.append(
                {
                    "constraint": c,
                    "value": value,
                    "passed": None if value is None else c.holds(value),
                }
            )
        rows.append(
            {
                "number": d["number"],
                "name": d["name"],
                "kind": kinds.get(int(d["number"]), ""),
                "organ": organ,
                "volume_cc": d["volume_cc"],
                "figures": [
                    (label, (dvh_metric(d, metric) or (None, ""))[0])
                    for label, metric in DVH_TABLE_METRICS
                ],
                "checks": checks,
                "violated": any(ch["passed"] is False for ch in checks),
                "dvh": d,
            }
        )
    return {
        "objects": objects,
        "dose": dose,
        "structure_set": structure_set,
        "rows": rows,
        "refused": (dose.summary.get("dvh_refused", "") if dose else ""),
    }
