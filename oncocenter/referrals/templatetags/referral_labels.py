"""Display labels for department and status codes stored in summaries and quorum results:
a referral department or a diagnostic department, a referral or a workup status."""

from __future__ import annotations

from django import template

from oncocenter.oncology.models import WorkupDepartment, WorkupStatus
from oncocenter.referrals.models import Department, ReferralStatus, Urgency

register = template.Library()


def _label(code: str, *vocabularies: type) -> str:
    for vocabulary in vocabularies:
        try:
            return str(vocabulary(code).label)
        except ValueError:
            continue
    return code


@register.filter
def department_label(code: str) -> str:
    return _label(code, Department, WorkupDepartment)


@register.filter
def status_label(code: str) -> str:
    return _label(code, WorkupStatus, ReferralStatus)


@register.filter
def urgency_label(code: str) -> str:
    return _label(code, Urgency)
