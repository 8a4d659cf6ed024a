"""Home panel of the audit app: today's events and failed sign-ins (administrators)."""

from __future__ import annotations

from typing import Any

from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oncocenter.audit.models import AuditChainHead, AuditEvent
from oncocenter.core.registry import HomePanel, registry
from oncocenter.core.roles import Role


def audit_summary(request: HttpRequest) -> dict[str, Any] | None:
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    # The shards' heads hold their counts: no count over the whole trail.
    total = AuditChainHead.objects.aggregate(total=Sum("seq"))["total"]
    return {
        "total": total or 0,
        "today": AuditEvent.objects.filter(at__gte=start).count(),
        "failed_today": AuditEvent.objects.filter(at__gte=start, action="login_failed").count(),
    }


def register() -> None:
    registry.add_panel(
        HomePanel(
            "audit-summary",
            _("Audit trail today"),
            "audit/_panels/audit_summary.html",
            frozenset({str(Role.ADMINISTRATOR)}),
            audit_summary,
            order=10,
        )
    )
