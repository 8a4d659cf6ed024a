"""Pages of surgery and treatment response. Each POST parses one form, calls one service through
``run_service`` and redirects; a refusal re-renders the page with the message beside the field
(422 bad input, 409 a state that forbids it; nothing saved). Every read is audited."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from oncocenter.accounts.selectors import current_user
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import NotFound
from oncocenter.core.forms import run_service, set_choices, today
from oncocenter.core.formviews import FormPage, Posted
from oncocenter.core.permissions import has_perm
from oncocenter.core.views import permission_required
from oncocenter.mdt.models import Recommendation
from oncocenter.oncology.models import Diagnosis, TreatmentEpisode
from oncocenter.patients.models import Patient
from oncocenter.patients.selectors import patient_get
from oncocenter.surgery import forms, selectors, services
from oncocenter.surgery.models import Criteria, Operation, ResponseAssessment


def _operation(pk: int) -> Operation:
    op = (
        Operation.objects.select_related(
            "patient",
            "diagnosis",
            "surgeon",
            "pathology__staging",
            "recommendation__case__meeting",
            "neoadjuvant_episode",
        )
        .prefetch_related("complications")
        .filter(pk=pk)
        .first()
    )
    if op is None:
        raise NotFound(_("No operation with id %(id)s.") % {"id": pk})
    return op


def _pick(model: Any, value: str, **filters: Any) -> Any:
    return model._default_manager.filter(pk=int(value), **filters).first() if value else None


@require_GET
@permission_required("surgery.view")
def index(request: HttpRequest) -> HttpResponse:
    ops = list(
        Operation.objects.select_related("patient", "surgeon", "pathology__staging").order_by(
            "-operated_on", "-id"
        )[:100]
    )
    audit_record(
        action=AuditAction.READ,
        object_type="surgery.operation",
        detail={"count": len(ops), "mrns": sorted({o.patient.mrn for o in ops})},
    )
    return render(
        request,
        "surgery/index.html",
        {
            "ops": ops,
            "can_record": has_perm(request.user, "surgery.record"),
            "can_quality": has_perm(request.user, "surgery.quality"),
        },
    )


def _operation_choices(form: forms.OperationForm, patient: Patient | None) -> None:
    dx: list[tuple[str, str]] = []
    rec: list[tuple[str, str]] = []
    neo: list[tuple[str, str]] = []
    if patient is not None:
        dx = [
            (str(d.pk), f"{d.icd10_code} {d.diagnosed_on:%Y-%m-%d}")
            for d in Diagnosis.objects.filter(patient=patient)
        ]
        rec = [
            (str(r.pk), f"{r.case.meeting.held_on:%Y-%m-%d} {', '.join(r.modalities)}")
            for r in Recommendation.objects.filter(case__patient=patient).select_related(
                "case__meeting"
            )
        ]
        neo = [
            (
                str(e.pk),
                f"{e.get_modality_display()} {e.started_on:%Y-%m-%d}-{e.ended_on or ''} {e.description}"[
                    :80
                ],
            )
            for e in TreatmentEpisode.objects.filter(patient=patient).exclude(modality="surgery")
        ]
    set_choices(form, "diagnosis", forms.BLANK + dx)
    set_choices(form, "recommendation", forms.BLANK + rec)
    set_choices(form, "neoadjuvant_episode", forms.BLANK + neo)


@require_http_methods(["GET", "POST"])
@permission_required("surgery.record")
def operation_new(request: HttpRequest, mrn: str) -> HttpResponse:
    patient = patient_get(mrn=mrn)
    form = forms.OperationForm(request.POST or None, initial={"operated_on": today()})
    _operation_choices(form, patient)
    status = 200
    if request.method == "POST":
        outcome = run_service(
            request,
            form,
            lambda: services.operation_record(
                by=current_user(request),
                patient=patient,
                diagnosis=_pick(Diagnosis, form.cleaned_data["diagnosis"], patient=patient),
                recommendation=_pick(
                    Recommendation, form.cleaned_data["recommendation"], case__patient=patient
                ),
                neoadjuvant_episode=_pick(
                    TreatmentEpisode, form.cleaned_data["neoadjuvant_episode"], patient=patient
                ),
                **form.service_kwargs(),
            ),
            success=_("Operation recorded."),
        )
        if outcome.ok and outcome.value is not None:
            return redirect("surgery:operation", pk=outcome.value.pk)
        status = outcome.status
    return render(
        request, "surgery/operation_new.html", {"form": form, "patient": patient}, status=status
    )


def _operation_page(
    request: HttpRequest, op: Operation, status: int = 200, **bound: Any
) -> HttpResponse:
    report = getattr(op, "pathology", None)
    return render(
        request,
        "surgery/operation.html",
        {
            "op": op,
            "patient": op.patient,
            "report": report,
            "complications": list(op.complications.all()),
            "can_record": has_perm(request.user, "surgery.record"),
            "can_pathology": has_perm(request.user, "surgery.pathology") and report is None,
            "postop_form": bound.get("postop_form")
            or forms.PostopForm(
                initial={
                    "discharged_on": op.discharged_on,
                    "icu_days": op.icu_days,
                    "readmitted_30d": op.readmitted_30d,
                    "oral_intake_on": op.oral_intake_on,
                    "died_on": op.died_on,
                }
            ),
            "complication_form": bound.get("complication_form") or forms.ComplicationForm(),
            "pathology_form": bound.get("pathology_form")
            or forms.PathologyForm(initial={"reported_on": today(), "m_category": "M0"}),
        },
        status=status,
    )


@require_GET
@permission_required("surgery.view")
def operation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    op = _operation(pk)
    audit_record(action=AuditAction.READ, obj=op, patient=op.patient)
    return _operation_page(request, op)


# The POSTs of the operation page.
_operation_page_posts = FormPage(render=_operation_page, load=_operation, done="surgery:operation")


@_operation_page_posts.post(
    "surgery.record", forms.PostopForm, "postop_form", gettext_lazy("Postoperative course saved.")
)
def operation_postop(p: Posted[forms.PostopForm]) -> Any:
    return services.operation_postop_update(by=p.by, operation=p.obj, **p.data)


@_operation_page_posts.post(
    "surgery.record",
    forms.ComplicationForm,
    "complication_form",
    gettext_lazy("Complication recorded."),
)
def complication_new(p: Posted[forms.ComplicationForm]) -> Any:
    return services.complication_record(by=p.by, operation=p.obj, **p.data)


@_operation_page_posts.post(
    "surgery.pathology",
    forms.PathologyForm,
    "pathology_form",
    gettext_lazy("Pathology report saved; the staging history is updated."),
)
def pathology_new(p: Posted[forms.PathologyForm]) -> Any:
    return services.pathology_record(by=p.by, operation=p.obj, **p.data)


def _response_forms(
    patient: Patient, assessments: list[ResponseAssessment], **bound: Any
) -> dict[str, Any]:
    dx = [
        (str(d.pk), f"{d.icd10_code} {d.diagnosed_on:%Y-%m-%d}")
        for d in Diagnosis.objects.filter(patient=patient)
    ]
    out: dict[str, Any] = {}
    for key, cls, criteria in (
        ("recist_form", forms.RecistForm, Criteria.RECIST),
        ("inrc_form", forms.InrcForm, Criteria.INRC),
    ):
        form = bound.get(key) or cls(
            initial={"assessed_on": today(), "diagnosis": dx[0][0] if dx else ""}
        )
        set_choices(form, "diagnosis", forms.BLANK + dx)
        set_choices(
            form,
            "baseline",
            forms.BLANK
            + [
                (str(a.pk), f"{a.assessed_on:%Y-%m-%d}")
                for a in assessments
                if a.baseline_id is None and a.criteria == criteria
            ],
        )
        out[key] = form
    return out


def _response_page(
    request: HttpRequest, patient: Patient, status: int = 200, **bound: Any
) -> HttpResponse:
    assessments = selectors.patient_assessments(patient)
    context = {
        "patient": patient,
        "assessments": assessments,
        "timeline": selectors.response_timeline_svg(patient, assessments),
        "can_record": has_perm(request.user, "response.record"),
    }
    if context["can_record"]:
        context.update(_response_forms(patient, assessments, **bound))
    return render(request, "surgery/response.html", context, status=status)


@require_GET
@permission_required("surgery.view")
def response(request: HttpRequest, mrn: str) -> HttpResponse:
    patient = patient_get(mrn=mrn, audit=False)
    audit_record(
        action=AuditAction.READ, patient=patient, object_type="surgery.response", object_id=mrn
    )
    return _response_page(request, patient)


@require_POST
@permission_required("response.record")
def response_new(request: HttpRequest, mrn: str, criteria: str) -> HttpResponse:
    patient = patient_get(mrn=mrn, audit=False)
    assessments = selectors.patient_assessments(patient)
    if criteria == Criteria.RECIST:
        form: forms.RecistForm | forms.InrcForm = forms.RecistForm(request.POST)
        key = "recist_form"
    elif criteria == Criteria.INRC:
        form = forms.InrcForm(request.POST)
        key = "inrc_form"
    else:
        raise NotFound(_("Unknown response criteria."))
    choices = _response_forms(patient, assessments)
    set_choices(form, "diagnosis", list(choices[key].fields["diagnosis"].choices))
    set_choices(form, "baseline", list(choices[key].fields["baseline"].choices))

    def call() -> ResponseAssessment:
        data = dict(form.cleaned_data)
        extra: dict[str, Any] = {}
        if isinstance(form, forms.RecistForm):
            extra["lesions"] = form.lesion_rows()
            data.pop("lesions")
        return services.response_record(
            by=current_user(request),
            patient=patient,
            criteria=criteria,
            diagnosis=_pick(Diagnosis, data.pop("diagnosis"), patient=patient),
            baseline=_pick(ResponseAssessment, data.pop("baseline"), patient=patient),
            **data,
            **extra,
        )

    outcome = run_service(
        request,
        form,
        call,
        success=lambda a: (
            _("Response assessment saved: %(r)s.") % {"r": a.overall_response or _("baseline")}
        ),
    )
    if outcome.ok:
        return redirect("surgery:response", mrn=mrn)
    return _response_page(request, patient, outcome.status, **{key: form})


@require_GET
@permission_required("surgery.quality")
def quality(request: HttpRequest) -> HttpResponse:
    figures = selectors.quality_figures()
    labels = selectors.figure_labels()
    return render(
        request,
        "surgery/quality.html",
        {
            "figures": figures,
            "charts": selectors.quality_charts(figures),
            "columns": [labels[k][0] for k in labels],
        },
    )


@require_GET
@permission_required("surgery.quality")
def quality_csv(request: HttpRequest) -> HttpResponse:
    figures = selectors.quality_figures()
    audit_record(
        action=AuditAction.EXPORT,
        object_type="surgery.quality",
        detail={"years": [f.year for f in figures]},
    )
    response = HttpResponse(selectors.quality_csv(figures), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="surgery-quality.csv"'
    return response
