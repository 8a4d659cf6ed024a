"""Reads for nutrition and QoL: worklists, patient series, charts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from oncocenter.followup.models import FollowUpPlan
from oncocenter.nutrition import calc
from oncocenter.nutrition.chart import Axis, Marker, Series, line_chart, weight_fois_chart
from oncocenter.nutrition.models import (
    AlertStatus,
    Milestone,
    NRSScreening,
    NutritionAlert,
    NutritionRecord,
    QoLAlert,
    QoLResponse,
)
from oncocenter.oncology.models import TreatmentEpisode
from oncocenter.patients.models import Patient


def dietitian_worklist(*, limit: int = 200) -> QuerySet[NutritionAlert]:
    """Open nutrition alerts, oldest first (with the patient in one query)."""
    return (
        NutritionAlert.objects.filter(status=AlertStatus.OPEN)
        .select_related("patient")
        .order_by("raised_on", "id")[:limit]
    )


def qol_worklist(*, limit: int = 200) -> QuerySet[QoLAlert]:
    """Open quality-of-life drops, oldest first."""
    return (
        QoLAlert.objects.filter(status=AlertStatus.OPEN)
        .select_related("patient", "response__questionnaire")
        .order_by("created_at", "id")[:limit]
    )


def patient_records(*, patient: Patient) -> list[NutritionRecord]:
    return list(NutritionRecord.objects.filter(patient=patient).order_by("measured_on", "id"))


def latest_summary(
    *, patient: Patient, records: list[NutritionRecord] | None = None
) -> dict[str, Any]:
    records = records if records is not None else patient_records(patient=patient)
    weights = [(r.measured_on, float(r.weight_kg)) for r in records if r.weight_kg is not None]
    heights = [r.height_cm for r in records if r.height_cm is not None]
    latest = records[-1] if records else None
    last_fois = next((r.fois_level for r in reversed(records) if r.fois_level is not None), None)
    last_route = next((r.feeding_route for r in reversed(records) if r.feeding_route), "")
    last_iddsi = next((r.iddsi_level for r in reversed(records) if r.iddsi_level is not None), None)
    height = float(heights[-1]) if heights else None
    return {
        "latest": latest,
        "weight": weights[-1][1] if weights else None,
        "height": height,
        "bmi": calc.bmi(weights[-1][1], height) if weights and height else None,
        "change_1m": calc.weight_change(weights, period_days=30),
        "change_6m": calc.weight_change(weights, period_days=182),
        "fois": last_fois,
        "iddsi": last_iddsi,
        "route": last_route,
        "route_label": dict(calc.FEEDING_ROUTES).get(last_route, last_route),
        "nrs": NRSScreening.objects.filter(patient=patient).order_by("-screened_on", "-id").first(),
        "milestones": list(Milestone.objects.filter(patient=patient)),
        "open_alerts": list(
            NutritionAlert.objects.filter(patient=patient, status=AlertStatus.OPEN)
        ),
    }


def treatment_markers(*, patient: Patient) -> list[Marker]:
    """Treatment start/end dates to mark on charts: oncology.TreatmentEpisode rows, else (for a
    patient treated elsewhere) the follow-up plans' end-of-treatment dates."""
    markers: list[Marker] = []
    for e in TreatmentEpisode.objects.filter(patient=patient).order_by("started_on"):
        label = e.get_modality_display()
        if e.started_on:
            markers.append(Marker(e.started_on, f"{label} ▶"))
        if e.ended_on and e.ended_on != e.started_on:
            markers.append(Marker(e.ended_on, f"{label} ■"))
    if not markers:
        for end in (
            FollowUpPlan.objects.filter(patient=patient)
            .values_list("treatment_end", flat=True)
            .distinct()
        ):
            markers.append(Marker(end, _("End of treatment")))
    return markers


def patient_chart_svg(*, patient: Patient, records: list[NutritionRecord] | None = None) -> str:
    records = records if records is not None else patient_records(patient=patient)
    return weight_fois_chart(
        weights=[(r.measured_on, float(r.weight_kg)) for r in records if r.weight_kg is not None],
        fois=[(r.measured_on, r.fois_level) for r in records if r.fois_level is not None],
        treatments=treatment_markers(patient=patient),
        title=_("Weight and FOIS over time"),
        weight_label=_("Weight (kg)"),
        fois_label=_("FOIS (1-7)"),
        empty_text=_("No measurements yet"),
    )


def qol_chart_svg(*, patient: Patient) -> str:
    responses = list(
        QoLResponse.objects.filter(patient=patient)
        .select_related("questionnaire")
        .order_by("answered_on", "id")
    )
    series: dict[str, list[tuple[dt.date, float]]] = {}
    labels: dict[str, str] = {}
    lang_ko = (get_language() or "en").startswith("ko")
    for r in responses:
        for sub in r.questionnaire.definition.get("subscales", []):
            labels[sub["code"]] = sub["name"]["ko" if lang_ko else "en"]
        for code, value in r.scores.items():
            if value is not None:
                series.setdefault(code, []).append((r.answered_on, float(value)))
    return line_chart(
        title=_("Quality of life (0-100, higher is better)"),
        series=[Series(labels.get(c, c), pts) for c, pts in series.items()] or [Series("-", [])],
        left=Axis(_("Score"), 0, 100, ticks=(0, 25, 50, 75, 100)),
        markers=treatment_markers(patient=patient),
        empty_text=_("No questionnaires yet"),
    )
