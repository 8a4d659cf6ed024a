"""Pages of systemic therapy: the worklists, the regimen library, a patient's orders, an order
with its verification chain, day release and administration, and the printable cost estimate.
Each POST parses one form and calls one service through ``run_service``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms as djforms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from oncocenter.accounts.selectors import current_user
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import NotFound
from oncocenter.core.forms import run_service
from oncocenter.core.permissions import has_perm, require
from oncocenter.core.views import permission_required
from oncocenter.labs.witness import second_person
from oncocenter.patients.selectors import patient_get
from oncocenter.systemic import forms, selectors, services
from oncocenter.systemic.models import OrderDose, OrderStatus, Regimen, TherapyOrder


@require_GET
@permission_required("systemic.view")
def worklist(request: HttpRequest) -> HttpResponse:
    center = request.GET.get("center", "")
    try:
        on = (
            dt.date.fromisoformat(request.GET.get("on", ""))
            if request.GET.get("on")
            else timezone.localdate()
        )
    except ValueError:
        on = timezone.localdate()
    today = selectors.today_list(on, center)
    queue = list(selectors.verification_queue()[:100])
    held = selectors.held_days(on - dt.timedelta(days=14))
    warnings = selectors.cumulative_warnings()
    audit_record(
        action="search",
        object_type="systemic.worklist",
        detail={
            "mrns": sorted(
                {r["order"].patient.mrn for r in today} | {o.patient.mrn for o in queue}
            ),
            "on": on.isoformat(),
        },
    )
    return render(
        request,
        "systemic/worklist.html",
        {
            "today": today,
            "queue": queue,
            "held": held,
            "warnings": warnings,
            "center": center,
            "on": on,
        },
    )


@require_GET
@permission_required("systemic.view")
def regimens(request: HttpRequest) -> HttpResponse:
    return render(
        request, "systemic/regimens.html", {"regimens": Regimen.objects.prefetch_related("drugs")}
    )


@require_GET
@permission_required("systemic.view")
def regimen_detail(request: HttpRequest, code: str) -> HttpResponse:
    regimen = Regimen.objects.prefetch_related("drugs").filter(code=code).first()
    if regimen is None:
        raise NotFound(_("No regimen %(code)s.") % {"code": code})
    return render(request, "systemic/regimen.html", {"r": regimen})


def _patient_page(request: HttpRequest, mrn: str, status: int = 200, **bound: Any) -> HttpResponse:
    patient = patient_get(mrn=mrn, audit=False)
    audit_record(action="read", patient=patient, object_type="systemic.patient", object_id=mrn)
    return render(
        request,
        "systemic/patient.html",
        {
            "patient": patient,
            "orders": list(selectors.orders_of(patient)),
            "measurements": list(patient.dosing_measurements.all()[:5]),
            "cumulative": selectors.cumulative(patient),
            "can_measure": has_perm(request.user, "systemic.measure"),
            "can_order": has_perm(request.user, "systemic.order"),
            "measure_form": bound.get("measure_form") or forms.MeasurementForm(),
            "order_form": bound.get("order_form") or forms.OrderForm(patient=patient),
        },
        status=status,
    )


@require_GET
@permission_required("systemic.view")
def patient_orders(request: HttpRequest, mrn: str) -> HttpResponse:
    return _patient_page(request, mrn)


@require_POST
@permission_required("systemic.measure")
def measurement_create(request: HttpRequest, mrn: str) -> HttpResponse:
    patient = patient_get(mrn=mrn, audit=False)
    form = forms.MeasurementForm(request.POST)
    outcome = run_service(
        request,
        form,
        lambda: services.measurement_record(
            patient=patient, by=current_user(request), **form.cleaned_data
        ),
        success=_("Measurement recorded."),
    )
    if outcome.ok:
        return redirect("systemic:patient", mrn=mrn)
    return _patient_page(request, mrn, outcome.status, measure_form=form)


@require_POST
@permission_required("systemic.order")
def order_create(request: HttpRequest, mrn: str) -> HttpResponse:
    patient = patient_get(mrn=mrn, audit=False)
    form = forms.OrderForm(request.POST, patient=patient)
    outcome = run_service(
        request,
        form,
        lambda: services.order_create(
            patient=patient, by=current_user(request), **form.cleaned_data
        ),
        success=_("Order created (draft)."),
    )
    if outcome.ok and outcome.value is not None:
        return redirect("systemic:order", pk=outcome.value.pk)
    return _patient_page(request, mrn, outcome.status, order_form=form)


def _order_page(
    request: HttpRequest,
    order: TherapyOrder,
    status: int = 200,
    failed: tuple[str, str, djforms.Form] | None = None,
) -> HttpResponse:
    days = selectors.order_days(order)
    u = request.user
    for d in days:
        d["checks"] = (
            selectors.readiness(order, d["day"]) if order.status == OrderStatus.VERIFIED else []
        )
        key = str(d["day"])
        d["release_form"] = (
            failed[2]
            if failed and failed[0] == "release" and failed[1] == key
            else forms.ReleaseForm(initial={"day": d["day"]})
        )
        d["hold_form"] = (
            failed[2]
            if failed and failed[0] == "hold" and failed[1] == key
            else forms.HoldForm(initial={"day": d["day"]})
        )
        for dose in d["doses"]:
            dk = str(dose.pk)
            dose.admin_form = (
                failed[2]
                if failed and failed[0] == "administer" and failed[1] == dk
                else forms.AdministerForm(initial={"dose": dose.pk})
            )
            dose.modify_form = (
                failed[2]
                if failed and failed[0] == "modify" and failed[1] == dk
                else forms.ModifyForm(initial={"dose": dose.pk, "percent": dose.percent})
            )
    # One modification form per drug (a modification applies to all its days).
    first_dose_per_drug: dict[int, OrderDose] = {}
    for d in days:
        for dose in d["doses"]:
            first_dose_per_drug.setdefault(dose.drug_id, dose)
    return render(
        request,
        "systemic/order.html",
        {
            "o": order,
            "patient": order.patient,
            "today": timezone.localdate(),
            "days": days,
            "drugs": list(first_dose_per_drug.values()),
            "cost": selectors.cost_estimate(order),
            "cumulative": selectors.cumulative(order.patient),
            "failed": failed,
            "generic_form": failed[2]
            if failed and failed[0] in ("sign", "verify", "cancel")
            else None,
            "cancel_form": failed[2] if failed and failed[0] == "cancel" else forms.CancelForm(),
            "can": {
                p.split(".", 1)[1]: has_perm(u, p)
                for p in (
                    "systemic.order",
                    "systemic.verify",
                    "systemic.release",
                    "systemic.override",
                    "systemic.administer",
                )
            },
        },
        status=status,
    )


@require_GET
@permission_required("systemic.view")
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.order_get(pk)
    audit_record(action="read", obj=order, patient=order.patient)
    return _order_page(request, order)


@dataclass(frozen=True)
class Step:
    permission: str
    form: type[djforms.Form]
    call: Callable[[HttpRequest, TherapyOrder, Any], Any]
    success: Any


def _dose(order: TherapyOrder, pk: Any) -> OrderDose:
    dose = OrderDose.objects.select_related("drug", "order").filter(pk=pk, order=order).first()
    if dose is None:
        raise NotFound(_("No such dose on this order."))
    return dose


def _administer(request: HttpRequest, order: TherapyOrder, data: dict[str, Any]) -> Any:
    me = current_user(request)
    witness = second_person(
        username=data["witness_username"],
        password=data["witness_password"],
        permission="systemic.administer",
        first=me,
    )
    return services.administration_record(
        dose=_dose(order, data["dose"]),
        by=me,
        checker=witness,
        given_mg=data["given_mg"],
        route=data["route"],
        product_expiry=data["product_expiry"],
        started_at=data["started_at"],
        stopped_at=data["stopped_at"],
        identifiers=data["identifiers"],
        rate_ml_h=data["rate_ml_h"],
        reaction=data["reaction"],
        reaction_grade=data["reaction_grade"],
        extravasation=data["extravasation"],
    )


STEPS: dict[str, Step] = {
    "modify": Step(
        "systemic.order",
        forms.ModifyForm,
        lambda r, o, d: services.dose_modify(
            dose=_dose(o, d["dose"]), by=current_user(r), percent=d["percent"], reason=d["reason"]
        ),
        gettext_lazy("Dose modified."),
    ),
    "sign": Step(
        "systemic.order",
        forms.EmptyForm,
        lambda r, o, d: services.order_sign(order=o, by=current_user(r)),
        gettext_lazy("Order signed."),
    ),
    "verify": Step(
        "systemic.verify",
        forms.EmptyForm,
        lambda r, o, d: services.order_verify(order=o, by=current_user(r)),
        gettext_lazy("Order verified."),
    ),
    "cancel": Step(
        "systemic.order",
        forms.CancelForm,
        lambda r, o, d: services.order_cancel(order=o, by=current_user(r), reason=d["reason"]),
        gettext_lazy("Order closed."),
    ),
    "release": Step(
        "systemic.release",
        forms.ReleaseForm,
        lambda r, o, d: services.day_release(
            order=o, day=d["day"], by=current_user(r), override_reason=d["override_reason"]
        ),
        gettext_lazy("Day released."),
    ),
    "hold": Step(
        "systemic.release",
        forms.HoldForm,
        lambda r, o, d: services.day_hold(
            order=o, day=d["day"], by=current_user(r), reason=d["reason"]
        ),
        gettext_lazy("Day held."),
    ),
    "administer": Step(
        "systemic.administer",
        forms.AdministerForm,
        _administer,
        gettext_lazy("Administration recorded."),
    ),
}


@require_POST
@permission_required("systemic.view")
def order_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    step = STEPS.get(action)
    if step is None:
        raise NotFound(_("No such step: %(step)s.") % {"step": action})
    require(request.user, step.permission)
    order = selectors.order_get(pk)
    form = step.form(request.POST)
    outcome = run_service(
        request,
        form,
        lambda: step.call(request, order, form.cleaned_data),
        success=str(step.success),
    )
    if outcome.ok:
        return redirect("systemic:order", pk=pk)
    key = str(request.POST.get("day") or request.POST.get("dose") or "")
    return _order_page(request, selectors.order_get(pk), outcome.status, failed=(action, key, form))


@require_GET
@permission_required("systemic.cost")
def estimate(request: HttpRequest, pk: int) -> HttpResponse:
    order = selectors.order_get(pk)
    audit_record(
        action="export", obj=order, patient=order.patient, detail={"document": "cost-estimate"}
    )
    return render(
        request,
        "systemic/estimate.html",
        {"o": order, "patient": order.patient, "cost": selectors.cost_estimate(order)},
    )
