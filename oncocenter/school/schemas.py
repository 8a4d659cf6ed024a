"""Typed request and response bodies of the hospital-school API (names carry "School")."""

from __future__ import annotations

import datetime as dt

from ninja import Schema

from oncocenter.core.schemas import InputSchema


class SchoolClassIn(InputSchema):
    name: str
    level: str
    room: str = ""
    schedule: str = ""


class SchoolClassOut(Schema):
    id: int
    name: str
    level: str
    room: str
    schedule: str
    active: bool


class SchoolEnrollmentIn(InputSchema):
    school_class_id: int
    enrolled_on: dt.date
    home_school: str = ""
    home_grade: str = ""


class SchoolEnrollmentOut(Schema):
    id: int
    school_class_id: int
    class_name: str
    enrolled_on: dt.date
    ended_on: dt.date | None
    home_school: str
    home_grade: str
    days_present: int
    days_present_during_admission: int


class SchoolAttendanceIn(InputSchema):
    on: dt.date
    status: str
    setting: str = "classroom"
    during_admission: bool | None = None
    minutes: int = 0
    note: str = ""


class SchoolReturnPlanIn(InputSchema):
    planned_return_on: dt.date | None = None
    school_contact: str = ""
    accommodations: str = ""
    status: str = "draft"
