"""Write and verify the audit trail.

Each event stores a keyed hash (HMAC-SHA256 with `AUDIT_KEY`, a secret that is not in the
database) of its content and of the previous event's hash; appending locks the chain head row, so
concurrent writers queue instead of forking the chain. Every `AUDIT_CHECKPOINT_EVERY` events (and
on `oncocenter audit-checkpoint`) a signed checkpoint (count and head hash) is appended to a file
outside the database. `audit_verify` recomputes every link and compares the chain with every
checkpoint, so an edit (even with every later hash recomputed), a tail cut, a wipe or the restore
of an older database is named.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from oncocenter.audit.context import current_context
from oncocenter.audit.keys import audit_keys, current_key_id
from oncocenter.audit.models import AuditAction, AuditChainHead, AuditEvent

GENESIS = "0" * 64
logger = logging.getLogger(__name__)


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
    """The event's keyed hash with the key its `key_id` names (plain SHA-256 for events written
    before keying, `key_id` empty). Unknown key: a value no stored hash can equal."""
    if not event.key_id:
        return hashlib.sha256(_canonical(event)).hexdigest()
    key = audit_keys().get(event.key_id)
    if key is None:
        return "unknown-key:" + event.key_id
    return hmac.new(key, _canonical(event), hashlib.sha256).hexdigest()


def _object_ref(obj: models.Model | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


def _patient_ref(patient: Any) -> tuple[int | None, str]:
    if patient is None:
        return None, ""
    return patient.pk, getattr(patient, "mrn", "")


def _detail(detail: dict[str, Any] | None, token: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(json.dumps(detail or {}, default=str))
    if token:
        value.setdefault("via_token", token)
    return value


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
            object_type=object_type[:80],
            object_id=str(object_id)[:500],
            patient_id=patient_id,
            patient_mrn=patient_mrn,
            client_address=ctx.client_address,
            request_id=ctx.request_id,
            detail=_detail(detail, ctx.token),
            prev_hash=head.hash,
            key_id=current_key_id(),
        )
        event.hash = compute_hash(event)
        event.save(force_insert=True)
        head.seq, head.hash = event.seq, event.hash
        head.save(update_fields=["seq", "hash"])
        every = settings.AUDIT_CHECKPOINT_EVERY
        if every and event.seq % every == 0:
            seq, digest = event.seq, event.hash
            transaction.on_commit(lambda: _checkpoint_quietly(seq, digest))
    return event


def _checkpoint_quietly(seq: int, digest: str) -> None:
    # A full disk or an unwritable file must not fail the user's request; it is logged, and
    # audit-verify reports the checkpoints it has.
    try:
        checkpoint_write(seq=seq, head_hash=digest)
    except OSError:
        logger.exception("could not write the audit checkpoint #%s", seq)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    count: int
    broken_seq: int | None = None
    reason: str = ""
    checkpoints: int = 0

    def message(self) -> str:
        if self.ok:
            return (
                f"ok: {self.count} events, chain intact, "
                f"{self.checkpoints} checkpoint(s) outside the database agree"
            )
        where = f" at event #{self.broken_seq}" if self.broken_seq is not None else ""
        return f"BROKEN{where}: {self.reason} ({self.count} events checked)"


def audit_verify(
    *, checkpoint_file: Path | str | None = None, using: str = "default"
) -> VerifyResult:
    """Walk the chain in order and report the first event whose link or keyed hash does not hold;
    then hold the chain against every signed checkpoint written outside the database."""
    from oncocenter.audit.checkpoints import CheckpointError, checkpoint_read

    try:
        checkpoints = checkpoint_read(checkpoint_file)
    except CheckpointError as exc:
        return VerifyResult(False, 0, None, str(exc))
    wanted = {cp.seq: cp for cp in checkpoints}
    expected_seq = 1
    prev_hash = GENESIS
    count = 0
    keyed_seen = False
    for event in AuditEvent.objects.using(using).order_by("seq").iterator(chunk_size=2000):
        if event.seq != expected_seq:
            return VerifyResult(
                False, count, expected_seq, f"event #{expected_seq} is missing (deleted)"
            )
        if event.prev_hash != prev_hash:
            return VerifyResult(
                False, count, event.seq, "link to the previous event does not match"
            )
        if keyed_seen and not event.key_id:
            return VerifyResult(
                False, count, event.seq, "an unkeyed event after keyed ones (rewritten)"
            )
        keyed_seen = keyed_seen or bool(event.key_id)
        if event.key_id and event.key_id not in audit_keys():
            return VerifyResult(
                False,
                count,
                event.seq,
                f"written with key {event.key_id!r}, which this installation does not hold "
                "(set ONCOCENTER_AUDIT_OLD_KEYS, or the event was forged)",
            )
        if compute_hash(event) != event.hash:
            return VerifyResult(
                False,
                count,
                event.seq,
                "content was changed after it was written (its keyed hash does not match)",
            )
        cp = wanted.get(event.seq)
        if cp is not None and cp.head_hash != event.hash:
            return VerifyResult(
                False,
                count,
                event.seq,
                f"differs from the checkpoint of {cp.at} (the chain was rewritten from here on)",
            )
        prev_hash = event.hash
        expected_seq += 1
        count += 1
    latest = max(checkpoints, key=lambda cp: cp.seq, default=None)
    if latest is not None and latest.seq > count:
        what = "every event was deleted" if count == 0 else "events were cut from the end"
        return VerifyResult(
            False,
            count,
            count + 1,
            f"the checkpoint of {latest.at} records {latest.seq} events but the database holds "
            f"{count}: {what}, or an older database was restored",
            len(checkpoints),
        )
    head = AuditChainHead.objects.using(using).filter(id=1).first()
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
    return VerifyResult(True, count, checkpoints=len(checkpoints))


def checkpoint_write(*, seq: int | None = None, head_hash: str | None = None) -> Any:
    """Append a signed checkpoint of the chain head (now, or the given one) to the file."""
    from oncocenter.audit.checkpoints import checkpoint_append

    if seq is None or head_hash is None:
        head = AuditChainHead.objects.filter(id=1).first()
        seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    return checkpoint_append(seq=seq, head_hash=head_hash)
