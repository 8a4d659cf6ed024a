from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from oncocenter.core.permissions import has_perm
from oncocenter.nutrition import selectors
from oncocenter.nutrition.forms import MilestoneForm, RecordForm, ScreeningForm
from oncocenter.nutrition.models import Questionnaire


def alerts_panel(request: HttpRequest) -> dict[str, Any] | None:
    return {"rows": list(selectors.dietitian_worklist(limit=10))}


def qol_panel(request: HttpRequest) -> dict[str, Any] | None:
    rows = list(selectors.qol_worklist(limit=10))
    return {"rows": rows} if rows else None


def patient_section(request: HttpRequest, patient: Any) -> dict[str, Any] | None:
    forms = getattr(request, "_nutrition_forms", {})
    records = selectors.patient_records(patient=patient)
    today = timezone.localdate()
    lang_ko = (get_language() or "en").startswith("ko")
    questionnaires = [
        {
            "q": q,
            "items": [
                {"code": it["code"], "text": it["text"]["ko" if lang_ko else "en"]}
                for it in q.definition["items"]
            ],
            "labels": list(
                enumerate(
                    q.definition["scale"]["labels"]["ko" if lang_ko else "en"],
                    start=q.definition["scale"]["min"],
                )
            ),
        }
        for q in Questionnaire.objects.filter(active=True)
    ]
    return {
        "patient": patient,
        "summary": selectors.latest_summary(patient=patient, records=records),
        "records": records[-8:],
        "chart": mark_safe(selectors.patient_chart_svg(patient=patient, records=records)),
        "qol_chart": mark_safe(selectors.qol_chart_svg(patient=patient)),
        "can_record": has_perm(request.user, "nutrition.record"),
        "can_qol": has_perm(request.user, "qol.record"),
        "record_form": forms.get("record_form") or RecordForm(initial={"measured_on": today}),
        "screening_form": forms.get("screening_form")
        or ScreeningForm(initial={"screened_on": today}),
        "milestone_form": forms.get("milestone_form")
        or MilestoneForm(initial={"occurred_on": today}),
        "qol_form": forms.get("qol_form"),
        "questionnaires": questionnaires,
        "today": today,
    }
