"""Referrals on the patient's chart timeline (one query, whatever the number of referrals)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from oncocenter.core.registry import ChartEvent, ChartSource, registry
from oncocenter.oncology.chart import local_day
from oncocenter.patients.models import Patient
from oncocenter.referrals.models import Referral


def referral_events(patient: Patient) -> Iterable[ChartEvent]:
    for r in Referral.objects.filter(patient=patient):
        yield ChartEvent(
            local_day(r.requested_at),
            "referral",
            str(r),
            r.reason,
            r.status,
            r.get_status_display(),
        )


def register() -> None:
    registry.add_chart_source(
        ChartSource("referrals", {"referral": _("Referral")}, referral_events, order=20)
    )
