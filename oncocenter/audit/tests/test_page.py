"""The audit page at scale: keyset pages by sequence number, the same queries at N and 10N
events, and every filter served by an index ending in seq."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from oncocenter.audit.models import AuditEvent
from oncocenter.audit.services import audit_record

pytestmark = pytest.mark.django_db


def _events(n: int) -> None:
    for i in range(n):
        audit_record(
            action="read" if i % 2 else "update", object_type="test.thing", object_id=str(i)
        )


def _queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("audit:events"), params).status_code == 200
    return len(ctx.captured_queries)


def test_pages_walk_older_and_newer_without_gaps_or_repeats(client_as):
    _events(120)
    client = client_as("administrator")
    seen, before = [], None
    while True:
        params = {"action": "update"} | ({"before": before} if before else {})
        page = client.get(reverse("audit:events"), params).context["page"]
        seen += [e.seq for e in page.object_list]
        if page.older is None:
            break
        before = page.older
    reads = list(
        AuditEvent.objects.filter(action="update").order_by("-seq").values_list("seq", flat=True)
    )
    assert seen == reads and len(seen) == 60
    # Back to newer from the last page: the page before it, newest first.
    back = client.get(reverse("audit:events"), {"action": "update", "after": seen[50]}).context[
        "page"
    ]
    assert [e.seq for e in back.object_list] == reads[:50] and back.newer is None


def test_query_count_does_not_grow_with_the_trail(client_as):
    client = client_as("administrator")
    _events(30)
    small = [_queries(client), _queries(client, action="read"), _queries(client, user="system")]
    _events(300)
    large = [_queries(client), _queries(client, action="read"), _queries(client, user="system")]
    assert small == large


def test_each_filter_has_an_index_ending_in_seq():
    indexes = {tuple(i.fields) for i in AuditEvent._meta.indexes}
    for field in ("actor_username", "patient_mrn", "action"):
        assert (field, "-seq") in indexes
