"""Bulk synthetic rows for the benchmarks on PostgreSQL: patients by SQL `generate_series`
(200,000 in seconds) and audit events with a valid keyed chain (`bulk_create` in batches).

Synthetic only: Hangul names from common family names and given-name syllables, romanized in
step; MRNs from 80,000,000 up (8 digits, outside the hospital counter's 7 digits and check
digit), so the rows are easy to tell apart and never collide with issued numbers.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

FAMILY = [
    ("김", "Kim"), ("이", "Lee"), ("박", "Park"), ("최", "Choi"), ("정", "Jung"),
    ("강", "Kang"), ("조", "Cho"), ("윤", "Yoon"), ("장", "Jang"), ("임", "Lim"),
    ("한", "Han"), ("오", "Oh"), ("서", "Seo"), ("신", "Shin"), ("권", "Kwon"),
    ("황", "Hwang"), ("안", "Ahn"), ("송", "Song"), ("류", "Ryu"), ("홍", "Hong"),
]  # fmt: skip
SYLLABLES = [
    ("민", "min"), ("준", "jun"), ("서", "seo"), ("연", "yeon"), ("지", "ji"), ("우", "woo"),
    ("현", "hyeon"), ("수", "su"), ("영", "yeong"), ("도", "do"), ("하", "ha"), ("은", "eun"),
    ("예", "ye"), ("진", "jin"), ("유", "yu"), ("재", "jae"), ("성", "seong"), ("호", "ho"),
    ("윤", "yun"), ("아", "a"), ("희", "hui"), ("경", "gyeong"), ("태", "tae"), ("혜", "hye"),
    ("동", "dong"), ("상", "sang"), ("미", "mi"), ("정", "jeong"), ("채", "chae"), ("건", "geon"),
]  # fmt: skip
MRN_BASE = 80_000_000


def _array(values: list[str]) -> str:
    return "ARRAY[" + ",".join(f"'{v}'" for v in values) + "]"


def synthetic_patient_count(cursor) -> int:
    cursor.execute(
        "SELECT count(*) FROM patients_patient WHERE length(mrn) = 8 AND mrn >= %s",
        [str(MRN_BASE)],
    )
    return int(cursor.fetchone()[0])


def add_patients(cursor, n: int, *, log: Callable[[str], None] = print) -> int:
    """Top the synthetic patients up to `n` (SQL only, one statement). Returns rows added."""
    have = synthetic_patient_count(cursor)
    if have >= n:
        return 0
    started = time.perf_counter()
    fk, fe = _array([k for k, _ in FAMILY]), _array([e for _, e in FAMILY])
    sk, se = _array([k for k, _ in SYLLABLES]), _array([e for _, e in SYLLABLES])
    nf, ns = len(FAMILY), len(SYLLABLES)
    # i picks family (i mod nf), first syllable (i / nf mod ns), second ((i * 7 + 3) mod ns):
    # 20 x 30 x 30 = 18,000 distinct full names, as in a real register (many namesakes).
    cursor.execute(
        f"""
        WITH g AS (
            SELECT i,
                   ({fk})[1 + i %% {nf}] AS fam_ko, ({fe})[1 + i %% {nf}] AS fam_en,
                   ({sk})[1 + (i / {nf}) %% {ns}] || ({sk})[1 + (i * 7 + 3) %% {ns}] AS giv_ko,
                   initcap(({se})[1 + (i / {nf}) %% {ns}] || ({se})[1 + (i * 7 + 3) %% {ns}])
                       AS giv_en
            FROM generate_series(%s::int, %s::int) AS i
        )
        INSERT INTO patients_patient (
            created_at, updated_at, mrn, name_ko, family_name_en, given_name_en, name_en_search,
            birth_date, sex, phone, email, address, postal_code, rrn_encrypted, rrn_masked
        )
        SELECT now(), now(), ({MRN_BASE} + i)::text, fam_ko || giv_ko, upper(fam_en), giv_en,
               lower(fam_en || ' ' || giv_en || '|' || giv_en || ' ' || fam_en),
               DATE '1930-01-01' + (i * 37 %% 30000), CASE WHEN i %% 2 = 0 THEN 'male' ELSE 'female' END,
               '', '', '', '', '', ''
        FROM g
        """,
        [have, n - 1],
    )
    cursor.execute("ANALYZE patients_patient")
    log(f"added {n - have:,} synthetic patients in {time.perf_counter() - started:.1f} s")
    return n - have


def add_audit_events(total: int, *, batch: int = 2000, log: Callable[[str], None] = print) -> int:
    """Append audit events (patient reads, searches and updates by the demo staff) until the
    trail holds `total`, each hashed, sharded and linked exactly as `audit_record` does (the same
    `shard_of` its request id, `compute_hash` over the same canonical fields, `seq` from the same
    sequence), so `audit-verify` passes. Rows go in with COPY, batch by batch, each batch in one
    transaction under every shard head's lock (taken in shard order): stopping the run keeps
    every batch written and every chain whole (a later run continues them). Returns rows added."""
    import json
    import random
    from types import SimpleNamespace

    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from oncocenter.audit.keys import current_key_id
    from oncocenter.audit.models import AuditEvent
    from oncocenter.audit.services import (
        SEQ_SEQUENCE,
        chain_prev,
        compute_hash,
        lock_shard_head,
        shard_of,
    )
    from oncocenter.patients.models import Patient

    rng = random.Random(18)
    patients = list(Patient.objects.order_by("pk").values_list("pk", "mrn")[:5000])
    users = ["radonc", "physicist", "therapist", "scheduler", "nurse", "medonc", "dosimetrist"]
    actions = ["read"] * 8 + ["search"] + ["update"]
    key_id = current_key_id()
    detail = {"synthetic": True}
    detail_json = json.dumps(detail)
    columns = (
        "seq, shard, shard_seq, at, actor_id, actor_username, role, action, object_type, "
        "object_id, patient_id, patient_mrn, client_address, request_id, detail, prev_hash, "
        "hash, key_id"
    )
    have = AuditEvent.objects.count()
    added = 0
    started = time.perf_counter()
    base = timezone.now()
    while have + added < total:
        n = min(batch, total - have - added)
        with transaction.atomic():
            heads = {s: lock_shard_head(s) for s in range(1, settings.AUDIT_SHARDS + 1)}
            steps = dict.fromkeys(heads, 0)
            with connection.cursor() as cur:
                cur.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [SEQ_SEQUENCE, n])
                seqs = sorted(row[0] for row in cur.fetchall())
            raw = connection.cursor().cursor  # psycopg's own cursor: COPY
            with raw.copy(f"COPY audit_auditevent ({columns}) FROM STDIN") as copy:
                for seq in seqs:
                    pk, mrn = rng.choice(patients)
                    request_id = f"bench-{seq}"
                    head = heads[shard_of(request_id)]
                    e = SimpleNamespace(
                        seq=seq,
                        shard=head.id,
                        shard_seq=head.seq + 1,
                        at=base + dt.timedelta(microseconds=seq),
                        actor_id=None,
                        actor_username=rng.choice(users),
                        role="",
                        action=rng.choice(actions),
                        object_type="patients.patient",
                        object_id=str(pk),
                        patient_id=pk,
                        patient_mrn=mrn,
                        client_address="10.0.0.1",
                        request_id=request_id,
                        detail=detail,
                        prev_hash=chain_prev(head),
                        key_id=key_id,
                    )
                    digest = compute_hash(e)  # type: ignore[arg-type]
                    copy.write_row(
                        (
                            e.seq, e.shard, e.shard_seq, e.at, None, e.actor_username, "",
                            e.action, e.object_type, e.object_id, pk, mrn, e.client_address,
                            e.request_id, detail_json, e.prev_hash, digest, key_id,
                        )
                    )  # fmt: skip
                    head.seq, head.hash = e.shard_seq, digest
                    steps[head.id] += 1
            # A head's guard (audit/db_guards.py) lets it move one step at a time: step it
            # k - 1 times in the database, then set the last event's hash with the last step.
            with connection.cursor() as cur:
                for shard, k in steps.items():
                    if not k:
                        continue
                    cur.execute(
                        f"DO $$ BEGIN FOR i IN 1..{k - 1} LOOP UPDATE audit_auditchainhead "
                        f"SET seq = seq + 1 WHERE id = {shard}; END LOOP; END $$"
                    )
                    cur.execute(
                        "UPDATE audit_auditchainhead SET seq = seq + 1, hash = %s WHERE id = %s",
                        [heads[shard].hash, shard],
                    )
        added += n
        rate = added / (time.perf_counter() - started)
        log(f"audit events: {have + added:,} of {total:,} ({rate:,.0f}/s)")
    return added
