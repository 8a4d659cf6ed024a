"""Job kinds: each app registers what its jobs do from `ready()` (the jobs app imports no app
above it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

if TYPE_CHECKING:
    from oncocenter.jobs.models import Job
    from oncocenter.jobs.progress import Progress


@dataclass(frozen=True)
class JobKind:
    """`run(job, progress)` does the work and returns a JSON-able result.

    With `atomic` (the default) the work and the job's success are saved in one transaction,
    so a worker killed at any point leaves either both or neither: a retried job never does its
    work twice. A kind that commits in steps (booking: short transactions around a long solve
    that holds no lock) sets `atomic=False` and calls `services.job_mark_succeeded` inside the
    transaction that saves its result; its earlier steps must be safe to repeat. `permission` is what a person needs to start it and to see others' jobs of
    this kind; `result_url(job)` names the page that shows what it made.
    """

    name: str
    label: str | Promise
    run: Callable[[Job, Progress], dict[str, Any]]
    permission: str
    queue: str = "default"
    atomic: bool = True
    max_attempts: int = 3
    result_url: Callable[[Job], str | None] | None = None


KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> None:
    if kind.name in KINDS and KINDS[kind.name] is not kind:
        raise RuntimeError(f"job kind {kind.name!r} is registered twice")
    KINDS[kind.name] = kind


def get_kind(name: str) -> JobKind:
    try:
        return KINDS[name]
    except KeyError:
        raise KeyError(f"unknown job kind {name!r}") from None
