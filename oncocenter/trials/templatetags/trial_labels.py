"""Display labels for the eligibility verdicts of pre-screening (trials/eligibility.py)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def eligibility_label(code: str) -> str:
    labels = {
        "eligible": _("Eligible"),
        "ineligible": _("Not eligible"),
        "possibly_eligible": _("Possibly eligible (data missing)"),
        "met": _("met"),
        "unmet": _("unmet"),
        "unknown": _("unknown"),
    }
    return str(labels.get(code, code))
