"""Write and verify the audit trail.

Each event stores a keyed hash (HMAC-SHA256 with `AUDIT_KEY`, a secret that is not in the
database) of its content and of the previous event's hash in the same shard. Events are chained in
`AUDIT_SHARDS` shards (issue 18): an event goes to the shard of its request id (or its actor), so
one request's events stay in one chain and in order, and appending locks only that shard's head
row; concurrent writers wait only when two land on the same shard. `seq` stays a global order
(a database sequence on PostgreSQL). Shard 0 is the single chain written before sharding (epoch
0); every sharded chain starts from a genesis hash that is the HMAC of epoch 0's last hash and the
shard number, so cutting or rewriting epoch 0 breaks every later chain.

Every `AUDIT_CHECKPOINT_EVERY` events of a shard (and on `oncocenter audit-checkpoint`, one line
per shard) a signed checkpoint (shard, count and head hash) is appended to a file outside the
database. `audit_verify` walks each shard's chain, recomputes every link, checks that each event
is in the shard its key names, and compares each shard with its checkpoints, so an edit (even with
every later hash recomputed), a deletion, a move between shards, a tail cut, a wipe or the restore
of an older database is named, with its shard.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections, models, transaction
from django.db.models import Max
from django.utils import timezone

from oncocenter.audit.context import current_context
from oncocenter.audit.keys import audit_keys, current_key, current_key_id
from oncocenter.audit.models import AuditAction, AuditChainHead, AuditEvent

GENESIS = "0" * 64
EPOCH0_SHARD = 0
# The PostgreSQL sequence giving `seq` (migration 0005): no row is locked by every writer.
SEQ_SEQUENCE = "audit_event_seq"
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
    # Epoch 0's events were hashed without a shard; their hashes must stay what they were.
    if event.shard != EPOCH0_SHARD:
        payload["shard"] = event.shard
        payload["shard_seq"] = event.shard_seq
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


def shard_of(key: str, shards: int | None = None) -> int:
    """The shard (1..AUDIT_SHARDS) of an event whose request id (or, without one, actor) is
    `key`. A stable hash, not Python's `hash()`, which differs between processes."""
    count = shards or settings.AUDIT_SHARDS
    digest = hashlib.sha256(("oncocenter-audit-shard:" + key).encode()).digest()
    return 1 + int.from_bytes(digest[:8], "big") % count


def shard_key(event: AuditEvent) -> str:
    return event.request_id or event.actor_username


def shard_genesis(*, epoch0_head: str, shard: int, key: bytes) -> str:
    """The `prev_hash` of a sharded chain's first event: tied to epoch 0's last hash with the
    audit key, so nobody without the key can start a chain over or cut epoch 0."""
    message = f"oncocenter-audit-genesis/1|{epoch0_head}|{shard}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _epoch0_head(using: str = "default") -> str:
    head = AuditChainHead.objects.using(using).filter(id=EPOCH0_SHARD).first()
    return head.hash if head is not None else GENESIS


def lock_shard_head(shard: int) -> AuditChainHead:
    """The shard's head row, locked until the transaction ends."""
    head = AuditChainHead.objects.select_for_update().filter(id=shard).first()
    if head is None:
        # The first audit write of the installation creates every shard's head at once, so
        # later writes cost the same queries whichever shard they land on. A head without
        # events holds the hash its chain continues from (epoch 0's last); concurrent first
        # writers insert the same rows, and the conflict is ignored.
        start = _epoch0_head()
        AuditChainHead.objects.bulk_create(
            [AuditChainHead(id=s, seq=0, hash=start) for s in range(1, settings.AUDIT_SHARDS + 1)],
            ignore_conflicts=True,
        )
        head = AuditChainHead.objects.select_for_update().get(id=shard)
    return head


def chain_prev(head: AuditChainHead) -> str:
    """The `prev_hash` of the next event of the head's shard: the last event's hash, or for the
    first event the genesis, made with the key that event is signed with (so a key rotated
    before a shard's first event still verifies)."""
    if head.seq:
        return head.hash
    return shard_genesis(epoch0_head=head.hash, shard=head.id, key=current_key())


