"""Query-count checks for pages (issue 18): a page must run the same number of queries whether
it lists N rows or 10N, so its cost does not grow with the hospital."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def count_queries(client: Client, url: str) -> int:
    """The number of SQL queries one GET of `url` runs (it must answer 200)."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def assert_flat(client: Client, url: str, add: Callable[[int], None], n: int = 2) -> int:
    """Seed `n` rows with `add(n)`, count the page's queries, seed up to 10n and count again:
    the two counts must be equal. Returns the count."""
    add(n)
    small = count_queries(client, url)
    add(9 * n)
    large = count_queries(client, url)
    assert large == small, f"{url}: {small} queries with {n} rows, {large} with {10 * n}"
    return small
