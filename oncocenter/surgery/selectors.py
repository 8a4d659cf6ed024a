"""Reads of surgery and response. Each runs a fixed number of queries whatever the data size;
callers audit the read of patient data."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from oncocenter.oncology.models import TreatmentEpisode
from oncocenter.patients.models import Patient
from oncocenter.surgery import quality, svg
from oncocenter.surgery.models import (
    ESOPHAGECTOMIES,
    Complication,
    ComplicationKind,
    Neoadjuvant,
    Operation,
    ResponseAssessment,
)


def quality_rows() -> list[quality.OperationFacts]:
    """One fact row per esophagectomy (two queries)."""
    today = timezone.localdate()
    ops = (
        Operation.objects.filter(procedure__in=ESOPHAGECTOMIES)
        .select_related("pathology__staging")
        .prefetch_related(
            Prefetch(
                "complications",
                queryset=Complication.objects.only("operation_id", "kind", "clavien_dindo"),
            )
        )
        .order_by("operated_on")
    )
    rows = []
    for op in ops:
        comps = list(op.complications.all())
        if op.died_on is not None:
            died: bool | None = op.died_within(90)
        elif (today - op.operated_on).days >= 90:
            died = False
        else:
            died = None
        report = getattr(op, "pathology", None)
        rows.append(
            quality.OperationFacts(
                year=op.operated_on.year,
                residual=op.residual_tumor,
                leak=any(c.kind == ComplicationKind.ANASTOMOTIC_LEAK for c in comps),
                severe=any(c.clavien_dindo in quality.SEVERE for c in comps),
                died_90d=died,
                los_days=op.length_of_stay,
                cross=op.neoadjuvant == Neoadjuvant.CROSS,
                pcr=report.complete_response if report is not None else None,
            )
        )
    return rows


def quality_figures() -> list[quality.YearFigures]:
    return quality.by_year(quality_rows())


def figure_labels() -> dict[str, tuple[str, str]]:
    return {
        "esophagectomies": (_("Esophagectomies"), ""),
        "r0_rate": (_("R0 resection rate"), "%"),
        "leak_rate": (_("Anastomotic leak rate"), "%"),
        "cd3_rate": (_("Clavien-Dindo ≥ III rate"), "%"),
        "mortality_90d": (_("90-day mortality"), "%"),
        "median_los": (_("Median length of stay (days)"), ""),
        "pcr_rate_cross": (_("pCR rate after CROSS (ypT0N0)"), "%"),
    }


def quality_charts(figures: list[quality.YearFigures]) -> list[str]:
    labels = [str(f.year) for f in figures]
    return [
        svg.bar_chart(
            title=title, labels=labels, values=[getattr(f, key) for f in figures], unit=unit
        )
        for key, (title, unit) in figure_labels().items()
    ]


def quality_csv(figures: list[quality.YearFigures]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["year", *quality.FIGURES, "cross_with_pathology"])
    for f in figures:
        writer.writerow(
            [
                f.year,
                *("" if getattr(f, k) is None else getattr(f, k) for k in quality.FIGURES),
                f.cross_with_pathology,
            ]
        )
    return out.getvalue()


def patient_operations(patient: Patient) -> list[Operation]:
    return list(
        Operation.objects.filter(patient=patient)
        .select_related("diagnosis", "pathology__staging")
        .prefetch_related("complications")
    )


def patient_assessments(patient: Patient) -> list[ResponseAssessment]:
    return list(
        ResponseAssessment.objects.filter(patient=patient)
        .select_related("diagnosis")
        .prefetch_related("lesions")
        .order_by("assessed_on", "id")
    )


def response_timeline_svg(patient: Patient, assessments: list[ResponseAssessment]) -> str:
    """Treatments (the shared treatment record) as bars, responses as points (two queries)."""
    today = timezone.localdate()
    spans = [
        svg.Span(
            e.started_on, e.ended_on or today, e.description or e.get_modality_display(), e.modality
        )
        for e in TreatmentEpisode.objects.filter(patient=patient).order_by("started_on")
    ]
    points = [
        svg.Point(
            a.assessed_on,
            a.sum_mm if a.criteria == "recist11" else None,
            a.overall_response,
            f"{a.get_criteria_display()} {a.overall_response or _('baseline')}"
            + (f" {a.sum_mm} mm" if a.sum_mm is not None else ""),
        )
        for a in assessments
    ]
    return svg.timeline(
        title=_("Treatments and tumor response"),
        spans=spans,
        points=points,
        empty=_("No treatment or response assessment recorded."),
    )


def latest_baselines(assessments: list[ResponseAssessment]) -> list[ResponseAssessment]:
    return [a for a in assessments if a.baseline_id is None]


def summary(a: ResponseAssessment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "criteria": a.criteria,
        "on": a.assessed_on,
        "response": a.overall_response,
    }
