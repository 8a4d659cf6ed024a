"""Navigation, the teacher's home panel, the patient-page link and the report's school columns."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oncocenter.core.registry import HomePanel, NavItem, registry
from oncocenter.pediatrics.hooks import (
    SERVICE_LINKS,
    SERVICE_USE,
    Chart,
    ServiceLink,
    ServiceUseMeasure,
)
from oncocenter.pediatrics.lookups import audit_panel_read
from oncocenter.school import selectors


def _teacher_panel(request: HttpRequest) -> dict[str, Any] | None:
    rows = selectors.pupils_of(request.user.pk)
    audit_panel_read("school", [e.patient.mrn for e in rows])
    return {"rows": rows, "url": reverse("school:index")}


def register() -> None:
    registry.add_nav(
        NavItem(
            "support-school",
            _("Hospital school"),
            "school:index",
            "school.view",
            section="pediatric",
            order=30,
        )
    )
    registry.add_panel(
        HomePanel(
            key="support-teacher",
            title=_("My hospital-school pupils"),
            template="school/_partials/panel_teacher.html",
            roles=frozenset({"hospital_school_teacher"}),
            context=_teacher_panel,
            permission="school.view",
        )
    )
    SERVICE_LINKS.register(
        ServiceLink(
            label=_("Hospital school"),
            permission="school.view",
            url=lambda patient: reverse("school:index"),
            order=10,
        )
    )
    SERVICE_USE.register(
        ServiceUseMeasure(
            key="school_children",
            label=_("Children in school"),
            values=selectors.children_enrolled_per_year,
            order=10,
            chart=Chart(
                title=_("Hospital school: children enrolled"),
                series=_("Hospital school"),
                unit=_("children"),
            ),
        )
    )
    SERVICE_USE.register(
        ServiceUseMeasure(
            key="school_days_present",
            label=_("School days present"),
            values=selectors.days_present_per_year,
            order=20,
        )
    )
