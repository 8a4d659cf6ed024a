"""`oncocenter serve`: the production server in one command.

1. Refuses to start while migrations are unapplied (or applies them with `--migrate`).
2. Collects static files: compressed, with hashed names (long, immutable cache).
3. Replaces itself with gunicorn (`config/gunicorn.conf.py`: workers, threads, timeouts).

It runs with `config.settings.production` unless DJANGO_SETTINGS_MODULE says otherwise, which
refuses the demo secret key, DEBUG and a '*' host. Jobs run in separate `oncocenter db_worker`
processes (see docs/operations.md).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

CONFIG = Path(__file__).resolve().parents[4] / "config" / "gunicorn.conf.py"


class Command(BaseCommand):
    help = "Check migrations, collect static files and run gunicorn (production)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind", help="address:port (default ONCOCENTER_BIND or 127.0.0.1:8000)"
        )
        parser.add_argument("--workers", type=int, help="gunicorn worker processes")
        parser.add_argument(
            "--migrate", action="store_true", help="apply unapplied migrations instead of refusing"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="run the checks, print the server command, stop"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        env = dict(os.environ)
        if env.get("DJANGO_SETTINGS_MODULE", "config.settings.base") == "config.settings.base":
            env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
        manage = [sys.executable, "-m", "oncocenter"]
        step = ["migrate", "--noinput"] if options["migrate"] else ["migrate", "--check"]
        # Fixed argument lists, no shell: the only input is the command line of the operator.
        if subprocess.run([*manage, *step, "-v", "0"], env=env).returncode != 0:  # noqa: S603
            raise CommandError(
                "Migrations are not applied: run `oncocenter migrate` (or `serve --migrate`)."
            )
        collect = [*manage, "collectstatic", "--noinput", "-v", "0"]
        if subprocess.run(collect, env=env).returncode:  # noqa: S603
            raise CommandError("collectstatic failed.")
        server = [sys.executable, "-m", "gunicorn", "--config", str(CONFIG)]
        if options["bind"]:
            server += ["--bind", options["bind"]]
        if options["workers"]:
            server += ["--workers", str(options["workers"])]
        self.stdout.write(" ".join(server))
        if options["dry_run"]:
            return
        sys.stdout.flush()
        os.execve(sys.executable, server, env)  # noqa: S606
