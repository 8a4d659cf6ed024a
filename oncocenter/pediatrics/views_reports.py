"""Aggregate pediatric reports (counts only): new cases by ICCC-3 group and the use of the
support services, as server-side SVG charts, tables and CSV downloads (audited as exports)."""

from __future__ import annotations

import csv
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from oncocenter.audit.services import audit_record
from oncocenter.core.errors import NotFound
from oncocenter.core.views import permission_required
from oncocenter.pediatrics import charts, selectors


def _years(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("years", 5)), 30))
    except ValueError:
        return 5


def _use_charts(use: dict[str, Any], categories: list[str]) -> list[str]:
    return [
        charts.stacked_bar_svg(
            title=str(m.chart.title),
            categories=categories,
            series={str(m.chart.series): use[m.key]},
            y_label=str(m.chart.unit),
            width=480,
            height=260,
        )
        for m in selectors.service_use_measures()
        if m.chart is not None
    ]


@require_GET
@permission_required("pediatric.reports")
def reports(request: HttpRequest) -> HttpResponse:
    years = _years(request)
    iccc = selectors.report_cases_by_iccc(years=years)
    use = selectors.report_service_use(years=years)
    measures = selectors.service_use_measures()
    categories = [str(y) for y in iccc["years"]]
    iccc_svg = charts.stacked_bar_svg(
        title=_("New pediatric cases per year by ICCC-3 group"),
        categories=categories,
        series={g: v for g, v in iccc["groups"].items() if any(v)},
        y_label=_("cases"),
    )
    rows = [
        {"year": y, "cells": [(use[m.key][i], m.money) for m in measures]}
        for i, y in enumerate(use["years"])
    ]
    audit_record(action="read", object_type="support.reports", detail={"years": years})
    return render(
        request,
        "pediatrics/reports.html",
        {
            "years": years,
            "iccc": iccc,
            "iccc_rows": [
                (g, selectors.iccc_group_name(g), v, sum(v)) for g, v in iccc["groups"].items()
            ],
            "use_headings": [m.label for m in measures],
            "use_rows": rows,
            "iccc_svg": iccc_svg,
            "use_svgs": _use_charts(use, categories),
        },
    )


@require_GET
@permission_required("pediatric.reports")
def reports_csv(request: HttpRequest, kind: str) -> HttpResponse:
    years = _years(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}.csv"'
    response.write("\ufeff")  # BOM so that spreadsheet programs read Hangul correctly
    writer = csv.writer(response)
    if kind == "cases-by-iccc":
        data = selectors.report_cases_by_iccc(years=years)
        writer.writerow(["iccc_group", "label", *data["years"], "total"])
        for g, values in data["groups"].items():
            writer.writerow([g, selectors.iccc_group_name(g), *values, sum(values)])
    elif kind == "service-use":
        data = selectors.report_service_use(years=years)
        keys = [m.key for m in selectors.service_use_measures()]
        writer.writerow(["year", *keys])
        for i, y in enumerate(data["years"]):
            writer.writerow([y, *[data[k][i] for k in keys]])
    else:
        raise NotFound(_("Unknown report."))
    audit_record(
        action="export", object_type="support.reports", detail={"report": kind, "years": years}
    )
    return response
