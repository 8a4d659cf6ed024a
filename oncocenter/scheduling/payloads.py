"""The API's shapes of a booking and a downtime window, shared by the API and the booking jobs:
a job's result (`GET /api/jobs/{id}/result`) carries the same bookings and outage the endpoint
that queued it answered when it still booked inside the request."""

from __future__ import annotations

from typing import Any

from oncocenter.machines.models import MachineDowntime
from oncocenter.scheduling.models import Booking


def downtime_out(d: MachineDowntime) -> dict[str, Any]:
    return {
        "id": d.pk,
        "machine": d.machine.code,
        "kind": d.kind,
        "start": d.start,
        "end": d.end,
        "reason": d.reason,
        "reported_by": d.reported_by.username if d.reported_by else "",
        "confirmed_by": d.confirmed_by.username if d.confirmed_by else None,
        "confirmed_at": d.confirmed_at,
        "rebook_summary": d.rebook_summary,
    }


def booking_out(b: Booking) -> dict[str, Any]:
    old = b.replaces
    return {
        "id": b.pk,
        "mrn": b.patient.mrn,
        "patient_name": b.patient.name_ko,
        "prescription_id": b.prescription_id,
        "fraction_id": b.fraction_id,
        "machine": b.machine.code,
        "start": b.start,
        "end": b.end,
        "technique": b.technique,
        "is_first": b.is_first,
        "anesthesia": b.anesthesia,
        "urgency": b.urgency,
        "status": b.status,
        "penalties": b.penalties or {},
        "changed_from_machine": old.machine.code if old else None,
        "changed_from_start": old.start if old else None,
        "change_kind": b.change_kind,
    }
