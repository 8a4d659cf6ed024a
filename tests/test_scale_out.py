"""Two app server processes (gunicorn) and two job workers on one PostgreSQL: a scheduler signs
in on one server and books on both (sessions live in the database), two schedulers book the
waiting list at the same moment, and every course ends booked exactly once."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from oncocenter.accounts.tests.factories import PASSWORD
from oncocenter.jobs.models import Job, JobStatus
from oncocenter.radiotherapy.models import Fraction
from oncocenter.scheduling.models import Booking
from oncocenter.scheduling.tests.factories import linacs, ready_course, world
from tests.test_jobs_fault import reference_data, worker  # noqa: F401 (fixture, helper)

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
COURSES = 6


def _env() -> dict[str, str]:
    db = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "ONCOCENTER_ACCESS_LOG": "/dev/null",
    }


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _server(port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(ROOT / "config" / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


class Browser:
    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, url: str) -> str:
        return self.opener.open(url, timeout=60).read().decode()

    def post(self, url: str, data: dict[str, str]) -> str:
        page = self.get(url) if "login" in url else ""
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        csrf = token.group(1) if token else self.csrf()
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": csrf}).encode()
        request = urllib.request.Request(url, data=body, headers={"Referer": url})
        response = self.opener.open(request, timeout=120)
        return response.geturl()

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")


def _wait_up(port: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"server on {port} did not start")


def test_two_servers_two_workers_book_every_course_once():
    linacs()
    courses, expected, schedulers = [], 0, []
    for n in range(COURSES):
        w = world()
        course = ready_course(w, number_of_fractions=4 + n, technique="IMRT")
        courses.append(course)
        schedulers.append(w.scheduler)
        expected += 4 + n
    ports = [_port(), _port()]
    servers = [_server(p) for p in ports]
    workers = [worker(), worker()]
    try:
        for p in ports:
            _wait_up(p)
        a, b = (f"http://127.0.0.1:{p}" for p in ports)
        alice, bob = Browser(), Browser()
        # Signed in on server A; the same session cookie works on server B.
        alice.post(
            f"{a}/accounts/login/", {"username": schedulers[0].username, "password": PASSWORD}
        )
        bob.post(f"{b}/accounts/login/", {"username": schedulers[1].username, "password": PASSWORD})
        landed = alice.opener.open(f"{b}/jobs/", timeout=60).geturl()
        assert "/accounts/login" not in landed, landed
        # Half the courses booked one by one through A and B, then both press "book the
        # waiting list" at the same moment on different servers.
        job_urls = []
        for i, course in enumerate(courses[:3]):
            base = (a, b)[i % 2]
            job_urls.append(alice.post(f"{base}/scheduling/courses/{course.pk}/book/", {}))
        barrier = threading.Barrier(2)
        outcome: list[str] = []

        def press(browser: Browser, base: str) -> None:
            barrier.wait()
            outcome.append(browser.post(f"{base}/scheduling/courses/book-waiting/", {}))

        threads = [
            threading.Thread(target=press, args=(alice, a)),
            threading.Thread(target=press, args=(bob, b)),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert all("/jobs/" in u for u in job_urls + outcome), job_urls + outcome
        deadline = time.monotonic() + 300
        while Job.objects.exclude(status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED]).exists():
            assert time.monotonic() < deadline, list(Job.objects.values_list("kind", "status"))
            time.sleep(0.5)
        page = bob.get(outcome[0])
        assert 'data-status="succeeded"' in page or 'data-status="failed"' in page
    finally:
        for p in servers + workers:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    states = list(Job.objects.values_list("kind", "status", "error"))
    print(f"jobs: {states}")
    assert sum(1 for _k, s, _e in states if s == JobStatus.SUCCEEDED) >= 4
    # Nothing lost, nothing twice.
    assert Booking.objects.filter(status="booked").count() == expected
    assert Booking.objects.count() == expected
    for course in courses:
        fractions = Fraction.objects.filter(prescription__course=course).count()
        assert Booking.objects.filter(prescription__course=course, status="booked").count() == (
            fractions
        )
