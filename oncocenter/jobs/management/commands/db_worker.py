"""`oncocenter db_worker`: the queue's worker, plus recovery of jobs whose worker died.

Same options as django-tasks-db's command (this app is listed before it in INSTALLED_APPS so
this one is found first). Before it starts, and then every `--recover-every` seconds in a side
thread, jobs whose heartbeat went stale are queued again (`oncocenter.jobs.services`).
"""

from __future__ import annotations

import threading
from argparse import ArgumentParser
from typing import Any

from django_tasks_db.management.commands import db_worker

from oncocenter.jobs.services import jobs_recover
from oncocenter.jobs.worker import recover_forever


class Command(db_worker.Command):
    help = "Run a database background worker (and queue again the jobs of dead workers)"

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--recover-every",
            type=float,
            default=10.0,
            help="Seconds between looks for jobs whose worker died (default: %(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        jobs_recover()
        stop = threading.Event()
        if not options["batch"]:
            threading.Thread(
                target=recover_forever,
                args=(stop, options["recover_every"]),
                name="jobs-recover",
                daemon=True,
            ).start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
