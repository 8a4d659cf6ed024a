"""Template filters that show clinical codes with their names in the reader's language."""

from __future__ import annotations

from django import template

from oncocenter.oncology import labels
from oncocenter.oncology.models import Modality, WorkupDepartment, WorkupStatus

register = template.Library()

register.filter("icd10_name", labels.icd10_name)
register.filter("morphology_name", labels.morphology_name)
register.filter("topography_name", labels.topography_name)
register.filter("iccc_label", labels.iccc_label)
register.filter("staging_site_label", labels.staging_site_label)


@register.filter
def modality_label(code: str) -> str:
    try:
        return str(Modality(code).label)
    except ValueError:
        return code


@register.filter
def workup_department_label(code: str) -> str:
    try:
        return str(WorkupDepartment(code).label)
    except ValueError:
        return code


@register.filter
def workup_status_label(code: str) -> str:
    try:
        return str(WorkupStatus(code).label)
    except ValueError:
        return code
