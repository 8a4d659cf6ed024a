"""Service rules: each one rejects bad input naming the field, and saves nothing."""

import datetime as dt

import pytest

from oncocenter.core.errors import Conflict, ValidationFailed
from oncocenter.pediatrics.tests.factories import ChildFactory, staff
from oncocenter.school import selectors, services
from oncocenter.school.models import SchoolAttendance
from oncocenter.school.tests.factories import SchoolClassFactory

pytestmark = pytest.mark.django_db


D = dt.date


def _field(exc) -> str:
    return exc.value.problems[0].field


def test_school_enrollment_attendance_and_plan():
    child, cls = ChildFactory(), SchoolClassFactory()
    e = services.school_enroll(
        by=staff(), patient=child, school_class=cls, enrolled_on=D(2026, 1, 5), home_school="서울초"
    )
    with pytest.raises(Conflict):
        services.school_enroll(
            by=staff(), patient=child, school_class=cls, enrolled_on=D(2026, 1, 6)
        )
    services.school_attendance_record(
        by=staff(),
        enrollment=e,
        on=D(2026, 1, 6),
        status="present",
        setting="bedside",
        during_admission=True,
        minutes=40,
    )
    services.school_attendance_record(
        by=staff(), enrollment=e, on=D(2026, 1, 6), status="present", minutes=50
    )
    assert SchoolAttendance.objects.get().minutes == 50
    with pytest.raises(ValidationFailed) as ex:
        services.school_attendance_record(
            by=staff(), enrollment=e, on=D(2026, 1, 1), status="present"
        )
    assert _field(ex) == "on"
    with pytest.raises(ValidationFailed) as ex:
        services.return_plan_save(by=staff(), enrollment=e, status="shared")
    assert _field(ex) == "school_contact"
    plan = services.return_plan_save(
        by=staff(),
        enrollment=e,
        status="shared",
        school_contact="담임 김선생",
        planned_return_on=D(2026, 9, 1),
    )
    assert plan.status == "shared"


def test_attendance_takes_admission_from_clinics_when_not_given(monkeypatch):
    from oncocenter.school import selectors as sel

    e = services.school_enroll(
        by=staff(),
        patient=ChildFactory(),
        school_class=SchoolClassFactory(),
        enrolled_on=D(2026, 1, 5),
    )
    monkeypatch.setattr(sel, "admitted_on", lambda patient, on: on == D(2026, 1, 6))
    assert services.school_attendance_record(
        by=staff(), enrollment=e, on=D(2026, 1, 6), status="present", minutes=30
    ).during_admission
    assert not services.school_attendance_record(
        by=staff(), enrollment=e, on=D(2026, 1, 7), status="present", minutes=30
    ).during_admission
    assert services.school_attendance_record(
        by=staff(), enrollment=e, on=D(2026, 1, 8), status="present", during_admission=True
    ).during_admission


def test_admitted_on_is_unknown_or_false_without_admissions():
    assert selectors.admitted_on(ChildFactory(), D(2026, 1, 6)) in (None, False)
