"""Reads of patient data. Functions that return patient data record the read in the audit trail."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import NotFound
from oncocenter.patients.models import Patient, PatientCenter, PatientIdentifier

HANGUL_RE = re.compile(r"[가-힣ㄱ-ㅎ]")
SEARCH_LIMIT = 50


def _search_queryset(query: str, center_code: str | None = None) -> QuerySet[Patient]:
    qs = Patient.objects.all()
    if center_code:
        qs = qs.filter(
            center_memberships__center__code=center_code, center_memberships__active=True
        )
    query = " ".join(query.split())
    if not query:
        return qs
    digits = query.replace("-", "")
    if digits.isdigit():
        return qs.filter(mrn__startswith=digits)
    # Plain (case-sensitive) LIKE on stored lower-case text: the trigram GIN indexes of
    # migration patients 0009 serve it on PostgreSQL (`icontains` would wrap both in UPPER()).
    if HANGUL_RE.search(query):
        return qs.filter(name_ko__contains=query.replace(" ", ""))
    # "family given|given family": a family name alone is found too, and in any case.
    return qs.filter(name_en_search__contains=query.lower())


def search_order(query: str) -> list[Any]:
    """Results by Hangul name, then MRN. For a query of three characters or more the order is
    `lower(name_ko)`, which no index provides: PostgreSQL then finds the matches through the
    trigram index and sorts them, instead of walking the name index in order and filtering
    every row until 50 match (800 ms for a Latin name at 200,000 patients, see
    benchmarks/web/search_trgm.py). Shorter queries have no trigram and match many rows: the
    walk in name order is their best plan."""
    if len(query.replace(" ", "")) >= 3 and not query.replace("-", "").isdigit():
        return [Lower("name_ko"), "mrn"]
    return ["name_ko", "mrn"]


def patient_search(
    *, query: str, center_code: str | None = None, limit: int = SEARCH_LIMIT
) -> list[Patient]:
    """Find patients by MRN (prefix), Hangul name (partial) or Latin name (partial, any order)."""
    memberships = Prefetch(
        "center_memberships", queryset=PatientCenter.objects.select_related("center")
    )
    results = list(
        _search_queryset(query, center_code)
        .prefetch_related(memberships)
        .order_by(*search_order(query))[:limit]
    )
    audit_record(
        action=AuditAction.SEARCH,
        object_type="patients.patient",
        detail={
            "query": query[:100],
            "center": center_code or "",
            "count": len(results),
            "mrns": [p.mrn for p in results],
        },
    )
    return results


def patient_get(*, mrn: str, audit: bool = True) -> Patient:
    patient = (
        Patient.objects.prefetch_related(
            Prefetch("center_memberships", queryset=PatientCenter.objects.select_related("center"))
        )
        .filter(mrn=mrn)
        .first()
    )
    if patient is None:
        raise NotFound(_("No patient with MRN %(mrn)s.") % {"mrn": mrn})
    if audit:
        audit_record(action=AuditAction.READ, obj=patient)
    return patient


def patient_by_identifier(*, authority: str, value: str) -> Patient | None:
    """The patient another system knows by `authority` and `value`, if any (not audited: callers
    audit what they do with it)."""
    found = (
        PatientIdentifier.objects.select_related("patient")
        .filter(authority=authority, value=value)
        .first()
    )
    return found.patient if found is not None else None
