"""Home-page panels and the patient-page section of clinics (registered in apps.py)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from oncocenter.clinics import selectors
from oncocenter.clinics.models import Admission


def waitlist_panel(request: HttpRequest) -> dict[str, Any] | None:
    rows = selectors.waitlist_ranked(statuses=("waiting", "offered"))[:8]
    return {"rows": rows, "count": len(rows)}


def today_panel(request: HttpRequest) -> dict[str, Any] | None:
    user: Any = request.user
    physician = user if user.clinic_sessions.exists() else None
    rows = list(selectors.day_list(day=timezone.localdate(), physician=physician)[:30])
    return {"rows": rows}


def beds_panel(request: HttpRequest) -> dict[str, Any] | None:
    return {"rows": selectors.ward_occupancy(), "waiting": len(selectors.bed_waitlist_ranked())}


def patient_section(request: HttpRequest, patient: Any) -> dict[str, Any] | None:
    appts = list(selectors.patient_appointments(patient=patient)[:10])
    admission = (
        Admission.objects.filter(patient=patient, status="admitted")
        .select_related("bed__ward")
        .first()
    )
    return {
        "patient": patient,
        "appointments": appts,
        "admission": admission,
        "now": timezone.now(),
    }
