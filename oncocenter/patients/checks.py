"""Checks every clinical service makes about a patient's record, so the words are the same
everywhere: a date recorded about the patient (a real date, not in the future, not before the
birth), a moment that has not come yet, and a linked row that belongs to the same patient.
Each appends its problem to the caller's list, so a service reports every broken rule at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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


# A clock a few minutes ahead of the server's must not refuse "now" typed at a workstation.
CLOCK_SKEW = dt.timedelta(minutes=5)


def check_moment(
    problems: list[FieldProblem], field: str, value: dt.datetime | None, *, label: Any = None
) -> dt.datetime:
    """When something was ordered or requested: now when not given, never in the future."""
    now = timezone.now()
    value = value or now
    if value > now + CLOCK_SKEW:
        problems.append(
            FieldProblem(field, _("cannot be in the future"), value.isoformat(), label=label)
        )
    return value


DIAGNOSIS = gettext_lazy("Diagnosis")


def check_same_patient(
    problems: list[FieldProblem],
    field: str,
    row: Any,
    patient: Patient,
    *,
    label: Any = DIAGNOSIS,
) -> None:
    """A linked row (a diagnosis, a plan) must be the same patient's; None is allowed."""
    if row is not None and row.patient_id != patient.pk:
        problems.append(FieldProblem(field, _("belongs to another patient"), row.pk, label=label))
