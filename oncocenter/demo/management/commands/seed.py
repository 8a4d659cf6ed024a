import time

from django.core.management.base import BaseCommand

from oncocenter.demo.seed import SIZES, seed_demo


class Command(BaseCommand):
    help = "Seed the synthetic demo center (idempotent; a second run adds nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(SIZES), default="small")

    def handle(self, *args, size, **options):
        started = time.monotonic()
        created, counts = seed_demo(size=size)
        verb = "Seeded" if created else "Already seeded (nothing added)"
        self.stdout.write(f"{verb}: {counts} in {time.monotonic() - started:.1f} s")
