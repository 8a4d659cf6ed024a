"""Daily tasks without cron: an app registers a task with the local time it should run, and the
side loop every worker already runs (job recovery, `worker.recover_forever`) enqueues it once per
local day, at or after that time. A worker that starts late the same day catches up; one that was
down all day does not run yesterday's task again. Idempotent across workers: the day's run is
claimed by inserting a `PeriodicRun` row under a unique constraint, in the same transaction as
the enqueue (the database queue), so a lost race enqueues nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DailyTask:
    name: str
    at: Callable[[], dt.time]  # read at each tick, so settings changes apply without a restart
    enqueue: Callable[[], object]


DAILY: dict[str, DailyTask] = {}


def register_daily(task: DailyTask) -> None:
    if task.name in DAILY and DAILY[task.name] is not task:
        raise RuntimeError(f"daily task {task.name!r} is registered twice")
    DAILY[task.name] = task


def daily_tick(now: dt.datetime | None = None) -> list[str]:
    """Enqueue every daily task whose local time has come and that has not run today; returns
    the names enqueued by this call."""
    from oncocenter.jobs.models import PeriodicRun

    now = now or timezone.now()
    local = timezone.localtime(now)
    done: list[str] = []
    for task in DAILY.values():
        if local.time() < task.at():
            continue
        if PeriodicRun.objects.filter(name=task.name, on=local.date()).exists():
            continue
        try:
            with transaction.atomic():
                PeriodicRun.objects.create(name=task.name, on=local.date(), enqueued_at=now)
                task.enqueue()
        except IntegrityError:
            continue  # another worker claimed today's run
        log.info("daily task %s enqueued for %s", task.name, local.date())
        done.append(task.name)
    return done
