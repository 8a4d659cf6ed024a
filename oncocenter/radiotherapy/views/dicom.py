"""The DVH page of a plan: its stored RT Structure Set and RT Dose, the cumulative DVH of every
structure as a server-rendered SVG, and the table of dose figures with the prescription's organ
constraints evaluated on the DVH (violations flagged)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import NotFound
from oncocenter.core.permissions import has_perm
from oncocenter.core.views import permission_required
from oncocenter.radiotherapy import forms as f
from oncocenter.radiotherapy import selectors
from oncocenter.radiotherapy.dvh_chart import Curve, colour, dvh_svg
from oncocenter.radiotherapy.models import Plan
from oncocenter.radiotherapy.views._common import _course


@require_GET
@permission_required("rt.view")
def plan_dvh(request: HttpRequest, pk: int, plan_pk: int) -> HttpResponse:
    course = _course(pk)
    plan = (
        Plan.objects.select_related("machine", "prescription__constraint_set")
        .filter(pk=plan_pk, prescription__course=course)
        .first()
    )
    if plan is None:
        raise NotFound(_("No plan %(id)s in this course.") % {"id": plan_pk})
    report = selectors.plan_dvh_report(plan=plan)
    audit_record(
        action=AuditAction.READ,
        obj=plan,
        patient=course.patient,
        detail={"view": "dvh", "dose": report["dose"].pk if report["dose"] else None},
    )
    curves = [Curve(r["name"], r["dvh"]["bins_gy"], r["dvh"]["volume_pct"]) for r in report["rows"]]
    for i, row in enumerate(report["rows"]):
        row["colour"] = colour(i)
    svg = dvh_svg(
        curves,
        title=_("Cumulative DVH, plan %(plan)s") % {"plan": plan.label},
        x_label=_("Dose (Gy)"),
        y_label=_("Volume (%)"),
        empty_text=_("No DVH yet: import the plan's RT Structure Set and RT Dose."),
    )
    can_import = has_perm(request.user, "rt.plan.write")
    return render(
        request,
        "radiotherapy/dvh.html",
        {
            "course": course,
            "patient": course.patient,
            "plan": plan,
            "svg": svg,
            "metrics": [label for label, _metric in selectors.DVH_TABLE_METRICS],
            "form": f.PlanDicomForm(course=course, key=plan.pk) if can_import else None,
            **report,
        },
    )
