"""Trial screening and enrollment on the patient's chart timeline (one query per table)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from oncocenter.core.registry import ChartEvent, ChartSource, registry
from oncocenter.patients.models import Patient
from oncocenter.trials.models import Enrollment, ScreeningEntry


def trial_events(patient: Patient) -> Iterable[ChartEvent]:
    for se in ScreeningEntry.objects.filter(patient=patient).select_related("study"):
        yield ChartEvent(
            se.screened_on,
            "trial",
            se.study.code,
            se.overall,
            se.outcome,
            se.get_outcome_display(),
        )
    for en in Enrollment.objects.filter(patient=patient).select_related("study"):
        yield ChartEvent(
            en.enrolled_on, "trial", en.study.code, en.arm, en.status, en.get_status_display()
        )


def register() -> None:
    registry.add_chart_source(ChartSource("trials", {"trial": _("Trial")}, trial_events, order=40))
