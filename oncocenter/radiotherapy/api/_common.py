"""Lookups (404 naming what was not found) and serialisers shared by the endpoints."""

from __future__ import annotations

from typing import Any, TypeVar, cast

from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja.files import UploadedFile

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import NotFound, ValidationFailed
from oncocenter.machines.models import Machine
from oncocenter.radiotherapy import selectors
from oncocenter.radiotherapy.models import (
    Course,
    Delivery,
    Fraction,
    Plan,
    Prescription,
)


def _me(request: HttpRequest) -> User:
    """The signed-in staff member (the API's auth guarantees one)."""
    return cast(User, request.user)


#: The largest file an endpoint takes (a DICOM RT Plan or RT Record, a DVH export).
UPLOAD_MAX = 20 * 1024 * 1024


def _upload(file: UploadedFile) -> bytes:
    """The content of an uploaded file; 422 on the field "file" when it is over 20 MB."""
    if file.size and file.size > UPLOAD_MAX:
        raise ValidationFailed.single("file", _("is larger than 20 MB"), file.size)
    return file.read()


# --- lookups (404 naming what was not found) --------------------------------------------------------------


#: What a lookup names when nothing has the id asked for.
LABELS = {
    "course": gettext_lazy("course"),
    "prescription": gettext_lazy("prescription"),
    "plan": gettext_lazy("plan"),
    "fraction": gettext_lazy("session"),
    "delivery": gettext_lazy("delivery record"),
}

M = TypeVar("M", bound=Model)


def _get(model: type[M], pk: int, label: str) -> M:
    obj = model._default_manager.filter(pk=pk).first()
    if obj is None:
        raise NotFound(
            _("No %(what)s with id %(id)s.") % {"what": LABELS.get(label, label), "id": pk}
        )
    return obj


def _machine(code: str, field: str = "machine") -> Machine:
    m = Machine.objects.filter(code=code).first()
    if m is None:
        raise ValidationFailed.single(field, _("unknown machine code"), code)
    return m


def _user(username: str | None, field: str) -> User | None:
    if not username:
        return None
    u = User.objects.filter(username=username, is_active=True).first()
    if u is None:
        raise ValidationFailed.single(field, _("unknown user"), username)
    return u


# --- serialisers ---------------------------------------------------------------------------------------


def sig_out(sig) -> dict[str, Any]:
    return {
        "id": sig.pk,
        "meaning": sig.meaning,
        "signer": sig.signer.username,
        "signer_role": sig.signer_role,
        "credential_number": sig.credential_number,
        "signed_at": sig.signed_at,
        "signed_version": sig.signed_version,
        "voided_at": sig.voided_at,
        "voided_reason": sig.voided_reason,
    }


def plan_out(plan: Plan) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "label": plan.label,
        "machine": plan.machine.code,
        "technique": plan.technique,
        "fractions_planned": plan.fractions_planned,
        "dose_per_fraction_gy": plan.dose_per_fraction_gy,
        "meterset_per_fraction": plan.meterset_per_fraction,
        "status": plan.status,
        "version": plan.version,
        "planner": plan.planner.username,
        "readiness": selectors.plan_readiness(plan=plan),
        "dicom_sop_instance_uid": plan.dicom_sop_instance_uid,
    }


def fraction_out(f: Fraction) -> dict[str, Any]:
    return {
        "id": f.pk,
        "sequence": f.sequence,
        "scheduled_date": f.scheduled_date,
        "machine": f.machine.code if f.machine else None,
        "status": f.status,
        "delivered_number": f.delivered_number,
        "meterset_delivered": f.meterset_delivered,
        "dose_delivered_gy": f.dose_delivered_gy,
    }


def rx_out(rx: Prescription) -> dict[str, Any]:
    return {
        "id": rx.pk,
        "site": rx.site,
        "technique": rx.technique,
        "energy": rx.energy,
        "dose_per_fraction_gy": rx.dose_per_fraction_gy,
        "number_of_fractions": rx.number_of_fractions,
        "total_dose_gy": rx.total_dose_gy,
        "pattern": rx.pattern,
        "intent": rx.intent,
        "status": rx.status,
        "version": rx.version,
        "fractions_delivered": rx.fractions_delivered,
        "gap_sensitive_site": rx.gap_sensitive_site,
        "icd10_code": rx.icd10_code,
        "diagnosis": rx.diagnosis_id,
        "no_diagnosis_reason": rx.no_diagnosis_reason,
        "plans": [
            plan_out(p) for p in rx.plans.select_related("machine", "planner").order_by("pk")
        ],
        "fractions": [
            fraction_out(f) for f in rx.fractions.select_related("machine").order_by("sequence")
        ],
    }


def course_out(course: Course) -> dict[str, Any]:
    return {
        "id": course.pk,
        "mrn": course.patient.mrn,
        "number": course.number,
        "label": course.label,
        "intent": course.intent,
        "status": course.status,
        "physician": course.physician.username,
        "is_reirradiation": course.is_reirradiation,
        "started_on": course.started_on,
        "ended_on": course.ended_on,
    }


def delivery_out(d: Delivery) -> dict[str, Any]:
    rx = d.fraction.prescription
    rx.refresh_from_db(fields=["fractions_delivered"])
    return {
        "id": d.pk,
        "fraction": d.fraction_id,
        "fraction_number": d.fraction.delivered_number,
        "delivered_at": d.delivered_at,
        "machine": d.machine.code,
        "meterset_delivered": d.meterset_delivered,
        "dose_delivered_gy": d.dose_delivered_gy,
        "partial": d.partial,
        "status": d.status,
        "identifiers_confirmed": d.identifiers_confirmed,
        "replaces": d.replaces_id,
        "fractions_delivered": rx.fractions_delivered,
        "fractions_prescribed": rx.number_of_fractions,
        "recorded_at": d.recorded_at,
        "late_entry": d.late_entry,
        "late_entry_reason": d.late_entry_reason,
        "off_schedule": [c for c in d.off_schedule.split(",") if c],
        "override_signature": d.override_signature_id,
    }


def _read_course(course: Course) -> dict[str, Any]:
    audit_record(action=AuditAction.READ, obj=course, patient=course.patient)
    data = course_out(course)
    data["prescriptions"] = [rx_out(rx) for rx in course.prescriptions.order_by("pk")]
    data["signatures"] = [sig_out(x) for x in selectors.signatures_for_course(course=course)]
    return data
