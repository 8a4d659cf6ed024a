"""Worklists per role as uniform rows (API, worklist page and home panels share them)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from oncocenter.radiotherapy import selectors


def _row(course, title: str, detail: str = "", anchor: str = "") -> dict[str, Any]:
    return {
        "mrn": course.patient.mrn,
        "patient": course.patient.name_ko,
        "course_id": course.pk,
        "course": course.label,
        "title": title,
        "detail": detail,
        "url": reverse("radiotherapy:course", args=[course.pk]) + (f"#{anchor}" if anchor else ""),
    }


def worklist_rows(name: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if name == "prescriptions-to-sign":
        for rx in selectors.worklist_prescriptions_to_sign():
            rows.append(
                _row(
                    rx.course,
                    _("Sign prescription"),
                    f"{rx.site}: {rx.total_dose_gy} Gy / {rx.number_of_fractions} fx {rx.technique}",
                    f"rx-{rx.pk}",
                )
            )
    elif name == "plans-to-approve":
        for plan in selectors.worklist_plans_to_approve():
            rows.append(
                _row(
                    plan.prescription.course,
                    _("Approve plan"),
                    f"{plan.label} ({plan.machine.code}, {plan.technique})",
                    f"plan-{plan.pk}",
                )
            )
    elif name == "physics-checks-due":
        labels = {
            "initial": _("Initial physics plan check"),
            "psqa": _("Patient-specific QA"),
            "weekly": _("Weekly chart check"),
            "end": _("End-of-treatment check"),
        }
        for item in selectors.worklist_physics_checks_due():
            plan = item["plan"]
            rows.append(
                _row(
                    item["course"],
                    labels[item["kind"]],
                    plan.label if plan else "",
                    f"plan-{plan.pk}" if plan else "checks",
                )
            )
    elif name == "weekly-reviews-due":
        for course in selectors.worklist_weekly_reviews_due():
            rows.append(
                _row(course, _("Weekly on-treatment review"), str(course.physician), "review")
            )
    elif name == "interruptions":
        for item in selectors.worklist_interruptions():
            r = item["report"]
            detail = _("%(days)d open day(s) lost") % {"days": r.days_lost}
            if r.compensation_needed:
                detail += " · " + _("gap compensation needed (%(site)s)") % {
                    "site": r.gap_sensitive_site
                }
            rows.append(
                _row(
                    item["course"],
                    _("Treatment interrupted"),
                    detail,
                    f"rx-{item['prescription'].pk}",
                )
            )
    elif name == "overrides":
        for ov in selectors.worklist_overrides()[:100]:
            rows.append(
                _row(
                    ov.plan.prescription.course,
                    _("Dose-limit override"),
                    f"{ov.organ} {ov.metric} {ov.value} > {ov.limit} {ov.unit} ({ov.signature.signer})",
                    f"plan-{ov.plan_id}",
                )
            )
    elif name == "image-reviews":
        for ir in selectors.worklist_image_reviews()[:100]:
            f = ir.delivery.fraction
            rows.append(
                _row(
                    f.prescription.course,
                    _("Review treatment images"),
                    _("fraction %(n)s, %(kind)s, shifts %(lat)s/%(long)s/%(vert)s mm")
                    % {
                        "n": f.delivered_number,
                        "kind": ir.get_kind_display(),
                        "lat": ir.shift_lat_mm,
                        "long": ir.shift_long_mm,
                        "vert": ir.shift_vert_mm,
                    },
                    f"img-{ir.delivery_id}",
                )
            )
    elif name == "treat-today":
        for f in selectors.worklist_treat_today():
            rows.append(
                _row(
                    f.prescription.course,
                    _("Session %(n)d") % {"n": f.sequence},
                    f"{f.machine.code if f.machine else ''} · {f.prescription.site}",
                    f"fraction-{f.pk}",
                )
            )
    return rows
