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


@register.filter
def eligibility_label(code: str) -> str:
    from django.utils.translation import gettext as _

    labels = {
        "eligible": _("Eligible"),
        "ineligible": _("Not eligible"),
        "possibly_eligible": _("Possibly eligible (data missing)"),
        "met": _("met"),
        "unmet": _("unmet"),
        "unknown": _("unknown"),
    }
    return str(labels.get(code, code))
