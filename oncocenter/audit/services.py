"""Write and verify the audit trail.

Each event stores the hash of the previous one; appending locks the chain head row, so concurrent
writers queue instead of forking the chain. `audit_verify` recomputes every link.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from oncocenter.audit.context import current_context
from oncocenter.audit.models import AuditAction, AuditChainHead, AuditEvent

GENESIS = "0" * 64


def _canonical(event: AuditEvent) -> bytes:
    at = event.at.astimezone(UTC).isoformat(timespec="microseconds")
    payload = {
        "seq": event.seq,
        "at": at,
        "actor_id": event.actor_id,
        "actor_username": event.actor_username,
        "role": event.role,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "patient_id": event.patient_id,
        "patient_mrn": event.patient_mrn,
        "client_address": event.client_address,
        "request_id": event.request_id,
        "detail": event.detail,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


def _object_ref(obj: models.Model | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


def _patient_ref(patient: Any) -> tuple[int | None, str]:
    if patient is None:
        return None, ""
    return patient.pk, getattr(patient, "mrn", "")


def audit_record(
    *,
    action: str,
    obj: models.Model | None = None,
    patient: Any = None,
    object_type: str = "",
    object_id: str = "",
    detail: dict[str, Any] | None = None,
    actor: Any = None,
    actor_username: str = "",
) -> AuditEvent:
    """Append one event. Actor, role, address and request id come from the bound context."""
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action {action!r}")
    ctx = current_context()
    user = actor if actor is not None else ctx.user
    if obj is not None and not object_type:
        object_type, object_id = _object_ref(obj)
    if patient is None and obj is not None and obj._meta.label_lower == "patients.patient":
        patient = obj
    patient_id, patient_mrn = _patient_ref(patient)
    username = actor_username or (
        user.get_username() if user is not None else ctx.system_actor or "system"
    )
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        event = AuditEvent(
            seq=head.seq + 1,
            at=timezone.now(),
            actor=user,
            actor_username=username[:150],
            role=ctx.role if user is not None and actor is None else "",
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            patient_id=patient_id,
            patient_mrn=patient_mrn,
            client_address=ctx.client_address,
            request_id=ctx.request_id,
            detail=json.loads(json.dumps(detail or {}, default=str)),
            prev_hash=head.hash,
        )
        event.hash = compute_hash(event)
        event.save(force_insert=True)
        head.seq, head.hash = event.seq, event.hash
        head.save(update_fields=["seq", "hash"])
    return event


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    count: int
    broken_seq: int | None = None
    reason: str = ""

    def message(self) -> str:
        if self.ok:
            return f"ok: {self.count} events, chain intact"
        return f"BROKEN at event #{self.broken_seq}: {self.reason} ({self.count} events checked)"


def audit_verify() -> VerifyResult:
    """Walk the chain in order; report the first event whose link or content does not hold."""
    expected_seq = 1
    prev_hash = GENESIS
    count = 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        if event.seq != expected_seq:
            return VerifyResult(
                False, count, expected_seq, f"event #{expected_seq} is missing (deleted)"
            )
        if event.prev_hash != prev_hash:
            return VerifyResult(
                False, count, event.seq, "link to the previous event does not match"
            )
        if compute_hash(event) != event.hash:
            return VerifyResult(False, count, event.seq, "content was changed after it was written")
        prev_hash = event.hash
        expected_seq += 1
        count += 1
    head = AuditChainHead.objects.filter(id=1).first()
    head_seq = head.seq if head else 0
    if head_seq != count:
        return VerifyResult(
            False,
            count,
            count + 1,
            f"the chain head records {head_seq} events (the last ones were deleted)",
        )
    if head is not None and count and head.hash != prev_hash:
        return VerifyResult(False, count, count, "the last event does not match the chain head")
    return VerifyResult(True, count)
