"""Signed checkpoints of the audit chain, kept outside the database.

One JSON line per checkpoint of one shard's chain in an append-only file
(`AUDIT_CHECKPOINT_FILE`, in the data directory by default): the shard, its number of events, its
head hash, when, and an HMAC over the four with the audit key. Lines written before sharding
(format 1, no shard) are checkpoints of shard 0, the chain of epoch 0. A database restored from an older backup, a tail cut or a wipe leaves the database
behind the latest checkpoint, which `audit-verify` reports. Copy the file elsewhere regularly
(`oncocenter audit-checkpoint --export PATH`, e.g. to a write-once share), because whoever can
rewrite both the database and this file can hide a change that happened after the last export.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from oncocenter.audit.keys import audit_keys, current_key, current_key_id

FORMAT_V1 = "oncocenter-audit-checkpoint/1"
FORMAT = "oncocenter-audit-checkpoint/2"


class CheckpointError(Exception):
    """The checkpoint file itself was changed (a line whose signature does not hold)."""


@dataclass(frozen=True)
class Checkpoint:
    shard: int
    seq: int
    head_hash: str
    at: str
    key_id: str
    sig: str


def _signature(key: bytes, shard: int | None, seq: int, head_hash: str, at: str) -> str:
    # shard None: a line of format 1, signed before shards existed.
    if shard is None:
        message = f"{FORMAT_V1}|{seq}|{head_hash}|{at}"
    else:
        message = f"{FORMAT}|{shard}|{seq}|{head_hash}|{at}"
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def checkpoint_path(path: Path | str | None = None) -> Path | None:
    chosen = path if path is not None else settings.AUDIT_CHECKPOINT_FILE
    return Path(chosen) if chosen else None


def checkpoint_append(
    *, shard: int, seq: int, head_hash: str, path: Path | str | None = None
) -> Checkpoint:
    """Append one signed line (and fsync it); the file is created readable by its owner only."""
    target = checkpoint_path(path)
    at = timezone.now().isoformat(timespec="seconds")
    cp = Checkpoint(
        shard=shard,
        seq=seq,
        head_hash=head_hash,
        at=at,
        key_id=current_key_id(),
        sig=_signature(current_key(), shard, seq, head_hash, at),
    )
    if target is None:
        return cp
    target.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps({"format": FORMAT, **asdict(cp)}, sort_keys=True) + "\n").encode()
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)
    return cp


def checkpoint_read(path: Path | str | None = None) -> list[Checkpoint]:
    """Every checkpoint in the file, each signature checked; CheckpointError names a bad line."""
    target = checkpoint_path(path)
    if target is None or not target.exists():
        return []
    keys = audit_keys()
    found: list[Checkpoint] = []
    with target.open(encoding="utf-8") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                data = json.loads(raw)
                signed_shard = None if data.get("format") == FORMAT_V1 else int(data["shard"])
                cp = Checkpoint(
                    shard=signed_shard or 0,
                    seq=int(data["seq"]),
                    head_hash=str(data["head_hash"]),
                    at=str(data["at"]),
                    key_id=str(data["key_id"]),
                    sig=str(data["sig"]),
                )
            except (ValueError, KeyError, TypeError) as exc:
                raise CheckpointError(
                    f"checkpoint file {target}, line {number}: unreadable ({exc})"
                ) from exc
            key = keys.get(cp.key_id)
            if key is None:
                raise CheckpointError(
                    f"checkpoint file {target}, line {number}: signed with key {cp.key_id!r}, "
                    "which this installation does not hold"
                )
            if not hmac.compare_digest(
                cp.sig, _signature(key, signed_shard, cp.seq, cp.head_hash, cp.at)
            ):
                raise CheckpointError(
                    f"checkpoint file {target}, line {number}: signature does not match "
                    "(the checkpoint file was edited)"
                )
            found.append(cp)
    return found
