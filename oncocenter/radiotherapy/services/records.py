"""Deliveries captured from the console's DICOM RT Beams Treatment Record.

The record must match what was approved: the referenced plan (SOP Instance UID), the patient,
the machine (the plan's or one beam-matched to it), the next fraction number and the delivered
meterset of every beam within `METERSET_TOLERANCE`. A mismatch is refused (409
`treatment_record_mismatch`) with every difference listed, and nothing is saved. A matching record
is recorded through `fraction_record_delivery` (every interlock of a manual entry applies), with
the console's treatment time, and kept as a `TreatmentRecordImport`.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.core.permissions import require
from oncocenter.machines.models import Machine
from oncocenter.machines.qa import machine_allowed_for_plan
from oncocenter.radiotherapy.dicom_rtrecord import (
    RTRecordParseError,
    RTTreatmentRecord,
    parse_treatment_record,
)
from oncocenter.radiotherapy.models import (
    Delivery,
    Fraction,
    FractionStatus,
    Plan,
    TreatmentRecordImport,
)
from oncocenter.radiotherapy.services._common import METERSET_TOLERANCE, _machine_specs
from oncocenter.radiotherapy.services.delivery import fraction_record_delivery

RECORD_SOURCES = ("upload", "api", "folder")


def _fmt(value: float | Decimal | None) -> str:
    return _("missing") if value is None else f"{float(value):g}"


def _expected_fraction(plan: Plan) -> tuple[int, Fraction | None]:
    """The fraction number the next treatment of the plan's prescription carries, and its session
    (a partially treated session first, else the booked session of the day, else the next one)."""
    rx = plan.prescription
    partial = (
        Fraction.objects.filter(prescription=rx, status=FractionStatus.PARTIAL)
        .order_by("sequence")
        .first()
    )
    if partial is not None and partial.delivered_number:
        return partial.delivered_number, partial
    return rx.fractions_delivered + 1, None


def _pick_session(plan: Plan, record: RTTreatmentRecord) -> Fraction | None:
    open_sessions = Fraction.objects.filter(
        prescription=plan.prescription, plan=plan, status=FractionStatus.SCHEDULED
    ).order_by("sequence")
    if record.treated_at is not None:
        day = timezone.localtime(record.treated_at).date()
        booked = open_sessions.filter(scheduled_date=day).first()
        if booked is not None:
            return booked
    return open_sessions.first()


def _beam_differences(plan: Plan, record: RTTreatmentRecord) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    tol = float(METERSET_TOLERANCE)
    planned = {
        int(b["number"]): b
        for b in plan.beams
        if b.get("delivery_type", "") in ("TREATMENT", "") and b.get("number") is not None
    }
    delivered = {b.number: b for b in record.treatment_beams if b.number is not None}
    if not record.treatment_beams:
        return [FieldProblem("beams", _("the record has no treatment beam"), "")]
    if not planned:  # a plan entered by hand: compare the total meterset
        total, plan_mu = record.delivered_total, plan.meterset_per_fraction
        if plan_mu is None:
            return [FieldProblem("beams", _("the plan has no meterset to compare with"), "")]
        if total is None or abs(total - float(plan_mu)) > float(plan_mu) * tol:
            problems.append(
                FieldProblem(
                    "meterset",
                    _("planned %(planned)s MU, delivered %(found)s MU")
                    % {"planned": _fmt(plan_mu), "found": _fmt(total)},
                    _fmt(total),
                )
            )
        return problems
    for number, beam in sorted(planned.items()):
        got = delivered.get(number)
        want = beam.get("meterset")
        if got is None:
            problems.append(
                FieldProblem(
                    f"beams.{number}",
                    _("beam %(name)s of the plan is not in the record") % {"name": beam["name"]},
                    "",
                )
            )
            continue
        found = got.delivered_meterset
        if want is None or found is None or abs(found - float(want)) > float(want) * tol:
            problems.append(
                FieldProblem(
                    f"beams.{number}",
                    _("beam %(name)s: planned %(planned)s MU, delivered %(found)s MU")
                    % {"name": beam["name"], "planned": _fmt(want), "found": _fmt(found)},
                    _fmt(found),
                )
            )
    for number in sorted(n for n in delivered if n is not None and n not in planned):
        problems.append(
            FieldProblem(
                f"beams.{number}",
                _("beam %(number)s of the record is not in the plan") % {"number": number},
                str(number),
            )
        )
    return problems


def _identifiers(record: RTTreatmentRecord) -> dict[str, str]:
    """The two identifiers the console checked: Patient ID (the MRN) and birth date."""
    return {"mrn": record.patient_id, "birth_date": record.patient_birth_date}


def treatment_record_import(
    *,
    content: bytes,
    by: User,
    source: str = "upload",
    late_entry_reason: str = "",
    override_reason: str = "",
) -> Delivery:
    """Record the delivery a DICOM RT Beams Treatment Record describes, or refuse it (409
    `treatment_record_mismatch`, every difference a problem) and save nothing."""
    require(by, "rt.delivery.record")
    if source not in RECORD_SOURCES:
        raise ValidationFailed.single("source", _("unknown source"), source)
    try:
        record = parse_treatment_record(content, timezone_name=settings.TIME_ZONE)
    except RTRecordParseError as exc:
        raise ValidationFailed.single(
            "file", _("is not a readable DICOM RT Beams Treatment Record"), str(exc)[:200]
        ) from None
    if not record.sop_instance_uid:
        raise ValidationFailed.single("file", _("has no SOP Instance UID"), "")
    if TreatmentRecordImport.objects.filter(sop_instance_uid=record.sop_instance_uid).exists():
        raise Conflict(
            _("This treatment record was already imported."),
            rule="treatment_record_duplicate",
            problems=[
                FieldProblem(
                    "file", _("SOP Instance UID already imported"), record.sop_instance_uid
                )
            ],
        )
    plan = (
        Plan.objects.select_related("prescription__course__patient", "machine")
        .filter(dicom_sop_instance_uid=record.referenced_plan_uid)
        .first()
        if record.referenced_plan_uid
        else None
    )
    problems: list[FieldProblem] = []
    if plan is None:
        problems.append(
            FieldProblem(
                "plan",
                _("no imported plan has the referenced SOP Instance UID"),
                record.referenced_plan_uid or _("missing"),
            )
        )
    if record.treated_at is None:
        problems.append(
            FieldProblem("treated_at", _("the record has no treatment date and time"), "")
        )
    machine: Machine | None = None
    spec = next((m for m in _machine_specs() if m.answers_to(record.machine_name)), None)
    if spec is None:
        problems.append(
            FieldProblem(
                "machine",
                _("treatment machine %(name)s is not known to the center")
                % {"name": record.machine_name or _("missing")},
                record.machine_name,
            )
        )
    else:
        machine = Machine.objects.get(code=spec.code)
    expected_number = 0
    if plan is not None:
        patient = plan.prescription.course.patient
        if record.patient_id != patient.mrn:
            problems.append(
                FieldProblem(
                    "patient",
                    _("the plan's patient is %(expected)s, the record's %(found)s")
                    % {"expected": patient.mrn, "found": record.patient_id or _("missing")},
                    record.patient_id,
                )
            )
        if record.patient_birth_date != patient.birth_date.isoformat():
            problems.append(
                FieldProblem(
                    "patient_birth_date",
                    _("the plan's patient was born %(expected)s, the record says %(found)s")
                    % {
                        "expected": patient.birth_date.isoformat(),
                        "found": record.patient_birth_date or _("missing"),
                    },
                    record.patient_birth_date,
                )
            )
        if machine is not None:
            try:
                machine_allowed_for_plan(planned=plan.machine, attempted=machine)
            except Conflict as exc:
                problems.extend(exc.problems)
        expected_number, _partial = _expected_fraction(plan)
        numbers = record.fraction_numbers
        if numbers != (expected_number,):
            problems.append(
                FieldProblem(
                    "fraction_number",
                    _("the next fraction is %(expected)s, the record says %(found)s")
                    % {
                        "expected": expected_number,
                        "found": ", ".join(str(n) for n in numbers) or _("missing"),
                    },
                    ",".join(str(n) for n in numbers),
                )
            )
        problems.extend(_beam_differences(plan, record))
    if problems:
        raise Conflict(
            _("The treatment record does not match the plan (%(n)d differences); nothing saved.")
            % {"n": len(problems)},
            rule="treatment_record_mismatch",
            problems=problems,
        )
    assert plan is not None and machine is not None and record.treated_at is not None
    _n, fraction = _expected_fraction(plan)
    fraction = fraction or _pick_session(plan, record)
    if fraction is None:
        raise Conflict(
            _("The plan has no open session to record."),
            rule="fraction_not_open",
            problems=[FieldProblem("fraction_number", _("no open session"), str(expected_number))],
        )
    try:
        with transaction.atomic():
            delivery = fraction_record_delivery(
                fraction=fraction,
                by=by,
                delivered_at=record.treated_at,
                machine=machine,
                identifiers=_identifiers(record),
                meterset_delivered=Decimal(str(record.delivered_total)),
                notes=_("From DICOM treatment record %(uid)s") % {"uid": record.sop_instance_uid},
                late_entry_reason=late_entry_reason,
                override_reason=override_reason,
            )
            TreatmentRecordImport.objects.create(
                delivery=delivery,
                sop_instance_uid=record.sop_instance_uid,
                referenced_plan_uid=record.referenced_plan_uid,
                machine_name=record.machine_name,
                fraction_number=expected_number,
                summary=record.as_dict(),
                source=source,
                imported_by=by,
                imported_at=timezone.now(),
            )
    except IntegrityError as exc:  # the same record imported concurrently
        raise Conflict(
            _("This treatment record was already imported."), rule="treatment_record_duplicate"
        ) from exc
    return delivery