def _next_seq() -> int:
    connection = connections["default"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s)", [SEQ_SEQUENCE])
            return int(cursor.fetchone()[0])
    # SQLite runs one write transaction at a time (IMMEDIATE, config/dburl.py): the maximum
    # cannot change under us.
    top = AuditEvent.objects.aggregate(top=Max("seq"))["top"]
    return (top or 0) + 1


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
    event = AuditEvent(
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
        key_id=current_key_id(),
    )
    # One request's (or job's: jobs bind `job-N`) events share a request id, hence one shard: a
    # transaction locks one head, and two transactions cannot deadlock on heads taken in
    # opposite orders.
    event.shard = shard_of(shard_key(event))
    with transaction.atomic():
        head = lock_shard_head(event.shard)
        # Numbered under the shard's lock, so `seq` grows along each shard's chain.
        event.seq = _next_seq()
        event.shard_seq = head.seq + 1
        event.prev_hash = chain_prev(head)
        event.at = timezone.now()
        event.hash = compute_hash(event)
        event.save(force_insert=True)
        head.seq, head.hash = event.shard_seq, event.hash
        head.save(update_fields=["seq", "hash"])
        every = settings.AUDIT_CHECKPOINT_EVERY
        if every and event.shard_seq % every == 0:
            shard, count, digest = event.shard, event.shard_seq, event.hash
            transaction.on_commit(lambda: _checkpoint_quietly(shard, count, digest))
    return event


def _checkpoint_quietly(shard: int, seq: int, digest: str) -> None:
    # A full disk or an unwritable file must not fail the user's request; it is logged, and
    # audit-verify reports the checkpoints it has.
    try:
        checkpoint_write(shard=shard, seq=seq, head_hash=digest)
    except OSError:
        logger.exception("could not write the audit checkpoint of shard %s #%s", shard, seq)


@dataclass(frozen=True)
class Finding:
    """What verification found wrong in one shard (the first break of that shard's chain)."""

    shard: int | None
    reason: str
    shard_seq: int | None = None
    seq: int | None = None

    def message(self) -> str:
        where = "checkpoints" if self.shard is None else f"shard {self.shard}"
        if self.shard_seq is not None:
            where += f", event {self.shard_seq}"
            if self.seq is not None:
                where += f" (#{self.seq})"
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    count: int
    findings: tuple[Finding, ...] = ()
    checkpoints: int = 0
    shards: int = 0

    @property
    def broken_seq(self) -> int | None:
        """The position (in its shard) of the first finding's event."""
        return self.findings[0].shard_seq if self.findings else None

    @property
    def shard(self) -> int | None:
        return self.findings[0].shard if self.findings else None

    @property
    def reason(self) -> str:
        return self.findings[0].reason if self.findings else ""

    def message(self) -> str:
        if self.ok:
            return (
                f"ok: {self.count} events in {self.shards} shard(s), every chain intact, "
                f"{self.checkpoints} checkpoint(s) outside the database agree"
            )
        found = "; ".join(f.message() for f in self.findings)
        return f"BROKEN: {found} ({self.count} events checked)"


@dataclass
class _ShardWalk:
    """One shard's chain, walked in `shard_seq` order; stops checking at its first break."""

    shard: int
    epoch0_head: str
    epoch0_last_seq: int
    checkpoints: dict[int, Any]
    count: int = 0
    last_hash: str = ""
    last_seq: int = 0
    keyed_seen: bool = False
    finding: Finding | None = field(default=None)

    def _expected_prev(self, event: AuditEvent, keys: dict[str, bytes]) -> str:
        if self.count:
            return self.last_hash
        if self.shard == EPOCH0_SHARD:
            return GENESIS
        key = keys.get(event.key_id)
        return shard_genesis(epoch0_head=self.epoch0_head, shard=self.shard, key=key) if key else ""

    def _problem(self, event: AuditEvent, keys: dict[str, bytes]) -> str | None:
        sharded = self.shard != EPOCH0_SHARD
        if sharded and shard_of(shard_key(event)) != self.shard:
            return (
                f"its request id or actor belongs in shard {shard_of(shard_key(event))} "
                "(moved between chains)"
            )
        if (self.keyed_seen or sharded) and not event.key_id:
            return "an unkeyed event after keyed ones (rewritten)"
        self.keyed_seen = self.keyed_seen or bool(event.key_id)
        if event.key_id and event.key_id not in keys:
            return (
                f"written with key {event.key_id!r}, which this installation does not hold "
                "(set ONCOCENTER_AUDIT_OLD_KEYS, or the event was forged)"
            )
        if event.prev_hash != self._expected_prev(event, keys):
            if self.count == 0 and sharded:
                return (
                    "does not start from the end of the chain before sharding "
                    "(epoch 0 was cut or rewritten)"
                )
            return "link to the previous event does not match"
        if compute_hash(event) != event.hash:
            return "content was changed after it was written (its keyed hash does not match)"
        floor = self.last_seq if self.count else (self.epoch0_last_seq if sharded else 0)
        if event.seq <= floor:
            return "out of the global order (sequence numbers were rewritten)"
        cp = self.checkpoints.get(event.shard_seq)
        if cp is not None and cp.head_hash != event.hash:
            return f"differs from the checkpoint of {cp.at} (the chain was rewritten from here on)"
        return None

    def step(self, event: AuditEvent, keys: dict[str, bytes]) -> None:
        if self.finding is not None:
            return
        if event.shard_seq != self.count + 1:
            missing = self.count + 1
            self.finding = Finding(self.shard, f"event {missing} is missing (deleted)", missing)
            return
        problem = self._problem(event, keys)
        if problem is not None:
            self.finding = Finding(self.shard, problem, event.shard_seq, event.seq)
            return
        self.last_hash, self.last_seq = event.hash, event.seq
        self.count += 1

    def finish(self, head: AuditChainHead | None) -> Finding | None:
        if self.finding is not None:
            return self.finding
        latest = max(self.checkpoints.values(), key=lambda cp: cp.seq, default=None)
        if latest is not None and latest.seq > self.count:
            what = "every event was deleted" if self.count == 0 else "events were cut from the end"
            return Finding(
                self.shard,
                f"the checkpoint of {latest.at} records {latest.seq} events but the database "
                f"holds {self.count}: {what}, or an older database was restored",
                self.count + 1,
            )
        head_seq = head.seq if head is not None else 0
        if head_seq != self.count:
            return Finding(
                self.shard,
                f"the chain head records {head_seq} events (the last ones were deleted)",
                self.count + 1,
            )
        if head is not None and self.count and head.hash != self.last_hash:
            return Finding(self.shard, "the last event does not match the chain head", self.count)
        return None


