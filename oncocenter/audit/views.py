from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from oncocenter.audit.models import AuditAction
from oncocenter.audit.selectors import audit_estimated_total, audit_events, audit_page
from oncocenter.audit.services import audit_record
from oncocenter.core.views import permission_required


def _seq(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@permission_required("audit.view")
def events(request: HttpRequest) -> HttpResponse:
    patient = request.GET.get("patient", "").strip()
    user = request.GET.get("user", "").strip()
    action = request.GET.get("action", "").strip()
    before, after = _seq(request.GET.get("before")), _seq(request.GET.get("after"))
    page = audit_page(
        audit_events(patient_mrn=patient, username=user, action=action), before=before, after=after
    )
    # Looking at the trail is itself recorded: it shows who read whose records.
    audit_record(
        action=AuditAction.READ,
        object_type="audit.auditevent",
        detail={
            "patient": patient,
            "user": user,
            "action": action,
            "before": before,
            "after": after,
        },
    )
    return render(
        request,
        "audit/events.html",
        {
            "page": page,
            "patient": patient,
            "user_filter": user,
            "action": action,
            "actions": AuditAction.choices,
            "estimated_total": None if (patient or user or action) else audit_estimated_total(),
        },
    )
