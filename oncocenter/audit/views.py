from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from oncocenter.audit.models import AuditAction
from oncocenter.audit.selectors import audit_events
from oncocenter.audit.services import audit_record
from oncocenter.core.views import permission_required


@permission_required("audit.view")
def events(request: HttpRequest) -> HttpResponse:
    patient = request.GET.get("patient", "").strip()
    user = request.GET.get("user", "").strip()
    action = request.GET.get("action", "").strip()
    page = Paginator(audit_events(patient_mrn=patient, username=user, action=action), 50).get_page(
        request.GET.get("page")
    )
    # Looking at the trail is itself recorded: it shows who read whose records.
    audit_record(
        action=AuditAction.READ,
        object_type="audit.auditevent",
        detail={"patient": patient, "user": user, "action": action, "page": page.number},
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
        },
    )
