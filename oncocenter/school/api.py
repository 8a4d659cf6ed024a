"""JSON API of the hospital school (mounted at /api/support/, its address before the split of
the support app). Thin: check the permission, parse, call one service."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from oncocenter.accounts.selectors import current_user
from oncocenter.core.access import permission
from oncocenter.patients.selectors import patient_get
from oncocenter.pediatrics.lookups import child, row
from oncocenter.pediatrics.schemas import PediatricIdOut
from oncocenter.school import services
from oncocenter.school.models import SchoolClass, SchoolEnrollment
from oncocenter.school.schemas import (
    SchoolAttendanceIn,
    SchoolClassIn,
    SchoolClassOut,
    SchoolEnrollmentIn,
    SchoolEnrollmentOut,
    SchoolReturnPlanIn,
)

router = Router(tags=["school"])


@router.get("/school/classes", response=list[SchoolClassOut])
@permission("school.view")
def school_classes(request: HttpRequest) -> list[SchoolClass]:
    return list(SchoolClass.objects.all())


@router.post("/school/classes", response={201: SchoolClassOut})
@permission("school.manage")
def school_class_create(request: HttpRequest, payload: SchoolClassIn) -> Status:
    user = current_user(request)
    return Status(201, services.school_class_create(by=user, teacher=user, **payload.dict()))


def _enrollment_out(e: SchoolEnrollment) -> dict[str, Any]:
    present = [a for a in e.attendance.all() if a.status == "present"]
    return {
        "id": e.pk,
        "school_class_id": e.school_class_id,
        "class_name": e.school_class.name,
        "enrolled_on": e.enrolled_on,
        "ended_on": e.ended_on,
        "home_school": e.home_school,
        "home_grade": e.home_grade,
        "days_present": len(present),
        "days_present_during_admission": sum(1 for a in present if a.during_admission),
    }


@router.get("/patients/{mrn}/school", response=list[SchoolEnrollmentOut])
@permission("school.view")
def school_of_patient(request: HttpRequest, mrn: str) -> list[dict[str, Any]]:
    qs = (
        SchoolEnrollment.objects.filter(patient=child(mrn, "school"))
        .select_related("school_class")
        .prefetch_related("attendance")
    )
    return [_enrollment_out(e) for e in qs]


@router.post("/patients/{mrn}/school/enrollments", response={201: SchoolEnrollmentOut})
@permission("school.edit")
def school_enroll(request: HttpRequest, mrn: str, payload: SchoolEnrollmentIn) -> Status:
    data = payload.dict()
    e = services.school_enroll(
        patient=patient_get(mrn=mrn, audit=False),
        by=current_user(request),
        school_class=row(SchoolClass, data.pop("school_class_id")),
        **data,
    )
    return Status(201, _enrollment_out(e))


@router.post("/school/enrollments/{enrollment_id}/attendance", response={201: PediatricIdOut})
@permission("school.edit")
def school_attendance(
    request: HttpRequest, enrollment_id: int, payload: SchoolAttendanceIn
) -> Status:
    attendance = services.school_attendance_record(
        enrollment=row(SchoolEnrollment, enrollment_id), by=current_user(request), **payload.dict()
    )
    return Status(201, {"id": attendance.pk})


@router.put("/school/enrollments/{enrollment_id}/return-plan", response=PediatricIdOut)
@permission("school.edit")
def school_return_plan(
    request: HttpRequest, enrollment_id: int, payload: SchoolReturnPlanIn
) -> dict[str, Any]:
    plan = services.return_plan_save(
        enrollment=row(SchoolEnrollment, enrollment_id), by=current_user(request), **payload.dict()
    )
    return {"id": plan.pk}
