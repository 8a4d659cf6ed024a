"""Writes of the hospital school. Each service checks its rules, then writes and audits
atomically; a refusal is a ``ValidationFailed`` (422, names the field) or a ``Conflict`` (409)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.patients.models import Patient
from oncocenter.pediatrics.checks import (
    choice,
    not_before,
    not_before_birth,
    not_in_future,
    required,
)
from oncocenter.school import selectors
from oncocenter.school.models import (
    AttendanceSetting,
    AttendanceStatus,
    ReturnPlanStatus,
    ReturnToSchoolPlan,
    SchoolAttendance,
    SchoolClass,
    SchoolEnrollment,
    SchoolLevel,
)


@transaction.atomic
def school_class_create(
    *,
    by: User,
    name: str,
    level: str,
    teacher: User | None = None,
    room: str = "",
    schedule: str = "",
) -> SchoolClass:
    """A class of the hospital school, with the teacher in charge."""
    required("name", name)
    choice("level", level, SchoolLevel.values)
    c = SchoolClass.objects.create(
        name=name.strip(), level=level, teacher=teacher, room=room, schedule=schedule
    )
    audit_record(action="create", obj=c)
    return c


@transaction.atomic
def school_enroll(
    *,
    patient: Patient,
    by: User,
    school_class: SchoolClass,
    enrolled_on: dt.date,
    home_school: str = "",
    home_grade: str = "",
) -> SchoolEnrollment:
    """Enroll the child in a class: one open enrollment per class."""
    required("enrolled_on", enrolled_on)
    not_before_birth("enrolled_on", enrolled_on, patient)
    if not school_class.active:
        raise ValidationFailed.single("school_class", _("the class is closed"), school_class.pk)
    if SchoolEnrollment.objects.filter(
        patient=patient, school_class=school_class, ended_on__isnull=True
    ).exists():
        raise Conflict(
            _("The child is already enrolled in this class."),
            rule="already_enrolled",
            problems=[FieldProblem("school_class", _("already enrolled"), school_class.pk)],
        )
    e = SchoolEnrollment.objects.create(
        patient=patient,
        school_class=school_class,
        enrolled_on=enrolled_on,
        home_school=home_school.strip(),
        home_grade=home_grade.strip(),
    )
    audit_record(action="create", obj=e, patient=patient, detail={"class": school_class.name})
    return e


@transaction.atomic
def school_enrollment_end(
    *, enrollment: SchoolEnrollment, by: User, ended_on: dt.date
) -> SchoolEnrollment:
    required("ended_on", ended_on)
    not_before("ended_on", ended_on, earliest=enrollment.enrolled_on, what=_("enrollment date"))
    enrollment.ended_on = ended_on
    enrollment.save(update_fields=["ended_on", "updated_at"])
    audit_record(
        action="update", obj=enrollment, patient=enrollment.patient, detail={"ended_on": ended_on}
    )
    return enrollment


@transaction.atomic
def school_attendance_record(
    *,
    enrollment: SchoolEnrollment,
    by: User,
    on: dt.date,
    status: str,
    setting: str = AttendanceSetting.CLASSROOM,
    during_admission: bool | None = None,
    minutes: int = 0,
    note: str = "",
) -> SchoolAttendance:
    """One row per child, class and day; recording again the same day replaces it.

    ``during_admission`` left empty is taken from the admissions (clinics): a lesson on a day
    the child was an inpatient counts as "during admission".
    """
    required("on", on)
    if during_admission is None:
        during_admission = bool(selectors.admitted_on(enrollment.patient, on))
    choice("status", status, AttendanceStatus.values)
    choice("setting", setting, AttendanceSetting.values)
    if on < enrollment.enrolled_on or (enrollment.ended_on and on > enrollment.ended_on):
        raise ValidationFailed.single("on", _("must be within the enrollment period"), on)
    not_in_future("on", on)
    if minutes is None or not 0 <= minutes <= 600:
        raise ValidationFailed.single("minutes", _("must be 0-600"), minutes)
    if status != AttendanceStatus.PRESENT and minutes:
        raise ValidationFailed.single("minutes", _("must be 0 when the child was absent"), minutes)
    a, created = SchoolAttendance.objects.update_or_create(
        enrollment=enrollment,
        on=on,
        defaults={
            "status": status,
            "setting": setting,
            "during_admission": during_admission,
            "minutes": minutes,
            "note": note,
        },
    )
    audit_record(
        action="create" if created else "update",
        obj=a,
        patient=enrollment.patient,
        detail={"status": status},
    )
    return a


@transaction.atomic
def return_plan_save(
    *,
    enrollment: SchoolEnrollment,
    by: User,
    planned_return_on: dt.date | None = None,
    school_contact: str = "",
    accommodations: str = "",
    status: str = ReturnPlanStatus.DRAFT,
) -> ReturnToSchoolPlan:
    """The plan for the child's return to the home school; shared only with a school contact."""
    choice("status", status, ReturnPlanStatus.values)
    not_before(
        "planned_return_on",
        planned_return_on,
        earliest=enrollment.enrolled_on,
        what=_("hospital-school enrollment"),
    )
    if status == ReturnPlanStatus.SHARED and not school_contact.strip():
        raise ValidationFailed.single(
            "school_contact", _("is required to share the plan with the school")
        )
    plan, _created = ReturnToSchoolPlan.objects.update_or_create(
        enrollment=enrollment,
        defaults={
            "planned_return_on": planned_return_on,
            "school_contact": school_contact.strip(),
            "accommodations": accommodations,
            "status": status,
        },
    )
    audit_record(action="update", obj=plan, patient=enrollment.patient, detail={"status": status})
    return plan
