"""Vital signs: a nurse's set of blood pressure, pulse, breathing, temperature, SpO2, weight and
height. The ranges are plausibility limits (a typing slip, not a clinical alarm); the database
holds the same limits as CHECK constraints.

A set is never edited (house rule: records are append-only). A mistaken set (wrong patient, not
taken) is marked entered in error; a mistyped one is corrected by recording a corrected set that
supersedes it. Either way the old row keeps its values and takes its correction once (status,
when, who, why); the database refuses anything else (`migrations/0005`)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.core.permissions import require
from oncocenter.oncology.models import VITALS_CURRENT, VitalSigns, VitalSignsStatus
from oncocenter.patients.checks import check_moment
from oncocenter.patients.models import Patient

# field -> (label, low, high, whole number)
LIMITS: dict[str, tuple[Any, Decimal, Decimal, bool]] = {
    "systolic_mmhg": (gettext_lazy("Systolic (mmHg)"), Decimal(40), Decimal(300), True),
    "diastolic_mmhg": (gettext_lazy("Diastolic (mmHg)"), Decimal(20), Decimal(200), True),
    "heart_rate_bpm": (gettext_lazy("Heart rate (/min)"), Decimal(20), Decimal(300), True),
    "respiratory_rate": (gettext_lazy("Respiratory rate (/min)"), Decimal(4), Decimal(80), True),
    "temperature_c": (gettext_lazy("Temperature (°C)"), Decimal(30), Decimal(45), False),
    "spo2_percent": (gettext_lazy("SpO2 (%)"), Decimal(50), Decimal(100), True),
    "weight_kg": (gettext_lazy("Weight (kg)"), Decimal("0.3"), Decimal(350), False),
    "height_cm": (gettext_lazy("Height (cm)"), Decimal(25), Decimal(250), False),
}


# Outside this, weight or height was mistyped (and the stored BMI would not fit its column).
BMI_PLAUSIBLE = (Decimal(3), Decimal(150))


def _number(problems: list[FieldProblem], field: str, value: Any) -> Decimal | int | None:
    if value in (None, ""):
        return None
    label, low, high, whole = LIMITS[field]
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        problems.append(FieldProblem(field, _("must be a number"), value, label=label))
        return None
    if not amount.is_finite() or not low <= amount <= high:
        problems.append(
            FieldProblem(
                field,
                _("must be between %(low)s and %(high)s") % {"low": low, "high": high},
                value,
                label=label,
            )
        )
        return None
    if whole:
        if amount != amount.to_integral_value():
            problems.append(FieldProblem(field, _("must be a whole number"), value, label=label))
            return None
        return int(amount)
    return amount.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def body_mass_index(weight_kg: Decimal, height_cm: Decimal) -> Decimal:
    """kg/m², one decimal."""
    metres = height_cm / Decimal(100)
    return (weight_kg / (metres * metres)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# A correction's reason: long enough to say something, short enough for its column.
REASON_MIN, REASON_MAX = 5, 300


def vital_signs_record(
    *,
    patient: Patient,
    by: User,
    measured_at: dt.datetime | dt.date | None = None,
    **values: Any,
) -> VitalSigns:
    """Record one set of vital signs (at least one measurement; a blood pressure is both values).
    `values` are the measurement fields of `VitalSigns` (`systolic_mmhg`, ..., `height_cm`).
    A date without a time (from another system's record) is kept as that date, time unknown."""
    record, clean = _checked_set(patient, by, measured_at, values)
    with transaction.atomic():
        record.save()
        audit_record(
            action=AuditAction.CREATE,
            obj=record,
            patient=patient,
            detail={f: str(v) for f, v in clean.items() if v is not None},
        )
    return record


def _checked_set(
    patient: Patient,
    by: User,
    measured_at: dt.datetime | dt.date | None,
    values: dict[str, Any],
) -> tuple[VitalSigns, dict[str, Any]]:
    """The unsaved set `values` make, or ValidationFailed naming each bad field."""
    moment: dt.datetime | None
    if isinstance(measured_at, dt.datetime) or measured_at is None:
        moment, time_known = measured_at, True
    else:
        moment, time_known = timezone.make_aware(dt.datetime.combine(measured_at, dt.time())), False
    problems: list[FieldProblem] = []
    unknown = sorted(set(values) - set(LIMITS))
    if unknown:
        raise TypeError(f"vital_signs_record: unknown fields {unknown}")
    when = check_moment(problems, "measured_at", moment, label=gettext_lazy("Measured at"))
    if timezone.localtime(when).date() < patient.birth_date:
        problems.append(
            FieldProblem(
                "measured_at",
                _("cannot be before the patient's birth (%(birth)s)")
                % {"birth": patient.birth_date.isoformat()},
                when.isoformat(),
                label=gettext_lazy("Measured at"),
            )
        )
    clean = {field: _number(problems, field, values.get(field)) for field in LIMITS}
    sys_, dia = clean["systolic_mmhg"], clean["diastolic_mmhg"]
    if (values.get("systolic_mmhg") in (None, "")) != (values.get("diastolic_mmhg") in (None, "")):
        missing = (
            "diastolic_mmhg" if values.get("diastolic_mmhg") in (None, "") else "systolic_mmhg"
        )
        problems.append(
            FieldProblem(missing, _("a blood pressure needs both values"), label=LIMITS[missing][0])
        )
    elif sys_ is not None and dia is not None and sys_ <= dia:
        problems.append(
            FieldProblem(
                "diastolic_mmhg",
                _("must be below the systolic (%(systolic)s)") % {"systolic": sys_},
                dia,
                label=LIMITS["diastolic_mmhg"][0],
            )
        )
    if not problems and all(v is None for v in clean.values()):
        problems.append(
            FieldProblem(
                "vital_signs",
                _("enter at least one measurement"),
                label=gettext_lazy("Vital signs"),
            )
        )
    weight, height = clean["weight_kg"], clean["height_cm"]
    bmi = (
        body_mass_index(Decimal(weight), Decimal(height))
        if weight is not None and height is not None
        else None
    )
    if bmi is not None and not BMI_PLAUSIBLE[0] <= bmi <= BMI_PLAUSIBLE[1]:
        problems.append(
            FieldProblem(
                "weight_kg",
                _("with this height gives a BMI of %(bmi)s: check weight and height")
                % {"bmi": bmi},
                weight,
                label=LIMITS["weight_kg"][0],
            )
        )
    if problems:
        raise ValidationFailed(problems)
    record = VitalSigns(
        patient=patient,
        measured_at=when,
        time_known=time_known,
        recorded_by=by,
        bmi=bmi,
        **clean,
    )
    return record, clean


def _reason(reason: Any) -> str:
    text = (reason or "").strip() if isinstance(reason, str) else ""
    if not REASON_MIN <= len(text) <= REASON_MAX:
        raise ValidationFailed(
            [
                FieldProblem(
                    "reason",
                    _("a reason of %(low)d to %(high)d characters is required")
                    % {"low": REASON_MIN, "high": REASON_MAX},
                    label=gettext_lazy("Reason"),
                )
            ]
        )
    return text


def _lock_standing(vital_signs: VitalSigns) -> VitalSigns:
    """The set, locked, once it still stands; else 409 naming the rule (a correction is
    recorded once: correct the set that now stands instead)."""
    row = VitalSigns.objects.select_for_update().select_related("patient").get(pk=vital_signs.pk)
    if row.status not in VITALS_CURRENT:
        raise Conflict(
            _(
                "This set of vital signs is already %(status)s: a set is corrected once "
                "(correct the set that stands instead)."
            )
            % {"status": row.get_status_display().lower()},
            rule="vitals_corrected_once",
        )
    return row


def _close(row: VitalSigns, status: str, by: User, reason: str) -> None:
    row.status = status
    row.corrected_at = timezone.now()
    row.corrected_by = by
    row.correction_reason = reason
    row.save(
        update_fields=["status", "corrected_at", "corrected_by", "correction_reason", "updated_at"]
    )


def vital_signs_mark_entered_in_error(
    *, vital_signs: VitalSigns, by: User, reason: str
) -> VitalSigns:
    """Mark a set entered in error (it should never have been recorded: wrong patient, not
    taken). The row stays, readable, with who, when and why; it leaves trends and latest values."""
    require(by, "observation.record")
    text = _reason(reason)
    with transaction.atomic():
        row = _lock_standing(vital_signs)
        _close(row, VitalSignsStatus.ENTERED_IN_ERROR, by, text)
        audit_record(
            action=AuditAction.UPDATE,
            obj=row,
            patient=row.patient,
            detail={"status": row.status, "reason": text},
        )
    return row


def vital_signs_correct(
    *,
    vital_signs: VitalSigns,
    by: User,
    reason: str,
    measured_at: dt.datetime | dt.date | None = None,
    **values: Any,
) -> VitalSigns:
    """Correct a set: record the corrected set (status amended, pointing to the old one) and mark
    the old one superseded with the reason. `values` are the whole corrected set, checked as a new
    one; `measured_at` left out keeps the old set's moment (and whether its time was known)."""
    require(by, "observation.record")
    text = _reason(reason)
    with transaction.atomic():
        old = _lock_standing(vital_signs)
        if measured_at is None:
            measured_at = (
                old.measured_at if old.time_known else timezone.localtime(old.measured_at).date()
            )
        new, clean = _checked_set(old.patient, by, measured_at, values)
        new.status = VitalSignsStatus.AMENDED
        new.supersedes = old
        # The corrected set first, so the old set's new version (FHIR history) names it.
        new.save()
        _close(old, VitalSignsStatus.SUPERSEDED, by, text)
        audit_record(
            action=AuditAction.UPDATE,
            obj=old,
            patient=old.patient,
            detail={"status": old.status, "reason": text, "superseded_by": new.pk},
        )
        audit_record(
            action=AuditAction.CREATE,
            obj=new,
            patient=new.patient,
            detail={
                **{f: str(v) for f, v in clean.items() if v is not None},
                "supersedes": old.pk,
                "reason": text,
            },
        )
    return new
