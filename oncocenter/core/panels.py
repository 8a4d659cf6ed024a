"""Home panels every role gets from the foundation; clinical areas add their own worklists."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oncocenter.core.registry import HomePanel, registry
from oncocenter.core.roles import ALL_STAFF, Role


def recent_patients(request: HttpRequest) -> dict[str, Any] | None:
    """The patients this user opened most recently (from the audit trail: nothing extra stored)."""
    from oncocenter.audit.models import AuditEvent
    from oncocenter.patients.models import Patient

    ids: list[int] = []
    for pid in (
        AuditEvent.objects.filter(actor_id=request.user.pk, action="read", patient_id__isnull=False)
        .order_by("-seq")
        .values_list("patient_id", flat=True)[:200]
    ):
        if pid is not None and pid not in ids:
            ids.append(pid)
        if len(ids) == 8:
            break
    patients = Patient.objects.in_bulk(ids)
    return {"patients": [patients[i] for i in ids if i in patients]}


def expiring_credentials(request: HttpRequest) -> dict[str, Any] | None:
    from oncocenter.accounts.models import Credential

    today = timezone.localdate()
    rows = (
        Credential.objects.filter(
            expires_on__gte=today - dt.timedelta(days=30),
            expires_on__lte=today + dt.timedelta(days=60),
        )
        .select_related("user")
        .order_by("expires_on")[:50]
    )
    return {"credentials": rows, "today": today}


def audit_summary(request: HttpRequest) -> dict[str, Any] | None:
    from oncocenter.audit.models import AuditChainHead, AuditEvent

    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    head = AuditChainHead.objects.filter(id=1).first()
    return {
        "total": head.seq if head else 0,
        "today": AuditEvent.objects.filter(at__gte=start).count(),
        "failed_today": AuditEvent.objects.filter(at__gte=start, action="login_failed").count(),
    }


def register() -> None:
    registry.add_panel(
        HomePanel(
            "recent-patients",
            _("Recently opened patients"),
            "core/_panels/recent_patients.html",
            frozenset(str(r) for r in ALL_STAFF),
            recent_patients,
            order=900,
        )
    )
    registry.add_panel(
        HomePanel(
            "expiring-credentials",
            _("Credentials expiring within 60 days"),
            "core/_panels/expiring_credentials.html",
            frozenset({str(Role.ADMINISTRATOR)}),
            expiring_credentials,
            order=20,
        )
    )
    registry.add_panel(
        HomePanel(
            "audit-summary",
            _("Audit trail today"),
            "core/_panels/audit_summary.html",
            frozenset({str(Role.ADMINISTRATOR)}),
            audit_summary,
            order=10,
        )
    )
