"""Applying HL7 v2 ADT messages from the hospital's patient index to OncoCenter's patients.

Patients are kept in step by external identifier (PID-3: assigning authority + id). Every
message is stored with the ACK returned; a repeat of a stored message returns the same ACK and
changes nothing; a message refused with AE can be replayed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict, DomainError, ValidationFailed
from oncocenter.interop.hl7 import adt, oru
from oncocenter.interop.models import Hl7Message
from oncocenter.labs.models import LabResult, ResultSource, ResultStatus
from oncocenter.labs.services import lab_result_enter_in_error, lab_result_record
from oncocenter.patients import services as patients
from oncocenter.patients.models import Patient, PatientIdentifier
from oncocenter.patients.selectors import patient_by_identifier


class Hl7Refused(Exception):
    def __init__(self, code: str, text: str) -> None:
        super().__init__(text)
        self.code = code
        self.text = text


def _problems_text(exc: DomainError) -> str:
    if isinstance(exc, ValidationFailed) and exc.problems:
        return "; ".join(f"{p.field}: {p.message}" for p in exc.problems)
    return str(exc)


def _find(msg: adt.AdtMessage) -> Patient | None:
    for ident in msg.identifiers:
        if ident.authority:
            found = patient_by_identifier(authority=ident.authority, value=ident.value)
            if found is not None:
                return found
    return None


def _demographics(msg: adt.AdtMessage) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if msg.family_name_en:
        data["family_name_en"] = msg.family_name_en
        data["given_name_en"] = msg.given_name_en
    if msg.name_ko:
        data["name_ko"] = msg.name_ko
    if msg.birth_date:
        data["birth_date"] = msg.birth_date
    if msg.sex:
        data["sex"] = msg.sex
    return data


def _apply(msg: adt.AdtMessage, by: User) -> tuple[Patient | None, str]:
    keyed = [i for i in msg.identifiers if i.authority]
    if not keyed:
        raise Hl7Refused("AE", "PID-3 carries no identifier with an assigning authority")
    if msg.event == "A40":
        return _merge(msg, by)
    patient = _find(msg)
    data = _demographics(msg)
    if patient is None:
        if msg.event == "A03":
            raise Hl7Refused("AE", "discharge for a patient unknown here")
        missing = [f for f in ("family_name_en", "birth_date", "sex") if f not in data]
        if missing:
            raise Hl7Refused(
                "AE",
                f"cannot register the patient: missing {', '.join(missing)} (PID-5, PID-7, PID-8)",
            )
        patient = patients.patient_create(by=by, **data)
        outcome = f"registered {patient.mrn}"
    else:
        patients.patient_update(patient=patient, by=by, **data)
        outcome = f"updated {patient.mrn}"
    for ident in keyed:
        patients.patient_identifier_add(
            patient=patient,
            by=by,
            authority=ident.authority,
            value=ident.value,
            type_code=ident.type_code,
        )
    if msg.deceased_on and patient.deceased_on != msg.deceased_on:
        Patient.objects.filter(pk=patient.pk).update(
            deceased_on=msg.deceased_on, updated_at=timezone.now()
        )
        audit_record(
            action=AuditAction.UPDATE,
            obj=patient,
            detail={"fields": ["deceased_on"], "source": "hl7"},
        )
    if msg.event == "A03":
        outcome += " (discharge noted; OncoCenter's own admissions are kept by its wards)"
    return patient, outcome


def _merge(msg: adt.AdtMessage, by: User) -> tuple[Patient | None, str]:
    """A40: the prior identifier (MRG-1) now names the surviving person (PID-3)."""
    priors = [i for i in msg.prior_identifiers if i.authority]
    if not priors:
        raise Hl7Refused("AE", "A40 without MRG-1 prior identifier and assigning authority")
    survivor = _find(msg)
    moved = []
    for prior in priors:
        row = (
            PatientIdentifier.objects.select_related("patient")
            .filter(authority=prior.authority, value=prior.value)
            .first()
        )
        if row is None:
            continue
        if survivor is None:
            survivor = row.patient
            for ident in msg.identifiers:
                if ident.authority:
                    patients.patient_identifier_add(
                        patient=survivor,
                        by=by,
                        authority=ident.authority,
                        value=ident.value,
                        type_code=ident.type_code,
                    )
        elif row.patient_id != survivor.pk:
            # Two OncoCenter records for one person: the identifier follows the survivor; the
            # clinical records stay where they are until staff merge them.
            patients.patient_identifier_move(identifier=row, to=survivor, by=by)
            moved.append(row.patient.mrn)
    if survivor is None:
        raise Hl7Refused("AE", "neither the surviving nor the prior identifier is known here")
    text = f"merged into {survivor.mrn}"
    if moved:
        text += f"; records of {', '.join(moved)} need a manual merge"
    return survivor, text


def _ack_id(now: dt.datetime) -> str:
    return f"OC{now.strftime('%Y%m%d%H%M%S%f')}"


def hl7_receive(*, raw: str, by: User) -> Hl7Message:
    """Store, apply and acknowledge one message. A repeat returns the first answer unchanged."""
    now = timezone.now()
    facility, control_id, _event = adt.header_fields(raw)
    if control_id:
        seen = Hl7Message.objects.filter(
            sending_facility=facility[:60], control_id=control_id[:60]
        ).first()
        if seen is not None:
            return seen
    row = Hl7Message(
        received_at=now,
        sending_facility=facility[:60],
        control_id=control_id[:60],
        raw=adt.normalise(raw),
    )
    try:
        with transaction.atomic():
            _process(row, by=by, now=now)
            row.save()
    except IntegrityError:
        # The same message arrived twice at once: the other connection stored it first.
        seen = Hl7Message.objects.filter(
            sending_facility=facility[:60], control_id=control_id[:60]
        ).first()
        if seen is None:
            raise
        return seen
    return row


def _process(row: Hl7Message, *, by: User, now: dt.datetime) -> None:
    """Apply `row.raw` in a savepoint, so a refusal keeps nothing but the message and its ACK."""
    if oru.message_type(row.raw) == "ORU":
        _process_oru(row, by=by, now=now)
        return
    try:
        msg = adt.parse(row.raw)
        row.message_type = f"ADT^{msg.event}"
        try:
            with transaction.atomic():
                patient, outcome = _apply(msg, by)
        except DomainError as exc:
            raise Hl7Refused("AE", _problems_text(exc)) from exc
        row.ack_code, row.ack_text, row.patient, row.outcome = "AA", "", patient, outcome
    except adt.Hl7Error as exc:
        row.ack_code, row.ack_text, row.patient, row.outcome = exc.code, str(exc)[:300], None, ""
    except Hl7Refused as exc:
        row.ack_code, row.ack_text, row.patient, row.outcome = exc.code, exc.text[:300], None, ""
    if not row.message_type:
        _facility, _control, event = adt.header_fields(row.raw)
        row.message_type = f"ADT^{event}" if event else ""
    row.ack = adt.ack(
        row.raw, row.ack_code, row.ack_text or row.outcome, now=now, ack_id=_ack_id(now)
    )


def _process_oru(row: Hl7Message, *, by: User, now: dt.datetime) -> None:
    """ORU^R01: every final or corrected OBX through labs' one door, all or none."""
    row.message_type = "ORU^R01"
    try:
        msg = oru.parse(row.raw)
        patient = _find_by(msg.identifiers)
        if patient is None:
            raise Hl7Refused("AE", "PID-3: the patient is not known here (send an ADT first)")
        try:
            with transaction.atomic():
                outcome = _apply_results(msg, patient, by)
        except DomainError as exc:
            raise Hl7Refused("AE", getattr(exc, "hl7_where", "") + _problems_text(exc)) from exc
        row.ack_code, row.ack_text, row.patient, row.outcome = "AA", "", patient, outcome[:200]
    except oru.Hl7Error as exc:
        row.ack_code, row.ack_text, row.patient, row.outcome = exc.code, str(exc)[:300], None, ""
    except Hl7Refused as exc:
        row.ack_code, row.ack_text, row.patient, row.outcome = exc.code, exc.text[:300], None, ""
    row.ack = adt.ack(
        row.raw, row.ack_code, row.ack_text or row.outcome, now=now, ack_id=_ack_id(now)
    )