def audit_verify(
    *, checkpoint_file: Path | str | None = None, using: str = "default"
) -> VerifyResult:
    """Walk each shard's chain in order and report, per shard, the first event whose link,
    shard or keyed hash does not hold; then hold each shard against its signed checkpoints
    written outside the database and against its chain head."""
    from oncocenter.audit.checkpoints import CheckpointError, checkpoint_read

    try:
        checkpoints = checkpoint_read(checkpoint_file)
    except CheckpointError as exc:
        return VerifyResult(False, 0, (Finding(None, str(exc)),))
    wanted: dict[int, dict[int, Any]] = defaultdict(dict)
    for cp in checkpoints:
        wanted[cp.shard][cp.seq] = cp
    keys = audit_keys()
    heads = {head.id: head for head in AuditChainHead.objects.using(using)}
    walks: dict[int, _ShardWalk] = {}
    epoch0 = _ShardWalk(EPOCH0_SHARD, GENESIS, 0, wanted[EPOCH0_SHARD])
    walks[EPOCH0_SHARD] = epoch0
    events = AuditEvent.objects.using(using).order_by("shard", "shard_seq")
    for event in events.iterator(chunk_size=2000):
        walk = walks.get(event.shard)
        if walk is None:
            # Epoch 0 is complete once another shard's events come (shard 0 sorts first).
            head0 = epoch0.last_hash if epoch0.count else GENESIS
            walk = _ShardWalk(event.shard, head0, epoch0.last_seq, wanted[event.shard])
            walks[event.shard] = walk
        walk.step(event, keys)
    for shard in set(wanted) | set(heads):
        walks.setdefault(shard, _ShardWalk(shard, GENESIS, 0, wanted[shard]))
    findings = []
    count = 0
    for shard in sorted(walks):
        walk = walks[shard]
        count += walk.count
        finding = walk.finish(heads.get(shard))
        if finding is not None:
            findings.append(finding)
    active = sum(1 for walk in walks.values() if walk.count)
    return VerifyResult(not findings, count, tuple(findings), len(checkpoints), active)


def checkpoint_write(
    *, shard: int | None = None, seq: int | None = None, head_hash: str | None = None
) -> list[Any]:
    """Append a signed checkpoint of one shard's head (the given one), or of every shard's head
    now (one line each, shards with events), to the file outside the database."""
    from oncocenter.audit.checkpoints import checkpoint_append

    if shard is not None and seq is not None and head_hash is not None:
        return [checkpoint_append(shard=shard, seq=seq, head_hash=head_hash)]
    # Shards without events yet have nothing to hold.
    return [
        checkpoint_append(shard=head.id, seq=head.seq, head_hash=head.hash)
        for head in AuditChainHead.objects.filter(seq__gt=0).order_by("id")
    ]
