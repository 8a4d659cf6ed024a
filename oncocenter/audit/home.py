"""Audit of the home page: one READ event naming the patients its panels list (issue 17).

Panels are registered by many apps; instead of each remembering an audit call, the home view
publishes ``HomePanelsShown`` and this subscriber looks at what each panel will show: rows that
are patients, or that carry a ``patient`` (object or dict key) with an MRN.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.events import HomePanelsShown


def _mrn_of(row: Any) -> str | None:
    if isinstance(row, dict):
        row = row.get("patient", None)
        if row is None:
            return None
    mrn = getattr(row, "mrn", None)
    if isinstance(mrn, str) and mrn:
        return mrn
    patient = getattr(row, "patient", None)
    mrn = getattr(patient, "mrn", None)
    return mrn if isinstance(mrn, str) and mrn else None


def panel_mrns(context: dict[str, Any]) -> list[str]:
    """MRNs of the patients listed in one panel's context (lists, tuples, evaluated querysets)."""
    found: set[str] = set()
    for value in context.values():
        rows: Iterable[Any]
        if isinstance(value, (list, tuple)):
            rows = value
        elif isinstance(value, QuerySet):
            rows = value  # the template evaluates it anyway; the result cache is shared
        else:
            continue
        for row in rows:
            mrn = _mrn_of(row)
            if mrn:
                found.add(mrn)
    return sorted(found)


def audit_home_panels(event: HomePanelsShown) -> None:
    listed = {key: mrns for key, context in event.panels if (mrns := panel_mrns(context))}
    if not listed:
        return
    audit_record(
        action=AuditAction.READ,
        object_type="core.home",
        detail={"view": "home", "panels": listed},
    )
