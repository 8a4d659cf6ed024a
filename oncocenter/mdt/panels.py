"""Tumor boards in the shell: navigation and the home panel "boards in the next 14 days"."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oncocenter.core.registry import HomePanel, NavItem, registry
from oncocenter.core.roles import PHYSICIANS, Role
from oncocenter.mdt.models import Meeting, MeetingStatus


def board_panel(request: HttpRequest) -> dict[str, Any] | None:
    today = timezone.localdate()
    rows = list(
        Meeting.objects.filter(
            held_on__gte=today,
            held_on__lte=today + dt.timedelta(days=14),
            status=MeetingStatus.PLANNED,
        )
        .select_related("board_type")
        .annotate(n_cases=Count("cases"))
        .order_by("held_on")[:6]
    )
    return {"rows": rows}


def register() -> None:
    registry.add_nav(NavItem("mdt", _("Tumor boards"), "mdt:meetings", "mdt.view", order=60))
    registry.add_panel(
        HomePanel(
            "boards",
            _("Tumor boards in the next 14 days"),
            "mdt/_partials/panel_boards.html",
            frozenset(PHYSICIANS | {Role.NURSE, Role.RESEARCH_COORDINATOR}),
            board_panel,
            order=30,
            permission="mdt.view",
        )
    )
