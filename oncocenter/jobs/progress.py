"""Progress and a heartbeat written from a side thread on its own database connection.

The work of a job runs inside one transaction (see `registry.JobKind.atomic`), so a progress
row written there would stay invisible to the job page until the end. The side thread writes
what the job last reported, and the time, every `HEARTBEAT_SECONDS`; a job whose heartbeat is
older than `settings.JOBS_STALE_SECONDS` lost its worker (`services.jobs_recover`).
"""

from __future__ import annotations

import logging
import threading

from django.db import DatabaseError, connections
from django.utils import timezone

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 1.0


class Progress:
    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.done, self.total, self.note = 0, 0, ""
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __call__(self, done: int, total: int, note: str = "") -> None:
        """Report `done` of `total` steps and what is being done now."""
        with self._lock:
            self.total = max(total, 0)
            self.done = min(max(done, 0), self.total)
            self.note = note[:200]

    def start(self) -> None:
        self._thread = threading.Thread(target=self._beat, name=f"job-{self.job_id}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _beat(self) -> None:
        from oncocenter.jobs.models import Job, JobStatus

        try:
            while not self._stop.wait(HEARTBEAT_SECONDS):
                with self._lock:
                    done, total, note = self.done, self.total, self.note
                try:
                    Job.objects.filter(pk=self.job_id, status=JobStatus.RUNNING).update(
                        heartbeat_at=timezone.now(),
                        progress_done=done,
                        progress_total=total,
                        progress_note=note,
                    )
                except DatabaseError:
                    # SQLite allows one writer: skip a beat while the job's transaction writes.
                    log.debug("job %s: heartbeat skipped", self.job_id, exc_info=True)
        finally:
            connections.close_all()
