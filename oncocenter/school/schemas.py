"""Typed request and response bodies of the hospital-school API (names carry "School")."""

from __future__ import annotations

import datetime as dt

from ninja import Schema


class SchoolClassIn(Schema):
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


class SchoolEnrollmentIn(Schema):
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


class SchoolAttendanceIn(Schema):
    on: dt.date
    status: str
    setting: str = "classroom"
    during_admission: bool | None = None
    minutes: int = 0
    note: str = ""


class SchoolReturnPlanIn(Schema):
    planned_return_on: dt.date | None = None
    school_contact: str = ""
    accommodations: str = ""
    status: str = "draft"
