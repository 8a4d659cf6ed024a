"""Finding the row or the child a page or an endpoint of the pediatric services is about.

A missing one raises ``NotFound`` (the page middleware answers 404 in the shell, the API problem
JSON); reading a child's part of the record is audited.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model
from django.utils.translation import gettext as _

from oncocenter.audit.services import audit_record
from oncocenter.core.errors import NotFound
from oncocenter.patients.models import Patient
from oncocenter.patients.selectors import patient_get

M = TypeVar("M", bound=Model)


def row(model: type[M], pk: Any) -> M:
    obj = model._default_manager.filter(pk=pk).first()
    if obj is None:
        raise NotFound(
            _("No %(what)s with id %(id)s.") % {"what": model._meta.verbose_name, "id": pk}
        )
    return obj


def child(mrn: str, what: str) -> Patient:
    """The child with this MRN, auditing that this part of the record (``what``) was read.

    The audit object types ("support.<what>") keep the names they had before the support app
    was split, so that a search of the audit trail spans the split.
    """
    patient = patient_get(mrn=mrn, audit=False)
    audit_record(action="read", patient=patient, object_type=f"support.{what}", object_id=mrn)
    return patient


def audit_panel_read(key: str, mrns: list[str]) -> None:
    """A home panel that lists children is a read of their data."""
    if mrns:
        audit_record(action="read", object_type=f"support.panel.{key}", detail={"mrns": mrns})
