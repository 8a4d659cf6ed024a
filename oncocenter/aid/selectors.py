"""Reads of aid applications: what a family received, and the yearly counts of the reports."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum

from oncocenter.aid.models import AidApplication, AidStatus
from oncocenter.patients.models import Patient


def family_aid_summary(patient: Patient) -> dict[str, Any]:
    """Support received by the child's family: per organisation and in total (won)."""
    apps_qs = AidApplication.objects.filter(patient=patient).select_related("organisation")
    by_org: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"requested": Decimal(0), "granted": Decimal(0), "applications": 0}
    )
    total_req = total_granted = Decimal(0)
    status_counts: Counter[str] = Counter()
    for a in apps_qs:
        row = by_org[a.organisation.name]
        row["applications"] += 1
        row["requested"] += a.amount_requested
        status_counts[a.status] += 1
        total_req += a.amount_requested
        if a.status in (AidStatus.GRANTED, AidStatus.DISBURSED) and a.amount_granted:
            row["granted"] += a.amount_granted
            total_granted += a.amount_granted
    return {
        "by_organisation": dict(by_org),
        "total_requested": total_req,
        "total_granted": total_granted,
        "status_counts": dict(status_counts),
        "applications": list(apps_qs),
    }


def _granted() -> QuerySet[AidApplication]:
    return AidApplication.objects.filter(status__in=[AidStatus.GRANTED, AidStatus.DISBURSED])


def families_granted_per_year(years: list[int], until: dt.date) -> list[int]:
    """Families whose application was granted, per calendar year of the decision."""
    return [
        _granted().filter(decided_on__year=y).values("patient").distinct().count() for y in years
    ]


def amount_granted_per_year(years: list[int], until: dt.date) -> list[Decimal]:
    return [
        _granted().filter(decided_on__year=y).aggregate(s=Sum("amount_granted"))["s"] or Decimal(0)
        for y in years
    ]