def _find_by(identifiers: list[adt.Identifier]) -> Patient | None:
    for ident in identifiers:
        if ident.authority:
            found = patient_by_identifier(authority=ident.authority, value=ident.value)
            if found is not None:
                return found
    return None


def _apply_results(msg: oru.OruMessage, patient: Patient, by: User) -> str:
    counts = {"recorded": 0, "already recorded": 0, "corrected": 0, "withdrawn": 0}
    notes: list[str] = []
    for obs in msg.observations:
        try:
            if obs.status in ("F", "C"):
                done = lab_result_record(
                    patient=patient,
                    by=by,
                    loinc=obs.loinc,
                    value=obs.value if obs.value is not None else obs.text,
                    text_value=obs.text,
                    unit=obs.unit,
                    collected_at=obs.observed_at,
                    resulted_at=obs.resulted_at,
                    ref_low=obs.ref_low,
                    ref_high=obs.ref_high,
                    accession=obs.accession,
                    source=ResultSource.HL7,
                    correction=obs.status == "C",
                )
                if not done.created:
                    counts["already recorded"] += 1
                elif done.result.status == ResultStatus.CORRECTED:
                    counts["corrected"] += 1
                else:
                    counts["recorded"] += 1
                sender_abnormal = bool(set(obs.flags) & oru.ABNORMAL_FLAGS)
                if obs.flags and sender_abnormal != (done.result.flag != "normal"):
                    notes.append(
                        f"OBX-{obs.set_id} flag {'~'.join(obs.flags)} here {done.result.flag}"
                    )
            elif obs.status in ("D", "W"):
                current = LabResult.objects.filter(
                    patient=patient,
                    analyte__loinc=obs.loinc,
                    accession=obs.accession,
                    status__in=[ResultStatus.FINAL, ResultStatus.CORRECTED],
                ).first()
                if current is not None:
                    lab_result_enter_in_error(
                        result=current,
                        by=by,
                        reason=f"withdrawn by the laboratory (HL7 OBX-11 {obs.status})",
                    )
                    counts["withdrawn"] += 1
            else:
                notes.append(f"OBX-{obs.set_id} not final ({obs.status}), not stored")
        except DomainError as exc:
            exc.hl7_where = f"OBX-{obs.set_id} {obs.loinc}: "  # type: ignore[attr-defined]
            raise
    text = "results " + ", ".join(f"{n} {k}" for k, n in counts.items() if n)
    if not any(counts.values()):
        text = "no result stored"
    return "; ".join([text, *notes])


def hl7_replay(*, message: Hl7Message, by: User) -> Hl7Message:
    """Apply a refused message again (after its cause was fixed); an accepted one is not re-applied."""
    if message.ack_code == "AA":
        raise Conflict(
            _("The message was accepted already; replaying it would apply it twice."),
            rule="hl7_already_applied",
        )
    now = timezone.now()
    with transaction.atomic():
        _process(message, by=by, now=now)
        message.attempts += 1
        message.save()
        audit_record(
            action=AuditAction.UPDATE,
            obj=message,
            patient=message.patient,
            detail={"replay": message.ack_code},
        )
    return message
