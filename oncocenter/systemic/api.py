"""JSON API of systemic therapy (mounted at /api/systemic/). Thin: check the permission, parse,
call one service. Every rule of the verification chain is enforced in the services, so the API
refuses what the pages refuse, with the same field names."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status

from oncocenter.accounts.selectors import current_user
from oncocenter.audit.services import audit_record
from oncocenter.core.access import permission
from oncocenter.core.errors import NotFound, ValidationFailed
from oncocenter.labs.witness import second_person
from oncocenter.oncology.models import Diagnosis
from oncocenter.patients.selectors import patient_get
from oncocenter.radiotherapy.models import Course
from oncocenter.systemic import schemas as s
from oncocenter.systemic import selectors, services
from oncocenter.systemic.models import OrderDose, Regimen, TherapyOrder
from oncocenter.trials.models import Enrollment

router = Router(tags=["systemic"])


def _get(model: Any, field: str, pk: Any) -> Any:
    if pk is None:
        return None
    row = model.objects.filter(pk=pk).first()
    if row is None:
        raise ValidationFailed.single(field, _("does not exist"), pk)
    return row


@router.get("/regimens", response=list[s.SystemicRegimenOut])
@permission("systemic.view")
def systemic_regimens(request: HttpRequest) -> list[Regimen]:
    return list(Regimen.objects.prefetch_related("drugs"))


@router.post("/patients/{mrn}/measurements", response={201: s.SystemicMeasurementOut})
@permission("systemic.measure")
def systemic_measurement(
    request: HttpRequest, mrn: str, payload: s.SystemicMeasurementIn
) -> Status:
    m = services.measurement_record(
        patient=patient_get(mrn=mrn, audit=False), by=current_user(request), **payload.dict()
    )
    return Status(201, m)


def _order_out(o: TherapyOrder) -> dict[str, Any]:
    days = selectors.order_days(o)
    cum = selectors.cumulative(o.patient)
    return {
        "id": o.pk,
        "mrn": o.patient.mrn,
        "regimen": o.regimen.code,
        "cycle": o.cycle,
        "status": o.status,
        "start_date": o.start_date,
        "bsa_m2": o.bsa_m2,
        "clearance": o.clearance,
        "clearance_formula": o.clearance_formula,
        "rt_course_id": o.rt_course_id,
        "ordered_by": o.ordered_by.username,
        "signed_by": o.signed_by.username if o.signed_by else None,
        "verified_by": o.verified_by.username if o.verified_by else None,
        "doses": [
            {
                "id": d.pk,
                "drug": d.drug.drug,
                "day": d.day,
                "on": d.on,
                "route": d.drug.route,
                "computed_mg": d.computed_mg,
                "planned_mg": d.planned_mg,
                "percent": d.percent,
                "modification_reason": d.modification_reason,
                "capped": d.capped,
                "formula": d.formula,
                "given_mg": d.administration.given_mg if hasattr(d, "administration") else None,
            }
            for day in days
            for d in day["doses"]
        ],
        "days": [
            {
                "day": day["day"],
                "on": day["on"],
                "decision": day["decision"].decision if day["decision"] else None,
                "reason": day["decision"].reason if day["decision"] else "",
            }
            for day in days
        ],
        "cumulative_anthracycline": cum["total"],
        "anthracycline_limit": cum["limit"],
    }


def _order(pk: int) -> TherapyOrder:
    return selectors.order_get(pk)


@router.post("/patients/{mrn}/orders", response={201: s.SystemicOrderOut})
@permission("systemic.order")
def systemic_order_create(request: HttpRequest, mrn: str, payload: s.SystemicOrderIn) -> Status:
    patient = patient_get(mrn=mrn, audit=False)
    regimen = Regimen.objects.filter(code=payload.regimen).first()
    if regimen is None:
        raise ValidationFailed.single("regimen", _("is not in the library"), payload.regimen)
    order = services.order_create(
        patient=patient,
        by=current_user(request),
        regimen=regimen,
        diagnosis=_get(Diagnosis, "diagnosis_id", payload.diagnosis_id),
        start_date=payload.start_date,
        cycle=payload.cycle,
        creatinine_mg_dl=payload.creatinine_mg_dl,
        rt_course=_get(Course, "rt_course_id", payload.rt_course_id),
        trial_enrollment=_get(Enrollment, "trial_enrollment_id", payload.trial_enrollment_id),
        modifications={m.drug: (m.percent, m.reason) for m in payload.modifications},
    )
    return Status(201, _order_out(_order(order.pk)))


@router.get("/orders/{order_id}", response=s.SystemicOrderOut)
@permission("systemic.view")
def systemic_order(request: HttpRequest, order_id: int) -> dict[str, Any]:
    o = _order(order_id)
    audit_record(action="read", obj=o, patient=o.patient)
    return _order_out(o)


def _dose(order_id: int, dose_id: int) -> OrderDose:
    dose = (
        OrderDose.objects.select_related("order", "drug")
        .filter(pk=dose_id, order_id=order_id)
        .first()
    )
    if dose is None:
        raise NotFound(_("No such dose on this order."))
    return dose


@router.post("/orders/{order_id}/doses/{dose_id}/modify", response=s.SystemicOrderOut)
@permission("systemic.order")
def systemic_dose_modify(
    request: HttpRequest, order_id: int, dose_id: int, payload: s.SystemicDoseModifyIn
) -> dict[str, Any]:
    services.dose_modify(dose=_dose(order_id, dose_id), by=current_user(request), **payload.dict())
    return _order_out(_order(order_id))


@router.post("/orders/{order_id}/sign", response=s.SystemicOrderOut)
@permission("systemic.order")
def systemic_order_sign(request: HttpRequest, order_id: int) -> dict[str, Any]:
    services.order_sign(order=_order(order_id), by=current_user(request))
    return _order_out(_order(order_id))


@router.post("/orders/{order_id}/verify", response=s.SystemicOrderOut)
@permission("systemic.verify")
def systemic_order_verify(request: HttpRequest, order_id: int) -> dict[str, Any]:
    services.order_verify(order=_order(order_id), by=current_user(request))
    return _order_out(_order(order_id))


@router.post("/orders/{order_id}/cancel", response=s.SystemicOrderOut)
@permission("systemic.order")
def systemic_order_cancel(
    request: HttpRequest, order_id: int, payload: s.SystemicReasonIn
) -> dict[str, Any]:
    services.order_cancel(order=_order(order_id), by=current_user(request), reason=payload.reason)
    return _order_out(_order(order_id))


def _release_out(r: Any) -> dict[str, Any]:
    return {
        "id": r.pk,
        "day": r.day,
        "on": r.on,
        "decision": r.decision,
        "reason": r.reason,
        "checks": r.checks,
    }


@router.post("/orders/{order_id}/days/{day}/release", response={201: s.SystemicReleaseOut})
@permission("systemic.release")
def systemic_day_release(
    request: HttpRequest, order_id: int, day: int, payload: s.SystemicReleaseIn
) -> Status:
    rel = services.day_release(
        order=_order(order_id),
        day=day,
        by=current_user(request),
        override_reason=payload.override_reason,
    )
    return Status(201, _release_out(rel))


@router.post("/orders/{order_id}/days/{day}/hold", response={201: s.SystemicReleaseOut})
@permission("systemic.release")
def systemic_day_hold(
    request: HttpRequest, order_id: int, day: int, payload: s.SystemicReasonIn
) -> Status:
    rel = services.day_hold(
        order=_order(order_id), day=day, by=current_user(request), reason=payload.reason
    )
    return Status(201, _release_out(rel))


@router.post(
    "/orders/{order_id}/doses/{dose_id}/administer", response={201: s.SystemicAdministrationOut}
)
@permission("systemic.administer")
def systemic_administer(
    request: HttpRequest, order_id: int, dose_id: int, payload: s.SystemicAdministerIn
) -> Status:
    me = current_user(request)
    data = payload.dict()
    witness = second_person(
        username=data.pop("witness_username"),
        password=data.pop("witness_password"),
        permission="systemic.administer",
        first=me,
    )
    a = services.administration_record(
        dose=_dose(order_id, dose_id), by=me, checker=witness, **data
    )
    return Status(
        201,
        {
            "id": a.pk,
            "dose_id": dose_id,
            "given_mg": a.given_mg,
            "nurse": me.username,
            "checker": witness.username,
        },
    )


@router.get("/orders/{order_id}/cost", response=s.SystemicCostOut)
@permission("systemic.cost")
def systemic_cost(request: HttpRequest, order_id: int) -> dict[str, Any]:
    o = _order(order_id)
    c = selectors.cost_estimate(o)
    audit_record(action="read", obj=o, patient=o.patient, detail={"document": "cost"})
    return {**c, "registered": c["registration"] is not None}


@router.get("/worklist/today", response=list[s.SystemicOrderOut])
@permission("systemic.view")
def systemic_today(request: HttpRequest, center: str = "") -> list[dict[str, Any]]:
    rows = selectors.today_list(timezone.localdate(), center)
    orders = {r["order"].pk: r["order"] for r in rows}
    audit_record(
        action="search",
        object_type="systemic.worklist",
        detail={"mrns": sorted({o.patient.mrn for o in orders.values()})},
    )
    return [_order_out(_order(pk)) for pk in orders]


@router.get("/worklist/verification", response=list[s.SystemicOrderOut])
@permission("systemic.verify")
def systemic_verification_queue(request: HttpRequest) -> list[dict[str, Any]]:
    orders = list(selectors.verification_queue()[:100])
    audit_record(
        action="search",
        object_type="systemic.verification",
        detail={"mrns": sorted({o.patient.mrn for o in orders})},
    )
    return [_order_out(_order(o.pk)) for o in orders]
