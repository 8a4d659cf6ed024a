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


def assert_flat(
    client: Client, urls: str | list[str], add: Callable[[int], None], n: int = 2
) -> dict[str, int]:
    """Seed `n` rows with `add(n)`, count each page's queries, seed up to 10n and count again:
    the two counts of each page must be equal. Returns the counts by URL (printed with -s)."""
    pages = [urls] if isinstance(urls, str) else urls
    add(n)
    small = {url: count_queries(client, url) for url in pages}
    add(9 * n)
    large = {url: count_queries(client, url) for url in pages}
    for url in pages:
        print(f"query count {url}: {small[url]} with {n} rows, {large[url]} with {10 * n}")
    assert large == small, f"{n} rows: {small}; {10 * n} rows: {large}"
    return small
