"""Helpers shared by the radiotherapy services: constants, number parsing, row locks, machines."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from oncocenter.accounts.models import CredentialKind
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.machines.models import Machine
from oncocenter.radiotherapy.dicom_rtplan import MachineSpec
from oncocenter.radiotherapy.models import CourseStatus, GapSensitiveSite, Prescription
from oncocenter.radiotherapy.rules import match_gap_sensitive_site

RO_CREDENTIALS = (CredentialKind.SPECIALIST_RADIATION_ONCOLOGY,)
PHYSICIST_CREDENTIALS = (CredentialKind.MEDICAL_PHYSICIST,)
THERAPIST_CREDENTIALS = (CredentialKind.RADIATION_THERAPIST,)
PHYSICIAN_CREDENTIALS = (
    CredentialKind.MEDICAL_LICENSE,
    CredentialKind.SPECIALIST_RADIATION_ONCOLOGY,
)

#: Relative tolerance between a plan's dose per fraction and the prescription.
DOSE_TOLERANCE = 0.01
#: A delivery may exceed the planned meterset by this much (rounding at the console).
METERSET_TOLERANCE = Decimal("0.02")
MIN_JUSTIFICATION = 20
IDENTIFIER_KINDS = ("mrn", "birth_date", "name")

OPEN_COURSE = (CourseStatus.PLANNED, CourseStatus.ACTIVE)

#: A number as the API, a form or a test gives it; `_dec` checks and rounds it.
Number = Decimal | int | float | str


def _dec(value: object, field: str, *, places: str = "0.001") -> Decimal:
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationFailed.single(field, _("must be a number"), value) from None
    if not d.is_finite():
        raise ValidationFailed.single(field, _("must be a finite number"), value)
    return d.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _lock_rx(prescription: Prescription) -> Prescription:
    return (
        Prescription.objects.select_for_update()
        .select_related("course__patient")
        .get(pk=prescription.pk)
    )


def _machine_specs() -> list[MachineSpec]:
    specs = []
    for m in Machine.objects.prefetch_related("techniques", "dicom_names"):
        specs.append(
            MachineSpec(
                code=m.code,
                name=m.name,
                techniques=frozenset(m.technique_codes()),
                in_service=m.in_service,
                aliases=tuple(n.dicom_name for n in m.dicom_names.all()),
            )
        )
    return specs


def _check_machine(machine: Machine, technique: str, *, field: str = "machine") -> None:
    if not machine.in_service:
        raise Conflict(
            _("Machine %(machine)s is out of service.") % {"machine": machine.code},
            rule="machine_out_of_service",
            problems=[FieldProblem(field, _("machine is out of service"), machine.code)],
        )
    if not machine.can_deliver(technique):
        raise Conflict(
            _("Machine %(machine)s cannot deliver %(technique)s.")
            % {"machine": machine.code, "technique": technique},
            rule="machine_incapable",
            problems=[
                FieldProblem(
                    field,
                    _("machine is not capable of %(technique)s") % {"technique": technique},
                    machine.code,
                )
            ],
        )


def _gap_site(icd10: str, morphology: str) -> str:
    sites = [s.as_rule() for s in GapSensitiveSite.objects.filter(active=True)]
    return (
        match_gap_sensitive_site(icd10_code=icd10, icdo3_morphology=morphology, sites=sites) or ""
    )


class _Unchanged:
    """The default of an edit service's arguments: the field is left as it is."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Any = _Unchanged()
