"""The rule for a date recorded about a patient: a real date, not in the future and not before
the patient's birth. The clinical services (consent here; diagnoses, staging, treatments,
co-payment, trials above) all check their dates with it, so the words are the same everywhere."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from oncocenter.core.errors import FieldProblem
from oncocenter.patients.models import Patient


def check_date(
    problems: list[FieldProblem], field: str, value: Any, patient: Patient, *, required: bool = True
) -> dt.date | None:
    """The date in `value` (a date, an aware datetime or "YYYY-MM-DD"); problems are collected
    into `problems` so that a service reports every broken rule at once."""
    if value in (None, ""):
        if required:
            problems.append(FieldProblem(field, _("is required")))
        return None
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            problems.append(FieldProblem(field, _("must be a date written YYYY-MM-DD"), value))
            return None
    if value > timezone.localdate():
        problems.append(FieldProblem(field, _("cannot be in the future"), value.isoformat()))
    elif value < patient.birth_date:
        problems.append(
            FieldProblem(
                field,
                _("cannot be before the patient's birth (%(birth)s)")
                % {"birth": patient.birth_date.isoformat()},
                value.isoformat(),
            )
        )
    return value
