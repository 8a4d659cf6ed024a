"""Reads of social work: the caseload of each social worker."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from oncocenter.socialwork.models import SocialCase


def caseload() -> list[dict[str, Any]]:
    """Open cases per social worker."""
    rows = (
        SocialCase.objects.filter(closed_on__isnull=True)
        .values("social_worker_id", "social_worker__username")
        .annotate(open_cases=Count("id"))
        .order_by("-open_cases", "social_worker__username")
    )
    return [dict(r) for r in rows]
