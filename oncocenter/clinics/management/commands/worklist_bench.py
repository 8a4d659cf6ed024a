"""Time the clinics, follow-up and nutrition worklists on the current database (e.g. the full demo):
for each page, the median wall time of several renders and the number of SQL queries."""

import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from oncocenter.accounts.models import User

PAGES = [
    ("dietitian", "/nutrition/worklist/", "Dietitian worklist (open nutrition alerts)"),
    ("nurse", "/followup/overdue/", "Overdue follow-up worklist"),
    ("nurse", "/nutrition/qol-worklist/", "Quality-of-life drops worklist"),
    ("scheduler", "/clinics/waitlist/", "Clinic waitlist ranked with reasons"),
    ("nurse", "/clinics/wards/E5/", "Ward E5 beds + re-admission waitlist"),
    ("dietitian", "/", "Home page (dietitian)"),
    ("scheduler", "/", "Home page (scheduler)"),
    ("dietitian", "/api/nutrition/alerts", "API: dietitian alerts"),
    ("nurse", "/api/followup/overdue", "API: overdue items (200)"),
]


class Command(BaseCommand):
    help = "Measure render time and query count of the clinics/follow-up/nutrition worklists."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=5)

    def handle(self, *args, repeat, **options):
        if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        clients = {}
        for role, url, label in PAGES:
            if role not in clients:
                user = (
                    User.objects.filter(role_assignments__role=role, is_active=True)
                    .order_by("username")
                    .first()
                )
                client = Client()
                if user is None:
                    raise SystemExit(f"no active user with role {role}; seed the demo first")
                client.force_login(user)
                clients[role] = client
            client = clients[role]
            client.get(url)  # warm caches
            times = []
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as ctx:
                    started = time.perf_counter()
                    response = client.get(url)
                    times.append((time.perf_counter() - started) * 1000)
            self.stdout.write(
                f"{label:45s} {url:32s} status {response.status_code}  median {statistics.median(times):7.1f} ms  "
                f"{len(ctx.captured_queries):3d} queries  {len(response.content) // 1024} KiB"
            )
