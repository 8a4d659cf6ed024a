"""Home panel and patient-page block of the scheduling area (registered in apps.py)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone


def scheduler_home(request: HttpRequest) -> dict[str, Any] | None:
    """Unbooked signed courses and today's outages."""
    from oncocenter.audit.models import AuditAction
    from oncocenter.audit.services import audit_record
    from oncocenter.scheduling import selectors

    courses = selectors.unbooked_signed_courses()
    if courses:
        audit_record(
            action=AuditAction.SEARCH,
            object_type="radiotherapy.course",
            detail={"view": "courses to book", "mrns": [c.patient.mrn for c in courses]},
        )
    from oncocenter.core.permissions import has_perm

    return {
        "courses": courses,
        "outages": selectors.outages_on(day=timezone.localdate()),
        "can_book": has_perm(request.user, "schedule.book"),
    }


def patient_appointments(request: HttpRequest, patient: Any) -> dict[str, Any] | None:
    """Next sessions, and the patient's signed courses still to book (for those who book)."""
    from oncocenter.core.permissions import has_perm
    from oncocenter.scheduling import selectors
    from oncocenter.scheduling.models import Booking, BookingStatus

    upcoming = (
        Booking.objects.filter(
            patient=patient, status=BookingStatus.BOOKED, end__gte=timezone.now()
        )
        .select_related("machine")
        .order_by("start")
    )
    rows = list(upcoming[:5])
    to_book = []
    if has_perm(request.user, "schedule.book"):
        to_book = selectors.unbooked_signed_courses(patient=patient)
    if not rows and not to_book:
        return None
    return {"patient": patient, "rows": rows, "total": upcoming.count(), "to_book": to_book}
