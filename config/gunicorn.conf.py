"""Gunicorn settings for `oncocenter serve` (every value can be overridden by the environment).

Threads per worker (gthread): requests mostly wait on PostgreSQL, so threads give concurrency
for little memory. The timeout stays at 30 s: nothing long runs in a request any more (booking,
rebooking and PDFs are jobs), so a request that takes that long is a fault to be logged.
"""

from __future__ import annotations

import multiprocessing
import os

bind = os.environ.get("ONCOCENTER_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("ONCOCENTER_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 9)))
worker_class = "gthread"
threads = int(os.environ.get("ONCOCENTER_THREADS", "4"))
timeout = int(os.environ.get("ONCOCENTER_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (memory growth in long-lived processes), not all at once.
max_requests = 2000
max_requests_jitter = 200
# Heartbeat files in memory: a slow disk must not make the arbiter think workers hung.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
accesslog = os.environ.get("ONCOCENTER_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("ONCOCENTER_LOG_LEVEL", "info")
# Behind a reverse proxy on the same host: trust its X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("ONCOCENTER_FORWARDED_ALLOW_IPS", "127.0.0.1")
wsgi_app = "config.wsgi:application"
