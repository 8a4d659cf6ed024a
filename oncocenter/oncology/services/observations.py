"""Observations over time: performance status, tumor markers and disease status."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import FieldProblem, ValidationFailed
from oncocenter.oncology.models import (
    Diagnosis,
    DiseaseStatus,
    DiseaseStatusCode,
    PerformanceScale,
    PerformanceStatus,
    TumorMarker,
    TumorMarkerCode,
)
from oncocenter.oncology.services._checks import check_choice
from oncocenter.patients.checks import check_date, check_same_patient
from oncocenter.patients.models import Patient

LANSKY_BELOW_AGE = 16


def performance_record(
    *,
    patient: Patient,
    by: User,
    scale: str,
    score: int | str,
    observed_on: dt.date | str,
) -> PerformanceStatus:
    """ECOG (0-5) from age 16; Lansky (0-100 by 10) under 16; Karnofsky also accepted for adults."""
    problems: list[FieldProblem] = []
    check_choice(problems, "scale", scale, PerformanceScale)
    when = check_date(problems, "observed_on", observed_on, patient)
    try:
        points = int(score)
    except (TypeError, ValueError):
        problems.append(FieldProblem("score", _("must be a whole number"), score))
        raise ValidationFailed(problems) from None
    if scale == PerformanceScale.ECOG and not 0 <= points <= 5:
        problems.append(FieldProblem("score", _("ECOG must be between 0 and 5"), points))
    if scale in (PerformanceScale.LANSKY, PerformanceScale.KARNOFSKY) and (
        not 0 <= points <= 100 or points % 10
    ):
        problems.append(
            FieldProblem(
                "score",
                _("%(scale)s must be 0-100 in steps of 10")
                % {"scale": PerformanceScale(scale).label},
                points,
            )
        )
    if when is not None and scale in PerformanceScale.values:
        age = patient.age_on(when)
        if age < LANSKY_BELOW_AGE and scale != PerformanceScale.LANSKY:
            problems.append(
                FieldProblem(
                    "scale",
                    _("must be lansky for a patient aged %(age)s (under 16)") % {"age": age},
                    scale,
                )
            )
        if age >= LANSKY_BELOW_AGE and scale == PerformanceScale.LANSKY:
            problems.append(
                FieldProblem(
                    "scale",
                    _("lansky is for children under 16; the patient is %(age)s") % {"age": age},
                    scale,
                )
            )
    if problems:
        raise ValidationFailed(problems)
    assert when is not None
    record = PerformanceStatus(
        patient=patient, scale=scale, score=points, observed_on=when, recorded_by=by
    )
    with transaction.atomic():
        record.save()
        audit_record(
            action=AuditAction.CREATE,
            obj=record,
            patient=patient,
            detail={"scale": scale, "score": points},
        )
    return record


def tumor_marker_record(
    *,
    patient: Patient,
    by: User,
    marker: str,
    value: Decimal | int | float | str,
    unit: str,
    observed_on: dt.date | str,
    diagnosis: Diagnosis | None = None,
) -> TumorMarker:
    """A tumor marker measurement (AFP, beta-hCG, NSE, VMA/HVA, ...)."""
    problems: list[FieldProblem] = []
    check_choice(problems, "marker", marker, TumorMarkerCode)
    when = check_date(problems, "observed_on", observed_on, patient)
    try:
        amount = Decimal(str(value))
        if amount < 0 or not amount.is_finite():
            problems.append(FieldProblem("value", _("must be zero or more"), value))
    except InvalidOperation:
        problems.append(FieldProblem("value", _("must be a number"), value))
        amount = Decimal(0)
    if not unit.strip():
        problems.append(FieldProblem("unit", _("is required")))
    check_same_patient(problems, "diagnosis", diagnosis, patient)
    if problems:
        raise ValidationFailed(problems)
    assert when is not None
    record = TumorMarker(
        patient=patient,
        diagnosis=diagnosis,
        marker=marker,
        value=amount,
        unit=unit.strip(),
        observed_on=when,
        recorded_by=by,
    )
    with transaction.atomic():
        record.save()
        audit_record(
            action=AuditAction.CREATE, obj=record, patient=patient, detail={"marker": marker}
        )
    return record


def disease_status_record(
    *,
    diagnosis: Diagnosis,
    by: User,
    status: str,
    observed_on: dt.date | str,
    note: str = "",
) -> DiseaseStatus:
    """The state of a cancer at one date (mCODE CancerDiseaseStatus): not before the diagnosis."""
    problems: list[FieldProblem] = []
    check_choice(problems, "status", status, DiseaseStatusCode)
    when = check_date(problems, "observed_on", observed_on, diagnosis.patient)
    if when is not None and when < diagnosis.diagnosed_on:
        problems.append(
            FieldProblem(
                "observed_on",
                _("cannot be before the diagnosis (%(date)s)")
                % {"date": diagnosis.diagnosed_on.isoformat()},
                when.isoformat(),
            )
        )
    if problems:
        raise ValidationFailed(problems)
    assert when is not None
    record = DiseaseStatus(
        patient=diagnosis.patient,
        diagnosis=diagnosis,
        status=status,
        observed_on=when,
        note=note.strip(),
        recorded_by=by,
    )
    with transaction.atomic():
        record.save()
        audit_record(
            action=AuditAction.CREATE,
            obj=record,
            patient=diagnosis.patient,
            detail={"status": status},
        )
    return record
