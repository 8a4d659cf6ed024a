"""Opening and closing a course; its record as an oncology treatment episode."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.core.events import publish
from oncocenter.core.permissions import require, user_roles
from oncocenter.core.roles import Role
from oncocenter.oncology import services as oncology_services
from oncocenter.oncology.models import Modality
from oncocenter.patients.models import Patient
from oncocenter.radiotherapy.events import CourseClosed, CourseResumed, CourseSuspended
from oncocenter.radiotherapy.models import (
    Course,
    CourseStatus,
    CourseSuspension,
    Delivery,
    Fraction,
    FractionStatus,
    Intent,
    Prescription,
    PrescriptionStatus,
)
from oncocenter.radiotherapy.services._common import OPEN_COURSE


def course_create(
    *, patient: Patient, label: str, intent: str, physician: User, by: User, notes: str = ""
) -> Course:
    """Open a radiotherapy course; flags re-irradiation when the patient was irradiated before."""
    require(by, "rt.course.manage")
    problems = []
    if not label.strip():
        problems.append(FieldProblem("label", _("is required")))
    if intent not in Intent.values:
        problems.append(
            FieldProblem(
                "intent",
                _("must be one of %(choices)s") % {"choices": ", ".join(Intent.values)},
                intent,
            )
        )
    if Role.RADIATION_ONCOLOGIST not in user_roles(physician):
        problems.append(
            FieldProblem("physician", _("must be a radiation oncologist"), physician.username)
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


def course_close(*, course: Course, by: User, status: str, reason: str = "") -> Course:
    """Complete or stop a course; remaining scheduled sessions are cancelled."""
    require(by, "rt.course.manage")
    if status not in (CourseStatus.COMPLETED, CourseStatus.STOPPED):
        raise ValidationFailed.single("status", _("must be completed or stopped"), status)
    if status == CourseStatus.STOPPED and not reason.strip():
        raise ValidationFailed.single("reason", _("is required to stop a course early"))
    with transaction.atomic():
        return _close(course, by=by, status=status, reason=reason)


def _close(course: Course, *, by: User, status: str, reason: str) -> Course:
    """Close a course (inside the caller's transaction): cancel its scheduled sessions, complete
    its signed prescriptions, set its real first and last treatment dates, end its episode, and
    publish `CourseClosed` (the scheduling area cancels the course's future bookings).

    Called by `course_close` and by the delivery service when the last fraction is treated."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    if course.status == CourseStatus.SUSPENDED:
        # Closing a suspended course (stopped for good): its suspension ends with it.
        CourseSuspension.objects.filter(course=course, resumed_at__isnull=True).update(
            resumed_at=timezone.now(), resumed_by=by, resume_note=f"course {status}"[:300]
        )
    elif course.status not in OPEN_COURSE:
        raise Conflict(
            _("Course is already %(status)s.") % {"status": course.get_status_display()},
            rule="course_closed",
        )
    recorded = Delivery.objects.filter(
        fraction__prescription__course=course, status=Delivery.Status.RECORDED
    )
    first = recorded.order_by("delivered_at").first()
    last = recorded.order_by("-delivered_at").first()
    scheduled = Fraction.objects.filter(
        prescription__course=course, status=FractionStatus.SCHEDULED
    )
    cancelled = tuple(scheduled.order_by("pk").values_list("pk", flat=True))
    scheduled.update(status=FractionStatus.CANCELLED, status_reason=f"course {status}")
    for rx in course.prescriptions.filter(status=PrescriptionStatus.SIGNED):
        rx.status = PrescriptionStatus.COMPLETED
        rx.save(update_fields=["status", "updated_at"])
    course.status = status
    if first is not None and last is not None:
        course.started_on = timezone.localtime(first.delivered_at).date()
        course.ended_on = timezone.localtime(last.delivered_at).date()
    if reason:
        course.notes = (course.notes + "\n" if course.notes else "") + f"{status}: {reason.strip()}"
    course.save()
    _episode_end(course, by=by)
    audit_record(
        action=AuditAction.UPDATE,
        obj=course,
        patient=course.patient,
        detail={"status": status, "reason": reason, "cancelled_sessions": len(cancelled)},
    )
    publish(
        CourseClosed(
            course_id=course.pk,
            patient_id=course.patient_id,
            status=status,
            cancelled_fraction_ids=cancelled,
        )
    )
    return course


MIN_REASON = 5


def course_suspend(*, course: Course, by: User, reason: str) -> CourseSuspension:
    """Put a planned or active course on hold (e.g. toxicity, admission): no treatment and no
    bookings until it is resumed. Its future bookings are cancelled (scheduling reacts to
    `CourseSuspended`); the sessions stay to be treated."""
    require(by, "rt.course.manage")
    if len(reason.strip()) < MIN_REASON:
        raise ValidationFailed.single(
            "reason", _("a reason of at least %(n)d characters is required") % {"n": MIN_REASON}
        )
    with transaction.atomic():
        course = Course.objects.select_for_update().select_related("patient").get(pk=course.pk)
        if course.status not in OPEN_COURSE:
            raise Conflict(
                _("Course is %(status)s; only a planned or active course is suspended.")
                % {"status": course.get_status_display()},
                rule="course_not_open",
            )
        suspension = CourseSuspension.objects.create(
            course=course, suspended_at=timezone.now(), suspended_by=by, reason=reason.strip()[:300]
        )
        previous = course.status
        course.status = CourseStatus.SUSPENDED
        course.save(update_fields=["status", "updated_at"])
        audit_record(
            action=AuditAction.UPDATE,
            obj=course,
            patient=course.patient,
            detail={"status": "suspended", "from": previous, "reason": suspension.reason},
        )
        publish(
            CourseSuspended(
                course_id=course.pk, patient_id=course.patient_id, reason=suspension.reason
            )
        )
    return suspension


def course_resume(*, course: Course, by: User, note: str = "") -> Course:
    """Resume a suspended course: its remaining sessions are booked again (scheduling reacts to
    `CourseResumed` and books them on the plan's machine or its beam-matched group)."""
    require(by, "rt.course.manage")
    with transaction.atomic():
        course = Course.objects.select_for_update().select_related("patient").get(pk=course.pk)
        if course.status != CourseStatus.SUSPENDED:
            raise Conflict(
                _("Course is %(status)s, not suspended.") % {"status": course.get_status_display()},
                rule="course_not_suspended",
            )
        suspension = CourseSuspension.objects.select_for_update().get(
            course=course, resumed_at__isnull=True
        )
        suspension.resumed_at = timezone.now()
        suspension.resumed_by = by
        suspension.resume_note = note.strip()[:300]
        suspension.save(update_fields=["resumed_at", "resumed_by", "resume_note"])
        delivered = Delivery.objects.filter(
            fraction__prescription__course=course, status=Delivery.Status.RECORDED
        ).exists()
        course.status = CourseStatus.ACTIVE if delivered else CourseStatus.PLANNED
        course.save(update_fields=["status", "updated_at"])
        remaining = tuple(
            Fraction.objects.filter(prescription__course=course, status=FractionStatus.SCHEDULED)
            .order_by("prescription_id", "sequence")
            .values_list("pk", flat=True)
        )
        audit_record(
            action=AuditAction.UPDATE,
            obj=course,
            patient=course.patient,
            detail={"status": course.status, "resumed": True, "remaining": len(remaining)},
        )
        publish(
            CourseResumed(
                course_id=course.pk,
                patient_id=course.patient_id,
                by_id=by.pk,
                fraction_ids=remaining,
            )
        )
    return course


# --- the course as an oncology.TreatmentEpisode (written by the oncology services) ---------------


def _episode_source(course: Course) -> str:
    return f"radiotherapy.course:{course.pk}"


def _episode_start(course: Course, *, by: User) -> None:
    """The course's first delivery starts its treatment episode in the oncology record."""
    if course.treatment_episode_id:
        return
    rx = course.prescriptions.exclude(diagnosis__isnull=True).select_related("diagnosis").first()
    doses = ", ".join(
        f"{p.site} {p.total_dose_gy} Gy/{p.number_of_fractions} fx"
        for p in course.prescriptions.all()
    )
    assert course.started_on is not None  # set by the delivery that starts the course
    episode = oncology_services.treatment_episode_create(
        patient=course.patient,
        by=by,
        modality=Modality.RADIOTHERAPY,
        started_on=course.started_on,
        diagnosis=rx.diagnosis if rx else None,
        at_this_center=True,
        description=f"RT course {course.number}: {course.label} ({doses})"[:300],
        source=_episode_source(course),
    )
    Course.objects.filter(pk=course.pk).update(treatment_episode_id=episode.pk)
    course.treatment_episode_id = episode.pk


def _episode_end(course: Course, *, by: User) -> None:
    """Closing the course ends its episode (on the last delivery's date)."""
    if not course.treatment_episode_id:
        return
    episode = oncology_services.treatment_episode_for_source(_episode_source(course))
    if episode is None:  # withdrawn in the oncology record (entered in error)
        return
    oncology_services.treatment_episode_update(episode=episode, by=by, ended_on=course.ended_on)
