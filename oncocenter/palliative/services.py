"""Writes of pediatric palliative care: referrals, the care plan, bereavement follow-up.

Each service checks its rules, then writes and audits atomically.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.palliative.models import (
    BereavementFollowUp,
    BereavementKind,
    PalliativeReferral,
    PalliativeStatus,
    PlaceOfCare,
)
from oncocenter.patients.models import Patient
from oncocenter.pediatrics.checks import choice, not_before_birth, required


@transaction.atomic
def palliative_refer(
    *, patient: Patient, by: User, referred_on: dt.date, reason: str
) -> PalliativeReferral:
    """Refer the child to the palliative care team: one open referral per child."""
    required("reason", reason)
    required("referred_on", referred_on)
    not_before_birth("referred_on", referred_on, patient)
    if PalliativeReferral.objects.filter(
        patient=patient, status__in=[PalliativeStatus.REQUESTED, PalliativeStatus.ACTIVE]
    ).exists():
        raise Conflict(
            _("The child already has an open palliative care referral."),
            rule="palliative_open",
            problems=[FieldProblem("patient", _("open referral exists"), patient.pk)],
        )
    r = PalliativeReferral.objects.create(
        patient=patient, referred_on=referred_on, reason=reason.strip(), referred_by=by
    )
    audit_record(action="create", obj=r, patient=patient)
    return r


PALLIATIVE_FLOW = {
    "requested": {"active", "declined"},
    "active": {"closed"},
    "declined": set(),
    "closed": set(),
}


@transaction.atomic
def palliative_update(
    *,
    referral: PalliativeReferral,
    by: User,
    status: str | None = None,
    goals_of_care: str | None = None,
    symptom_plan: str | None = None,
    advance_care_planning: str | None = None,
    place_of_care: str | None = None,
    decline_reason: str | None = None,
) -> PalliativeReferral:
    """Move the referral along requested -> active/declined (with a reason) -> closed, and keep
    the care plan (arguments left as None are kept)."""
    r = PalliativeReferral.objects.select_for_update().get(pk=referral.pk)
    changed: dict[str, Any] = {}
    if status is not None and status != r.status:
        choice("status", status, PalliativeStatus.values)
        if status not in PALLIATIVE_FLOW[r.status]:
            raise ValidationFailed.single(
                "status",
                _("cannot go from %(current)s to %(target)s")
                % {"current": r.get_status_display(), "target": PalliativeStatus(status).label},
                status,
            )
        if status == PalliativeStatus.DECLINED and not (decline_reason or "").strip():
            raise ValidationFailed.single("decline_reason", _("is required to decline a referral"))
        changed["status"] = [r.status, status]
        r.status = status
    if place_of_care is not None:
        choice("place_of_care", place_of_care, PlaceOfCare.values)
        r.place_of_care = place_of_care
    for f, v in (
        ("goals_of_care", goals_of_care),
        ("symptom_plan", symptom_plan),
        ("advance_care_planning", advance_care_planning),
        ("decline_reason", decline_reason),
    ):
        if v is not None:
            setattr(r, f, v.strip())
            changed[f] = True
    r.save()
    audit_record(action="update", obj=r, patient=r.patient, detail=changed)
    return r


@transaction.atomic
def bereavement_plan(
    *, referral: PalliativeReferral, by: User, planned_on: dt.date, kind: str, notes: str = ""
) -> BereavementFollowUp:
    """A contact with the bereaved family, only once the child's date of death is recorded."""
    choice("kind", kind, BereavementKind.values)
    required("planned_on", planned_on)
    deceased_on = referral.patient.deceased_on
    if deceased_on is None:
        raise ValidationFailed.single(
            "planned_on",
            _("bereavement follow-up needs the child's date of death recorded"),
            planned_on,
        )
    if planned_on < deceased_on:
        raise ValidationFailed.single(
            "planned_on", _("must not be before the date of death"), planned_on
        )
    b = BereavementFollowUp.objects.create(
        referral=referral, planned_on=planned_on, kind=kind, notes=notes
    )
    audit_record(action="create", obj=b, patient=referral.patient)
    return b


@transaction.atomic
def bereavement_done(
    *, followup: BereavementFollowUp, by: User, done_on: dt.date, notes: str = ""
) -> BereavementFollowUp:
    required("done_on", done_on)
    followup.done_on = done_on
    if notes:
        followup.notes = notes
    followup.save()
    audit_record(action="update", obj=followup, patient=followup.referral.patient)
    return followup
