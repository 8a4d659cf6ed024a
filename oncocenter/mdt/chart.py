"""Tumor-board cases on the patient's chart timeline (one query, whatever their number)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from oncocenter.core.registry import ChartEvent, ChartSource, registry
from oncocenter.mdt.models import BoardCase
from oncocenter.patients.models import Patient


def board_events(patient: Patient) -> Iterable[ChartEvent]:
    for bc in BoardCase.objects.filter(patient=patient).select_related("meeting__board_type"):
        yield ChartEvent(bc.meeting.held_on, "board", str(bc.meeting.board_type), bc.question)


def register() -> None:
    registry.add_chart_source(
        ChartSource("mdt", {"board": _("Tumor board")}, board_events, order=30)
    )
