"""Display labels for the codes stored in case summaries and quorum results."""

from django import template

from oncocenter.oncology.models import Modality, WorkupDepartment, WorkupStatus
from oncocenter.referrals.models import Department, ReferralStatus

register = template.Library()


@register.filter
def department_label(code: str) -> str:
    try:
        return str(Department(code).label)
    except ValueError:
        try:
            return str(WorkupDepartment(code).label)
        except ValueError:
            return code


@register.filter
def status_label(code: str) -> str:
    for choices in (WorkupStatus, ReferralStatus):
        try:
            return str(choices(code).label)
        except ValueError:
            continue
    return code


@register.filter
def modality_label(code: str) -> str:
    try:
        return str(Modality(code).label)
    except ValueError:
        return code
