"""JSON API for clinics, the priority policy, admissions and the bed waitlist."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.clinics import selectors, services
from oncocenter.clinics.models import (
    Admission,
    Appointment,
    Bed,
    ClinicSession,
    ClinicTemplate,
    ReadmissionRequest,
    Slot,
    WaitlistEntry,
    Ward,
)
from oncocenter.clinics.schemas import (
    AdmissionDischargeIn,
    AdmissionIn,
    AdmissionOut,
    BedTransferIn,
    ClinicAppointmentIn,
    ClinicAppointmentOut,
    ClinicReasonIn,
    ClinicRescheduleIn,
    ClinicSessionOut,
    ClinicSessionsGeneratedOut,
    ClinicSessionsGenerateIn,
    ClinicSlotOut,
    ClinicTemplateIn,
    ClinicTemplateOut,
    ClinicWaitlistIn,
    ClinicWaitlistStatusOut,
    PriorityPolicyOut,
    PriorityPolicyPatch,
    PriorityRankedOut,
    ReadmissionRequestIn,
    WardIn,
    WardOut,
)
from oncocenter.core.access import permission
from oncocenter.core.errors import NotFound, ValidationFailed
from oncocenter.patients.models import Center, CenterCode
from oncocenter.patients.selectors import patient_get

router = Router(tags=["clinics"])


def _by(request: HttpRequest) -> User:
    # TokenAuth (config/api.py) authenticates every request as a staff user.
    return cast(User, request.user)


def _center(code: str, field: str = "center") -> Center:
    center = Center.objects.filter(code=code).first()
    if center is None:
        raise ValidationFailed.single(
            field, _("must be one of %(choices)s") % {"choices": ", ".join(CenterCode.values)}, code
        )
    return center


def _user(username: str | None, field: str) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username).first()
    if user is None:
        raise ValidationFailed.single(field, _("no such user"), username)
    return user


def _get(model: Any, pk: int, label: str) -> Any:
    qs = model.objects.all() if hasattr(model, "objects") else model
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise NotFound(_("No %(what)s %(id)s.") % {"what": label, "id": pk})
    return obj


def _slot(pk: int) -> Slot:
    slot = Slot.objects.filter(pk=pk).first()
    if slot is None:
        raise ValidationFailed.single("slot_id", _("no such slot"), pk)
    return slot


def _appt_out(a: Appointment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "slot_id": a.slot_id,
        "session_id": a.session_id,
        "patient_mrn": a.patient.mrn,
        "starts_at": a.starts_at,
        "appointment_type": a.appointment_type,
        "status": a.status,
        "previously_treated": a.previously_treated,
    }


def _ranked_out(rows: list[selectors.Ranked]) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        e = r.entry
        out.append(
            {
                "id": e.pk,
                "patient_mrn": e.patient.mrn,
                "urgency": e.urgency,
                "requested_on": e.requested_on,
                "status": e.status,
                "previously_treated": r.previously_treated,
                "score": r.score.total,
                "reasons": [
                    {"code": x.code, "text": _(x.template) % x.params, "points": x.points}
                    for x in r.score.reasons
                ],
                "appointment_type": getattr(e, "appointment_type", None),
                "offered_slot_id": getattr(e, "offered_slot_id", None),
                "ward": e.ward.code if hasattr(e, "ward") else None,
            }
        )
    return out


# --- policy --------------------------------------------------------------------------------


@router.get("/policy", response=PriorityPolicyOut)
@permission("clinic.view")
def policy_read(request: HttpRequest):
    p = selectors.policy_get()
    return {f: getattr(p, f) for f in services.POLICY_FIELDS}


@router.patch("/policy", response=PriorityPolicyOut)
@permission("clinic.policy_edit")
def policy_edit(request: HttpRequest, payload: PriorityPolicyPatch):
    p = services.policy_update(by=_by(request), **payload.dict(exclude_unset=True))
    return {f: getattr(p, f) for f in services.POLICY_FIELDS}


# --- templates and sessions ----------------------------------------------------------------


def _template_out(t: ClinicTemplate) -> dict[str, Any]:
    return {
        "id": t.pk,
        "physician": t.physician.username,
        "center": t.center.code,
        "name": t.name,
        "weekday": t.weekday,
        "start_time": t.start_time,
        "end_time": t.end_time,
        "slot_minutes": t.slot_minutes,
        "appointment_types": t.appointment_types,
        "active": t.active,
    }


@router.get("/templates", response=list[ClinicTemplateOut])
@permission("clinic.view")
def template_list(request: HttpRequest):
    return [_template_out(t) for t in ClinicTemplate.objects.select_related("physician", "center")]


@router.post("/templates", response={201: ClinicTemplateOut})
@permission("clinic.manage")
def template_create(request: HttpRequest, payload: ClinicTemplateIn):
    physician = _user(payload.physician, "physician")
    if physician is None:
        raise ValidationFailed.single("physician", _("is required"))
    t = services.clinic_template_create(
        by=_by(request),
        physician=physician,
        center=_center(payload.center),
        name=payload.name,
        weekday=payload.weekday,
        start_time=payload.start_time,
        end_time=payload.end_time,
        slot_minutes=payload.slot_minutes,
        appointment_types=payload.appointment_types,
    )
    return Status(201, _template_out(t))


@router.post("/templates/{template_id}/generate", response={201: ClinicSessionsGeneratedOut})
@permission("clinic.manage")
def template_generate(request: HttpRequest, template_id: int, payload: ClinicSessionsGenerateIn):
    t = _get(ClinicTemplate, template_id, _("clinic template"))
    created = services.clinic_sessions_generate(
        by=_by(request), template=t, start=payload.start, end=payload.end
    )
    return Status(201, {"created": len(created)})


@router.get("/sessions", response=list[ClinicSessionOut])
@permission("clinic.view")
def session_list(
    request: HttpRequest,
    start: str,
    end: str,
    physician: str | None = None,
    center: str | None = None,
):
    try:
        d0, d1 = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    except ValueError as exc:
        raise ValidationFailed.single("start", _("dates are YYYY-MM-DD"), f"{start}/{end}") from exc
    if (d1 - d0).days > 92:
        raise ValidationFailed.single("end", _("at most 92 days at a time"), end)
    rows = selectors.sessions_between(
        start=d0,
        end=d1,
        physician=_user(physician, "physician"),
        center=_center(center) if center else None,
    )
    return [
        {
            "id": v.session.pk,
            "template_id": v.session.template_id,
            "name": v.session.template.name,
            "physician": v.session.physician.username,
            "date": v.session.date,
            "start_time": v.session.start_time,
            "end_time": v.session.end_time,
            "status": v.session.status,
            "closed_reason": v.session.closed_reason,
            "capacity": v.capacity,
            "booked": v.booked,
            "free": v.free,
        }
        for v in rows
    ]


@router.get("/sessions/{session_id}/slots", response=list[ClinicSlotOut])
@permission("clinic.view")
def session_slots(request: HttpRequest, session_id: int):
    session = _get(ClinicSession, session_id, _("clinic session"))
    rows = selectors.session_slots(session=session)
    mrns = [a.patient.mrn for _, a in rows if a]
    if mrns:
        audit_record(
            action=AuditAction.READ,
            object_type="clinics.clinicsession",
            object_id=str(session.pk),
            detail={"mrns": mrns},
        )
    return [
        {
            "id": s.pk,
            "starts_at": s.starts_at,
            "ends_at": s.ends_at,
            "appointment_id": a.pk if a else None,
            "patient_mrn": a.patient.mrn if a else None,
        }
        for s, a in rows
    ]


# --- appointments --------------------------------------------------------------------------


@router.post("/appointments", response={201: ClinicAppointmentOut})
@permission("clinic.book")
def appointment_book(request: HttpRequest, payload: ClinicAppointmentIn):
    slot = _slot(payload.slot_id)
    patient = patient_get(mrn=payload.mrn, audit=False)
    a = services.appointment_book(
        by=_by(request),
        slot=slot,
        patient=patient,
        appointment_type=payload.appointment_type,
        reason=payload.reason,
    )
    return Status(201, _appt_out(a))


@router.get("/patients/{mrn}/appointments", response=list[ClinicAppointmentOut])
@permission("clinic.view")
def patient_appointments(request: HttpRequest, mrn: str):
    patient = patient_get(mrn=mrn, audit=False)
    rows = list(selectors.patient_appointments(patient=patient).select_related("patient"))
    audit_record(
        action=AuditAction.READ,
        patient=patient,
        object_type="clinics.appointment",
        detail={"count": len(rows)},
    )
    return [_appt_out(a) for a in rows]


def _appt(pk: int) -> Appointment:
    return _get(Appointment.objects.select_related("patient"), pk, _("appointment"))


@router.post("/appointments/{appointment_id}/cancel", response=ClinicAppointmentOut)
@permission("clinic.book")
def appointment_cancel(request: HttpRequest, appointment_id: int, payload: ClinicReasonIn):
    return _appt_out(
        services.appointment_cancel(
            by=_by(request), appointment=_appt(appointment_id), reason=payload.reason
        )
    )


@router.post("/appointments/{appointment_id}/reschedule", response=ClinicAppointmentOut)
@permission("clinic.book")
def appointment_reschedule(request: HttpRequest, appointment_id: int, payload: ClinicRescheduleIn):
    slot = _slot(payload.slot_id)
    return _appt_out(
        services.appointment_reschedule(
            by=_by(request), appointment=_appt(appointment_id), new_slot=slot
        )
    )


@router.post("/appointments/{appointment_id}/check-in", response=ClinicAppointmentOut)
@permission("clinic.book")
def appointment_check_in(request: HttpRequest, appointment_id: int):
    return _appt_out(
        services.appointment_check_in(by=_by(request), appointment=_appt(appointment_id))
    )


@router.post("/appointments/{appointment_id}/no-show", response=ClinicAppointmentOut)
@permission("clinic.book")
def appointment_no_show(request: HttpRequest, appointment_id: int):
    return _appt_out(
        services.appointment_mark_no_show(by=_by(request), appointment=_appt(appointment_id))
    )


@router.post("/appointments/{appointment_id}/complete", response=ClinicAppointmentOut)
@permission("clinic.book")
def appointment_complete(request: HttpRequest, appointment_id: int):
    return _appt_out(
        services.appointment_complete(by=_by(request), appointment=_appt(appointment_id))
    )


# --- waitlist ------------------------------------------------------------------------------


@router.get("/waitlist", response=list[PriorityRankedOut])
@permission("clinic.view")
def waitlist(request: HttpRequest, center: str | None = None, physician: str | None = None):
    """Waiting and offered entries, best first, each with the reasons of its score."""
    rows = selectors.waitlist_ranked(
        center=_center(center) if center else None,
        physician=_user(physician, "physician"),
        statuses=("waiting", "offered"),
    )
    audit_record(
        action=AuditAction.READ,
        object_type="clinics.waitlistentry",
        detail={"mrns": [r.entry.patient.mrn for r in rows]},
    )
    return _ranked_out(rows)


@router.post("/waitlist", response={201: PriorityRankedOut})
@permission("clinic.book")
def waitlist_add(request: HttpRequest, payload: ClinicWaitlistIn):
    patient = patient_get(mrn=payload.mrn, audit=False)
    e = services.waitlist_add(
        by=_by(request),
        patient=patient,
        center=_center(payload.center),
        appointment_type=payload.appointment_type,
        urgency=payload.urgency,
        physician=_user(payload.physician, "physician"),
        requested_on=payload.requested_on,
        note=payload.note,
    )
    row = next(r for r in selectors.waitlist_ranked(center=e.center) if r.entry.pk == e.pk)
    return Status(201, _ranked_out([row])[0])


def _entry(pk: int) -> WaitlistEntry:
    return _get(WaitlistEntry.objects.select_related("patient"), pk, _("waitlist entry"))


@router.post("/waitlist/{entry_id}/accept", response={201: ClinicAppointmentOut})
@permission("clinic.book")
def waitlist_accept(request: HttpRequest, entry_id: int):
    return Status(
        201, _appt_out(services.waitlist_accept_offer(by=_by(request), entry=_entry(entry_id)))
    )


@router.post("/waitlist/{entry_id}/decline", response=ClinicWaitlistStatusOut)
@permission("clinic.book")
def waitlist_decline(request: HttpRequest, entry_id: int):
    e = services.waitlist_decline_offer(by=_by(request), entry=_entry(entry_id))
    return {"id": e.pk, "status": e.status}


@router.post("/waitlist/{entry_id}/withdraw", response=ClinicWaitlistStatusOut)
@permission("clinic.book")
def waitlist_withdraw(request: HttpRequest, entry_id: int):
    e = services.waitlist_withdraw(by=_by(request), entry=_entry(entry_id))
    return {"id": e.pk, "status": e.status}


# --- admissions ----------------------------------------------------------------------------


def _ward(code: str, field: str = "ward") -> Ward:
    ward = Ward.objects.filter(code=code).first()
    if ward is None:
        raise ValidationFailed.single(field, _("no such ward"), code)
    return ward


def _adm_out(a: Admission) -> dict[str, Any]:
    return {
        "id": a.pk,
        "patient_mrn": a.patient.mrn,
        "ward": a.bed.ward.code,
        "bed": a.bed.code,
        "status": a.status,
        "admitted_at": a.admitted_at,
        "discharged_at": a.discharged_at,
    }


@router.get("/wards", response=list[WardOut])
@permission("admission.view")
def wards(request: HttpRequest):
    return [
        {
            "code": o.ward.code,
            "name": o.ward.name,
            "beds_in_service": o.beds_in_service,
            "occupied": o.occupied,
            "free": o.free,
        }
        for o in selectors.ward_occupancy()
    ]


@router.post("/wards", response={201: WardOut})
@permission("ward.manage")
def ward_create(request: HttpRequest, payload: WardIn):
    ward = services.ward_create(
        by=_by(request),
        code=payload.code,
        name=payload.name,
        beds=payload.beds,
        center=_center(payload.center) if payload.center else None,
    )
    return Status(
        201,
        {
            "code": ward.code,
            "name": ward.name,
            "beds_in_service": payload.beds,
            "occupied": 0,
            "free": payload.beds,
        },
    )


@router.get("/admissions", response=list[AdmissionOut])
@permission("admission.view")
def admissions(request: HttpRequest, ward: str | None = None):
    rows = list(selectors.current_admissions(ward=_ward(ward) if ward else None))
    audit_record(
        action=AuditAction.READ,
        object_type="clinics.admission",
        detail={"mrns": [a.patient.mrn for a in rows]},
    )
    return [_adm_out(a) for a in rows]


@router.post("/admissions", response={201: AdmissionOut})
@permission("admission.manage")
def admit(request: HttpRequest, payload: AdmissionIn):
    ward = _ward(payload.ward)
    bed = None
    if payload.bed:
        bed = Bed.objects.filter(ward=ward, code=payload.bed).first()
        if bed is None:
            raise ValidationFailed.single(
                "bed",
                _("no bed %(bed)s in ward %(ward)s") % {"bed": payload.bed, "ward": ward.code},
                payload.bed,
            )
    request_obj = None
    if payload.request_id:
        request_obj = ReadmissionRequest.objects.filter(
            pk=payload.request_id, status="waiting"
        ).first()
        if request_obj is None:
            raise ValidationFailed.single(
                "request_id",
                _("no waiting re-admission request with this id"),
                payload.request_id,
            )
    patient = patient_get(mrn=payload.mrn, audit=False)
    a = services.admission_admit(
        by=_by(request),
        patient=patient,
        ward=ward,
        bed=bed,
        admitted_at=payload.admitted_at,
        reason=payload.reason,
        request=request_obj,
    )
    return Status(201, _adm_out(a))


def _adm(pk: int) -> Admission:
    return _get(Admission.objects.select_related("patient", "bed__ward"), pk, _("admission"))


@router.post("/admissions/{admission_id}/transfer", response=AdmissionOut)
@permission("admission.manage")
def transfer(request: HttpRequest, admission_id: int, payload: BedTransferIn):
    adm = _adm(admission_id)
    if "-" in payload.to_bed:
        ward_code, bed_code = payload.to_bed.rsplit("-", 1)
        bed = Bed.objects.filter(ward__code=ward_code, code=bed_code).first()
    else:
        bed = Bed.objects.filter(ward=adm.bed.ward, code=payload.to_bed).first()
    if bed is None:
        raise ValidationFailed.single("to_bed", _("no such bed"), payload.to_bed)
    a = services.admission_transfer(
        by=_by(request),
        admission=adm,
        to_bed=bed,
        moved_at=payload.moved_at,
        reason=payload.reason,
    )
    return _adm_out(_adm(a.pk))


@router.post("/admissions/{admission_id}/discharge", response=AdmissionOut)
@permission("admission.manage")
def discharge(request: HttpRequest, admission_id: int, payload: AdmissionDischargeIn):
    a = services.admission_discharge(
        by=_by(request), admission=_adm(admission_id), discharged_at=payload.discharged_at
    )
    return _adm_out(_adm(a.pk))


@router.get("/bed-waitlist", response=list[PriorityRankedOut])
@permission("admission.view")
def bed_waitlist(request: HttpRequest, ward: str | None = None):
    """Re-admission requests, best first, each with the reasons of its score."""
    rows = selectors.bed_waitlist_ranked(ward=_ward(ward) if ward else None)
    audit_record(
        action=AuditAction.READ,
        object_type="clinics.readmissionrequest",
        detail={"mrns": [r.entry.patient.mrn for r in rows]},
    )
    return _ranked_out(rows)


@router.post("/bed-waitlist", response={201: PriorityRankedOut})
@permission("admission.manage")
def bed_waitlist_add(request: HttpRequest, payload: ReadmissionRequestIn):
    patient = patient_get(mrn=payload.mrn, audit=False)
    ward = _ward(payload.ward)
    r = services.readmission_request_create(
        by=_by(request),
        patient=patient,
        ward=ward,
        reason=payload.reason,
        urgency=payload.urgency,
        requested_on=payload.requested_on,
    )
    row = next(x for x in selectors.bed_waitlist_ranked(ward=ward) if x.entry.pk == r.pk)
    return Status(201, _ranked_out([row])[0])
