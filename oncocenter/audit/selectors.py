from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet

from oncocenter.audit.models import AuditEvent


def audit_events(
    *, patient_mrn: str = "", username: str = "", action: str = ""
) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.all().order_by("-seq")
    if patient_mrn:
        qs = qs.filter(patient_mrn=patient_mrn)
    if username:
        qs = qs.filter(actor_username=username)
    if action:
        qs = qs.filter(action=action)
    return qs


@dataclass
class KeysetPage:
    """One page of events by sequence number: no OFFSET and no COUNT over the whole trail."""

    object_list: list[AuditEvent]
    newer: int | None  # pass as `after` for the page of newer events
    older: int | None  # pass as `before` for the page of older events


def audit_page(
    qs: QuerySet[AuditEvent], *, before: int | None = None, after: int | None = None, size: int = 50
) -> KeysetPage:
    """Newest first, `size` events older than `before` (or newer than `after`).

    Each filter has an index ending in `seq` (audit_user_seq, audit_patient_seq,
    audit_action_seq), so a page reads `size + 1` index entries whatever the trail's length.
    """
    if after is not None:
        rows = list(qs.filter(seq__gt=after).order_by("seq")[: size + 1])
        more_newer = len(rows) > size
        rows = list(reversed(rows[:size]))
        return KeysetPage(rows, rows[0].seq if more_newer and rows else None, _older(qs, rows))
    if before is not None:
        qs = qs.filter(seq__lt=before)
    rows = list(qs.order_by("-seq")[: size + 1])
    more_older = len(rows) > size
    rows = rows[:size]
    newer = rows[0].seq if before is not None and rows else None
    return KeysetPage(rows, newer, rows[-1].seq if more_older else None)


def _older(qs: QuerySet[AuditEvent], rows: list[AuditEvent]) -> int | None:
    if not rows:
        return None
    return rows[-1].seq if qs.filter(seq__lt=rows[-1].seq).exists() else None


def audit_estimated_total() -> int | None:
    """The planner's row estimate on PostgreSQL (kept fresh by autovacuum/ANALYZE), instead of
    counting a table of millions on every view; None elsewhere."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
            [AuditEvent._meta.db_table],
        )
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] >= 0 else None
