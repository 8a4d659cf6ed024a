"""Navigation, the shelter home panel, the patient-page link and the report's shelter columns."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
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
from oncocenter.shelter import selectors


def _shelter_panel(request: HttpRequest) -> dict[str, Any] | None:
    occupancy = selectors.room_occupancy(timezone.localdate())
    top = selectors.waitlist_ranked()[:5]
    audit_panel_read("shelter", [r["entry"].patient.mrn for r in top])
    return {
        "free": sum(1 for r in occupancy if r["stay"] is None),
        "rooms": len(occupancy),
        "top": top,
        "url": reverse("shelter:index"),
    }


def register() -> None:
    registry.add_nav(
        NavItem(
            "support-shelter",
            _("Family shelter"),
            "shelter:index",
            "shelter.view",
            section="pediatric",
            order=50,
        )
    )
    registry.add_panel(
        HomePanel(
            key="support-shelter",
            title=_("Family shelter"),
            template="shelter/_partials/panel_shelter.html",
            roles=frozenset({"social_worker", "administrator"}),
            context=_shelter_panel,
            permission="shelter.view",
        )
    )
    SERVICE_LINKS.register(
        ServiceLink(
            label=_("Family shelter"),
            permission="shelter.view",
            url=lambda patient: reverse("shelter:index"),
            order=30,
        )
    )
    SERVICE_USE.register(
        ServiceUseMeasure(
            key="shelter_families",
            label=_("Families housed"),
            values=selectors.families_housed_per_year,
            order=50,
            chart=Chart(
                title=_("Family shelter: families housed"),
                series=_("Family shelter"),
                unit=_("families"),
            ),
        )
    )
    SERVICE_USE.register(
        ServiceUseMeasure(
            key="shelter_nights",
            label=_("Shelter nights"),
            values=selectors.nights_per_year,
            order=60,
        )
    )
