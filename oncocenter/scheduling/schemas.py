from __future__ import annotations

import datetime as dt

from ninja import Schema

from oncocenter.core.schemas import InputSchema


class MachineOut(Schema):
    code: str
    name: str
    kind: str
    model: str
    techniques: list[str]
    opens_at: dt.time
    closes_at: dt.time
    in_service: bool


class MachineServiceIn(InputSchema):
    in_service: bool
    reason: str


class MachineDowntimeIn(InputSchema):
    start: dt.datetime
    end: dt.datetime
    reason: str


class MachineOutageIn(MachineDowntimeIn):
    machine: str


class MachineDowntimeOut(Schema):
    id: int
    machine: str
    kind: str
    start: dt.datetime
    end: dt.datetime
    reason: str
    reported_by: str
    confirmed_by: str | None = None
    confirmed_at: dt.datetime | None = None
    rebook_summary: dict = {}


class BookingOut(Schema):
    id: int
    mrn: str
    patient_name: str
    prescription_id: int
    fraction_id: int
    machine: str
    start: dt.datetime
    end: dt.datetime
    technique: str
    is_first: bool
    anesthesia: bool
    urgency: str
    status: str
    penalties: dict[str, int] = {}
    changed_from_machine: str | None = None
    changed_from_start: dt.datetime | None = None
    change_kind: str = ""


class MachineOutageOut(Schema):
    outage: MachineDowntimeOut
    changes: list[BookingOut]
    unresolved: dict[str, str] = {}


class BookingCourseIn(InputSchema):
    urgency: str | None = None
    ready_date: dt.date | None = None
    anesthesia: bool | None = None
    preferred_window: list[str] | None = None
    time_limit: float = 5.0


class BookingCourseOut(Schema):
    course_id: int
    bookings: list[BookingOut]
    penalties: dict[str, dict[str, int]]
    solve_seconds: float | None = None


class BookingIn(InputSchema):
    fraction_id: int
    machine: str
    start: dt.datetime
    anesthesia: bool = False
    urgency: str = ""


class BookingCancelIn(InputSchema):
    reason: str


class BookingBoardColumnOut(Schema):
    machine: str
    sessions: int
    minutes: int
    bookings: list[BookingOut]
    downtime: list[MachineDowntimeOut]


class BookingBoardOut(Schema):
    date: dt.date
    sessions: int
    changed: int
    columns: list[BookingBoardColumnOut]


class BookingWaitingOut(Schema):
    booked: list[int]
    bookings: int
    skipped: dict[str, str]
    solve_seconds: float | None = None
