"""What happens in a radiotherapy course that other areas may react to (see core/events.py).

Published by the radiotherapy services inside their transactions, after the write: a subscriber
runs in the same transaction, so its reaction is saved with the fact or not at all, and a
subscriber that raises a `DomainError` refuses the whole write. Events carry ids (and the few
facts a reader needs to decide whether to look), never model instances. Subscribe from your
app's `AppConfig.ready()`: `subscribe(FractionDelivered, handler)`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

from oncocenter.core.events import Event


@dataclass(frozen=True)
class FractionDelivered(Event):
    """A session was treated (or partially treated): a delivery record was saved for it.

    `completes_partial` is true when the record completes a partially treated session (the
    fraction already counted as delivered)."""

    name: ClassVar[str] = "radiotherapy.fraction_delivered"

    delivery_id: int
    fraction_id: int
    prescription_id: int
    course_id: int
    patient_id: int
    machine_id: int
    delivered_at: dt.datetime
    partial: bool
    completes_partial: bool


@dataclass(frozen=True)
class DeliveryEnteredInError(Event):
    """A delivery record was marked entered-in-error (never deleted).

    `replaced_by_id` names the corrected record when the error was corrected in one step;
    `fraction_reopened` is true when the session went back to scheduled (it had no other record).
    """

    name: ClassVar[str] = "radiotherapy.delivery_entered_in_error"

    delivery_id: int
    fraction_id: int
    prescription_id: int
    course_id: int
    patient_id: int
    replaced_by_id: int | None
    fraction_reopened: bool


@dataclass(frozen=True)
class FractionMissed(Event):
    """A scheduled session did not happen; `replacement_fraction_id` was added after the last."""

    name: ClassVar[str] = "radiotherapy.fraction_missed"

    fraction_id: int
    prescription_id: int
    course_id: int
    patient_id: int
    replacement_fraction_id: int


@dataclass(frozen=True)
class CourseClosed(Event):
    """A course was completed or stopped; its sessions still scheduled were cancelled."""

    name: ClassVar[str] = "radiotherapy.course_closed"

    course_id: int
    patient_id: int
    status: str
    cancelled_fraction_ids: tuple[int, ...]


@dataclass(frozen=True)
class CourseSuspended(Event):
    """A course was put on hold by its physician; its scheduled sessions wait (not cancelled)."""

    name: ClassVar[str] = "radiotherapy.course_suspended"

    course_id: int
    patient_id: int
    reason: str


@dataclass(frozen=True)
class CourseResumed(Event):
    """A suspended course is open again; `fraction_ids` are its sessions still to treat."""

    name: ClassVar[str] = "radiotherapy.course_resumed"

    course_id: int
    patient_id: int
    by_id: int
    fraction_ids: tuple[int, ...]


@dataclass(frozen=True)
class PlanTransferred(Event):
    """A plan was transferred to a machine not beam-matched to it: `plan_id` is the new plan
    (awaiting the physician's approval), `fraction_ids` the sessions that moved to it."""

    name: ClassVar[str] = "radiotherapy.plan_transferred"

    plan_id: int
    from_plan_id: int
    course_id: int
    patient_id: int
    by_id: int
    fraction_ids: tuple[int, ...]
