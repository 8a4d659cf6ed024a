"""The National Health Insurance co-payment registration of a cancer patient (5 years)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import FieldProblem, ValidationFailed
from oncocenter.oncology.models import CopayRegistration, Diagnosis, copay_expiry
from oncocenter.patients.checks import check_date, check_same_patient
from oncocenter.patients.models import Patient


def copay_register(
    *,
    patient: Patient,
    by: User,
    registered_on: dt.date | str,
    registration_number: str = "",
    diagnosis: Diagnosis | None = None,
    special_code: str = "V193",
) -> CopayRegistration:
    """Record the NHIS reduced co-payment registration; valid through registration + 5 years - 1 day."""
    problems: list[FieldProblem] = []
    when = check_date(problems, "registered_on", registered_on, patient)
    check_same_patient(problems, "diagnosis", diagnosis, patient)
    if not special_code.strip():
        problems.append(FieldProblem("special_code", _("is required")))
    if (
        when is not None
        and CopayRegistration.objects.filter(patient=patient, registered_on=when).exists()
    ):
        problems.append(
            FieldProblem(
                "registered_on",
                _("a registration on this date is already recorded"),
                when.isoformat(),
            )
        )
    if problems:
        raise ValidationFailed(problems)
    assert when is not None
    registration = CopayRegistration(
        patient=patient,
        diagnosis=diagnosis,
        special_code=special_code.strip(),
        registration_number=registration_number.strip(),
        registered_on=when,
        expires_on=copay_expiry(when),
        recorded_by=by,
    )
    with transaction.atomic():
        registration.save()
        audit_record(
            action=AuditAction.CREATE,
            obj=registration,
            patient=patient,
            detail={
                "registered_on": when.isoformat(),
                "expires_on": registration.expires_on.isoformat(),
            },
        )
    return registration
