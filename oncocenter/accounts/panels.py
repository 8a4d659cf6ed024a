"""Home panel of the accounts app: staff credentials about to lapse (administrators)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oncocenter.accounts.models import Credential
from oncocenter.core.registry import HomePanel, registry
from oncocenter.core.roles import Role


def expiring_credentials(request: HttpRequest) -> dict[str, Any] | None:
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


def register() -> None:
    registry.add_panel(
        HomePanel(
            "expiring-credentials",
            _("Credentials expiring within 60 days"),
            "accounts/_panels/expiring_credentials.html",
            frozenset({str(Role.ADMINISTRATOR)}),
            expiring_credentials,
            order=20,
        )
    )
