"""Clinical trials in the shell: navigation and the home panel "recruiting studies"."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from oncocenter.core.registry import HomePanel, NavItem, registry
from oncocenter.core.roles import Role
from oncocenter.trials.models import Study, StudyStatus


def trial_panel(request: HttpRequest) -> dict[str, Any] | None:
    rows = list(
        Study.objects.filter(status=StudyStatus.RECRUITING).annotate(
            n_enrolled=Count("enrollments", filter=Q(enrollments__status="enrolled"))
        )
    )
    return {"rows": rows}


def register() -> None:
    registry.add_nav(
        NavItem("trials", _("Clinical trials"), "trials:studies", "trial.view", order=65)
    )
    registry.add_panel(
        HomePanel(
            "trials",
            _("Recruiting studies"),
            "trials/_partials/panel_trials.html",
            frozenset({Role.RESEARCH_COORDINATOR, Role.PEDIATRIC_ONCOLOGIST}),
            trial_panel,
            order=35,
            permission="trial.view",
        )
    )
