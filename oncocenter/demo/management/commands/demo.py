import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

from oncocenter.demo.seed import DEMO_PASSWORD, demo_logins, seed_demo


class Command(BaseCommand):
    help = "Migrate, seed the full synthetic center (once) and serve it at http://127.0.0.1:8000."

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=["small", "full"], default="full")
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument(
            "--no-serve", action="store_true", help="Seed only; do not start the server."
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Do not run jobs inside this process (run `oncocenter db_worker` instead).",
        )

    def handle(self, *args, size, addr, no_serve, no_worker=False, **options):
        started = time.monotonic()
        call_command("migrate", interactive=False, verbosity=0)
        created, counts = seed_demo(size=size)
        self.stdout.write(
            f"{'Seeded' if created else 'Demo data already present'}: {counts.get('patients')} patients, "
            f"{counts.get('staff')} staff, {counts.get('machines')} machines ({time.monotonic() - started:.1f} s)"
        )
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for username, role in demo_logins():
            self.stdout.write(f"  {username:<16} {role}")
        self.stdout.write(f"\nOncoCenter: http://{addr}/  (Ctrl+C to stop)\n")
        if not no_serve:
            if not no_worker:
                # Booking and rebooking are jobs: one command runs the server and a worker.
                from oncocenter.jobs.worker import start_in_process

                start_in_process()
                self.stdout.write("Jobs run inside this process (in-process worker).\n")
            call_command("runserver", addr, use_reloader=False)
