"""Running the queue: recovery of lost jobs beside the worker, and an in-process worker for the
SQLite demo (one command, no second process)."""

from __future__ import annotations

import logging
import os
import threading

from django.db import DatabaseError, connections

log = logging.getLogger(__name__)


def recover_forever(stop: threading.Event, every: float) -> None:
    """Queue again, every `every` seconds, the jobs of workers that died (see services), and
    enqueue the daily tasks whose time has come (see periodic)."""
    from oncocenter.jobs.periodic import daily_tick
    from oncocenter.jobs.services import jobs_recover

    try:
        while not stop.wait(every):
            try:
                jobs_recover()
                daily_tick()
            except DatabaseError:
                log.warning("job recovery skipped this round", exc_info=True)
    finally:
        connections.close_all()


def start_in_process(*, interval: float = 1.0, recover_every: float = 10.0) -> threading.Event:
    """Start a worker for every queue and the recovery loop as daemon threads of this process.

    For the demo on SQLite (`oncocenter demo`): jobs run while the development server serves.
    Production runs `oncocenter db_worker` processes instead. Returns an event that stops them.
    """
    from django_tasks_db.management.commands.db_worker import Worker

    stop = threading.Event()
    worker = Worker(
        queue_names=["*"],
        interval=interval,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=f"inprocess-{os.getpid()}",
        excluded_queue_names=[],
    )

    def run() -> None:
        try:
            worker.run()
        finally:
            connections.close_all()

    def watch() -> None:
        stop.wait()
        worker.running = False

    threading.Thread(target=run, name="jobs-worker", daemon=True).start()
    threading.Thread(target=watch, name="jobs-worker-stop", daemon=True).start()
    threading.Thread(
        target=recover_forever, args=(stop, recover_every), name="jobs-recover", daemon=True
    ).start()
    return stop
