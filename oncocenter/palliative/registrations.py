"""Navigation, the palliative-care home panel and the patient-page referral link."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oncocenter.core.registry import HomePanel, NavItem, registry
from oncocenter.palliative.models import PalliativeReferral, PalliativeStatus
from oncocenter.pediatrics.hooks import SERVICE_LINKS, ServiceLink
from oncocenter.pediatrics.lookups import audit_panel_read


def _palliative_panel(request: HttpRequest) -> dict[str, Any] | None:
    rows = list(
        PalliativeReferral.objects.filter(
            status__in=[PalliativeStatus.REQUESTED, PalliativeStatus.ACTIVE]
        ).select_related("patient")[:15]
    )
    audit_panel_read("palliative", [r.patient.mrn for r in rows])
    return {"rows": rows, "url": reverse("palliative:index")}


def register() -> None:
    registry.add_nav(
        NavItem(
            "support-palliative",
            _("Palliative care"),
            "palliative:index",
            "palliative.view",
            section="pediatric",
            order=60,
        )
    )
    registry.add_panel(
        HomePanel(
            key="support-palliative",
            title=_("Palliative care referrals"),
            template="palliative/_partials/panel_palliative.html",
            roles=frozenset({"palliative_care", "pediatric_oncologist"}),
            context=_palliative_panel,
            permission="palliative.view",
        )
    )
    SERVICE_LINKS.register(
        ServiceLink(
            label=_("Refer to palliative care"),
            permission="palliative.refer",
            url=lambda patient: reverse("palliative:refer") + f"?mrn={patient.mrn}",
            order=40,
        )
    )
