"""Concurrent audit writers on PostgreSQL (issue 18): threads with their own connections start
together at a barrier; afterwards every shard's chain is whole, with no gap in `shard_seq`, and
`seq` is unique. Nothing here depends on timing: the barrier only makes overlap likely, and the
assertions hold for any interleaving."""

import threading
from collections import defaultdict

import pytest
from django.db import connection, connections

from oncocenter.audit.context import AuditContext, bind_context, reset_context
from oncocenter.audit.models import AuditChainHead, AuditEvent
from oncocenter.audit.services import audit_record, audit_verify, shard_of

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8
PER_THREAD = 15


def _run_writers(request_id_of):
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            barrier.wait()
            for i in range(PER_THREAD):
                token = bind_context(
                    AuditContext(system_actor=f"t{n}", request_id=request_id_of(n, i))
                )
                try:
                    audit_record(action="read", object_type="x", detail={"t": n, "i": i})
                finally:
                    reset_context(token)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def _assert_whole():
    by_shard: dict[int, list[int]] = defaultdict(list)
    for shard, shard_seq in AuditEvent.objects.values_list("shard", "shard_seq"):
        by_shard[shard].append(shard_seq)
    total = 0
    for shard, numbers in by_shard.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), f"gap in shard {shard}"
        assert AuditChainHead.objects.get(id=shard).seq == len(numbers)
        total += len(numbers)
    assert total == THREADS * PER_THREAD
    assert AuditEvent.objects.values("seq").distinct().count() == total
    result = audit_verify()
    assert result.ok, result.message()
    return by_shard


@pytest.fixture
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks between connections: PostgreSQL (SQLite: test_sqlite_concurrency)")


def test_concurrent_requests_spread_over_shards_and_every_chain_stays_whole(postgresql_only):
    _run_writers(lambda n, i: f"req-{n}-{i}")
    by_shard = _assert_whole()
    assert len(by_shard) > 1
    for shard, _numbers in by_shard.items():
        requests = AuditEvent.objects.filter(shard=shard).values_list("request_id", flat=True)
        assert {shard_of(r) for r in requests} == {shard}


def test_concurrent_writers_on_one_shard_queue_without_a_gap(postgresql_only):
    # Every thread in the same request id: one shard, its head row taken in turn.
    _run_writers(lambda n, i: "one-request")
    by_shard = _assert_whole()
    assert list(by_shard) == [shard_of("one-request")]
    seqs = list(AuditEvent.objects.order_by("shard_seq").values_list("seq", flat=True))
    assert seqs == sorted(seqs), "seq grows along the shard's chain"
