"""Writes of social work: cases, needs assessments and interventions with their outcomes.

Each service checks its rules, then writes and audits atomically.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.core.roles import Role
from oncocenter.patients.models import Patient
from oncocenter.pediatrics.checks import choice, not_before, required
from oncocenter.socialwork import vocab
from oncocenter.socialwork.models import (
    InterventionOutcome,
    NeedsAssessment,
    SocialCase,
    SocialIntervention,
)


@transaction.atomic
def social_case_open(
    *, patient: Patient, by: User, social_worker: User | None, opened_on: dt.date
) -> SocialCase:
    """Open the family's case with a social worker: one open case per child."""
    required("opened_on", opened_on)
    required("social_worker", social_worker)
    assert social_worker is not None
    roles = set(social_worker.role_assignments.values_list("role", flat=True))
    if Role.SOCIAL_WORKER not in roles:
        raise ValidationFailed.single(
            "social_worker", _("must have the social worker role"), social_worker.pk
        )
    if SocialCase.objects.filter(patient=patient, closed_on__isnull=True).exists():
        raise Conflict(
            _("The family already has an open social work case."),
            rule="case_open",
            problems=[FieldProblem("patient", _("open case exists"), patient.pk)],
        )
    case = SocialCase.objects.create(
        patient=patient, social_worker=social_worker, opened_on=opened_on
    )
    audit_record(action="create", obj=case, patient=patient)
    return case


@transaction.atomic
def social_case_close(*, case: SocialCase, by: User, closed_on: dt.date) -> SocialCase:
    required("closed_on", closed_on)
    not_before("closed_on", closed_on, earliest=case.opened_on, what=_("opening date"))
    case.closed_on = closed_on
    case.save(update_fields=["closed_on", "updated_at"])
    audit_record(action="update", obj=case, patient=case.patient)
    return case


@transaction.atomic
def needs_assessment_record(
    *, case: SocialCase, by: User, assessed_on: dt.date, levels: dict[str, str], summary: str = ""
) -> NeedsAssessment:
    """Rate each need domain (financial, housing, schooling, psychological, ...)."""
    required("assessed_on", assessed_on)
    domains = [d["code"] for d in vocab.social_work_domains()]
    level_codes = [lv["code"] for lv in vocab.need_levels()]
    if not levels:
        raise ValidationFailed.single("levels", _("rate at least one need domain"))
    for domain, level in levels.items():
        choice("levels", domain, domains)
        choice(f"levels.{domain}", level, level_codes)
    if assessed_on < case.opened_on:
        raise ValidationFailed.single(
            "assessed_on", _("must not be before the case was opened"), assessed_on
        )
    a = NeedsAssessment.objects.create(
        case=case, assessed_on=assessed_on, levels=dict(levels), summary=summary
    )
    audit_record(action="create", obj=a, patient=case.patient)
    return a


@transaction.atomic
def intervention_add(
    *, case: SocialCase, by: User, domain: str, description: str, started_on: dt.date
) -> SocialIntervention:
    choice("domain", domain, [d["code"] for d in vocab.social_work_domains()])
    required("description", description)
    required("started_on", started_on)
    i = SocialIntervention.objects.create(
        case=case, domain=domain, description=description.strip(), started_on=started_on
    )
    audit_record(action="create", obj=i, patient=case.patient)
    return i


@transaction.atomic
def intervention_record_outcome(
    *,
    intervention: SocialIntervention,
    by: User,
    outcome: str,
    outcome_note: str = "",
    completed_on: dt.date | None = None,
) -> SocialIntervention:
    """A final outcome (achieved, partly, not achieved) needs the completion date."""
    choice("outcome", outcome, InterventionOutcome.values)
    if outcome != InterventionOutcome.PENDING and completed_on is None:
        raise ValidationFailed.single("completed_on", _("is required with a final outcome"))
    not_before("completed_on", completed_on, earliest=intervention.started_on, what=_("start date"))
    intervention.outcome = outcome
    intervention.outcome_note = outcome_note
    intervention.completed_on = completed_on
    intervention.save()
    audit_record(
        action="update",
        obj=intervention,
        patient=intervention.case.patient,
        detail={"outcome": outcome},
    )
    return intervention
