"""The priority policy for previously treated patients: its weights and reserved share."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.clinics.models import PriorityPolicy
from oncocenter.core.errors import FieldProblem, ValidationFailed

POLICY_FIELDS = (
    "prior_treatment_points",
    "urgency_routine_points",
    "urgency_soon_points",
    "urgency_urgent_points",
    "waiting_points_per_day",
    "waiting_points_cap",
    "reserved_share_percent",
    "release_days_before",
)

Points = Decimal | float | int | None


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


# A setting left out of a call keeps its value; None is a value (and refused).
UNCHANGED: Any = _Unchanged()


def policy_update(
    *,
    by: User,
    prior_treatment_points: Points = UNCHANGED,
    urgency_routine_points: Points = UNCHANGED,
    urgency_soon_points: Points = UNCHANGED,
    urgency_urgent_points: Points = UNCHANGED,
    waiting_points_per_day: Points = UNCHANGED,
    waiting_points_cap: Points = UNCHANGED,
    reserved_share_percent: Points = UNCHANGED,
    release_days_before: Points = UNCHANGED,
) -> PriorityPolicy:
    """Change the priority weights given; every value must be zero or more, the share at most
    100 %. Settings left out keep their value; the change is audited with before and after."""
    given = {
        "prior_treatment_points": prior_treatment_points,
        "urgency_routine_points": urgency_routine_points,
        "urgency_soon_points": urgency_soon_points,
        "urgency_urgent_points": urgency_urgent_points,
        "waiting_points_per_day": waiting_points_per_day,
        "waiting_points_cap": waiting_points_cap,
        "reserved_share_percent": reserved_share_percent,
        "release_days_before": release_days_before,
    }
    data = {name: value for name, value in given.items() if value is not UNCHANGED}
    problems = [
        FieldProblem(name, _("must be zero or positive"), value)
        for name, value in data.items()
        if value is None or float(value) < 0
    ]
    share = data.get("reserved_share_percent")
    if share is not None and not (0 <= float(share) <= 100):
        problems.append(
            FieldProblem("reserved_share_percent", _("must be between 0 and 100"), share)
        )
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        PriorityPolicy.objects.get_or_create(id=1)
        policy = PriorityPolicy.objects.select_for_update().get(id=1)
        before = {n: str(getattr(policy, n)) for n in data}
        for name, value in data.items():
            setattr(policy, name, value)
        policy.updated_by = by
        policy.save()
        audit_record(
            action=AuditAction.UPDATE,
            obj=policy,
            detail={"before": before, "after": {k: str(v) for k, v in data.items()}},
        )
    return policy
