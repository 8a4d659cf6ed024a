"""Schemas of the jobs API: a queued job's answer and a job's status."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema


class JobQueuedOut(Schema):
    """The answer to a request that queued a job (202): poll `status_url` until it is done."""

    job_id: int
    kind: str
    status: str
    status_url: str
    result_url: str
    page_url: str


class JobOut(Schema):
    id: int
    kind: str
    label: str
    status: str
    progress_done: int
    progress_total: int
    progress_note: str
    attempts: int
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    error: str
    error_rule: str
    result: dict[str, Any]
    status_url: str
    result_url: str
    page_url: str
