from __future__ import annotations

from django.db.models import QuerySet

from oncocenter.audit.models import AuditEvent


def audit_events(
    *, patient_mrn: str = "", username: str = "", action: str = ""
) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.all().order_by("-seq")
    if patient_mrn:
        qs = qs.filter(patient_mrn=patient_mrn)
    if username:
        qs = qs.filter(actor_username=username)
    if action:
        qs = qs.filter(action=action)
    return qs
