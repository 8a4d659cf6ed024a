"""Pages of the aid associations. Each POST parses one form, calls one service through
``run_service`` and redirects; a refusal re-renders the page with the message beside the field
(status 422 for bad input, 409 for a state that forbids it; nothing saved)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from oncocenter.aid import calc, forms, selectors, services, vocab
from oncocenter.aid.models import AidApplication, AidOrganisation, AidStatus
from oncocenter.audit.services import audit_record
from oncocenter.core.formviews import FormPage, Posted, to, to_new
from oncocenter.core.permissions import has_perm
from oncocenter.core.views import permission_required
from oncocenter.patients.selectors import patient_get
from oncocenter.pediatrics.forms import patient_from_mrn
from oncocenter.pediatrics.labels import label
from oncocenter.pediatrics.lookups import row


def _aid_page(request: HttpRequest, status: int = 200, **bound: Any) -> HttpResponse:
    applications = list(
        AidApplication.objects.select_related("patient", "organisation").order_by("-id")[:200]
    )
    audit_record(
        action="read",
        object_type="support.aid",
        detail={
            "count": len(applications),
            "mrns": sorted({a.patient.mrn for a in applications}),
        },
    )
    return render(
        request,
        "aid/aid.html",
        {
            "organisations": AidOrganisation.objects.all(),
            "applications": applications,
            "can_edit": has_perm(request.user, "aid.edit"),
            "can_manage": has_perm(request.user, "aid.manage"),
            "org_form": bound.get("org_form") or forms.OrganisationForm(),
            "aid_form": bound.get("aid_form") or forms.AidForm(),
        },
        status=status,
    )


@require_GET
@permission_required("aid.view")
def aid(request: HttpRequest) -> HttpResponse:
    return _aid_page(request)


_index = FormPage(render=_aid_page)


@_index.post(
    "aid.manage",
    forms.OrganisationForm,
    "org_form",
    gettext_lazy("Organisation added."),
    done=to("aid:index"),
)
def aid_organisation_create(p: Posted[forms.OrganisationForm]) -> Any:
    return services.aid_organisation_create(by=p.by, **p.data)


@_index.post(
    "aid.edit",
    forms.AidForm,
    "aid_form",
    gettext_lazy("Application created."),
    done=to_new("aid:detail"),
)
def aid_create(p: Posted[forms.AidForm]) -> Any:
    return services.aid_application_create(
        patient=patient_from_mrn(p.data["mrn"]), by=p.by, **p.form.data_without_mrn()
    )


def _status(code: str) -> str:
    return str(dict(AidStatus.choices).get(code, code))


def _aid_detail_page(
    request: HttpRequest, a: AidApplication, status: int = 200, **bound: Any
) -> HttpResponse:
    labels = {d["code"]: label(d) for d in vocab.aid_documents()}
    return render(
        request,
        "aid/aid_detail.html",
        {
            "a": a,
            "patient": a.patient,
            "checklist": [
                {
                    "code": d["code"],
                    "label": label(d),
                    "required": d["required"],
                    "have": d["code"] in a.documents,
                }
                for d in vocab.aid_documents()
            ],
            "missing": [labels[code] for code in calc.missing_documents(a.documents)],
            "allowed": [_status(s) for s in sorted(calc.AID_TRANSITIONS.get(a.status, ()))],
            "history": [
                (h, _status(h.from_status), _status(h.to_status)) for h in a.status_changes.all()
            ],
            "can_edit": has_perm(request.user, "aid.edit"),
            "docs_form": bound.get("docs_form")
            or forms.AidDocumentsForm(initial={"documents": a.documents}),
            "transition_form": bound.get("transition_form") or forms.AidTransitionForm(),
        },
        status=status,
    )


@require_GET
@permission_required("aid.view")
def aid_detail(request: HttpRequest, pk: int) -> HttpResponse:
    a = row(AidApplication, pk)
    audit_record(action="read", obj=a, patient=a.patient)
    return _aid_detail_page(request, a)


_detail = FormPage(
    render=_aid_detail_page, load=lambda pk: row(AidApplication, pk), done="aid:detail"
)


@_detail.post("aid.edit", forms.AidDocumentsForm, "docs_form", gettext_lazy("Documents saved."))
def aid_documents(p: Posted[forms.AidDocumentsForm]) -> Any:
    return services.aid_application_set_documents(
        application=p.obj, by=p.by, documents=p.data["documents"]
    )


@_detail.post(
    "aid.edit",
    forms.AidTransitionForm,
    "transition_form",
    gettext_lazy("Status changed."),
    refresh=True,
)
def aid_transition(p: Posted[forms.AidTransitionForm]) -> Any:
    return services.aid_application_transition(application=p.obj, by=p.by, **p.data)


@require_GET
@permission_required("aid.view")
def aid_family(request: HttpRequest, mrn: str) -> HttpResponse:
    patient = patient_get(mrn=mrn, audit=False)
    audit_record(action="read", patient=patient, object_type="support.aid_summary", object_id=mrn)
    return render(
        request,
        "aid/aid_family.html",
        {"patient": patient, "s": selectors.family_aid_summary(patient)},
    )
