"""Navigation, the patient-page link and the report's aid columns."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oncocenter.aid import selectors
from oncocenter.core.registry import NavItem, registry
from oncocenter.pediatrics.hooks import (
    SERVICE_LINKS,
    SERVICE_USE,
    Chart,
    ServiceLink,
    ServiceUseMeasure,
)


def register() -> None:
    registry.add_nav(
        NavItem(
            "support-aid",
            _("Aid associations"),
            "aid:index",
            "aid.view",
            section="pediatric",
            order=40,
        )
    )
    SERVICE_LINKS.register(
        ServiceLink(
            label=_("Aid received by the family"),
            permission="aid.view",
            url=lambda patient: reverse("aid:family", args=[patient.mrn]),
            order=20,
        )
    )
    SERVICE_USE.register(
        ServiceUseMeasure(
            key="aid_families",
            label=_("Families granted aid"),
            values=selectors.families_granted_per_year,
            order=30,
            chart=Chart(
                title=_("Aid: families granted support"),
                series=_("Aid granted"),
                unit=_("families"),
            ),
        )
    )
    SERVICE_USE.register(
        ServiceUseMeasure(
            key="aid_amount",
            label=_("Aid granted"),
            values=selectors.amount_granted_per_year,
            order=40,
            money=True,
        )
    )
