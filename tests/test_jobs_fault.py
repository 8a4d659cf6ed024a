"""Booking jobs survive workers killed with SIGKILL: every course booked exactly once.

Real worker processes (`oncocenter db_worker`) on the test's PostgreSQL database: two run at
once; each time a job is seen running, one of them is killed with SIGKILL mid-job, and a fresh one
takes its place. The killed worker's transaction dies with its connection, its job's heartbeat
goes stale and the recovery of the surviving worker queues it again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from oncocenter.jobs.models import Job, JobStatus
from oncocenter.jobs.services import job_submit
from oncocenter.radiotherapy.models import Fraction
from oncocenter.scheduling import jobs
from oncocenter.scheduling.models import Booking
from oncocenter.scheduling.tests.factories import linacs, ready_course, world

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
COURSES = 6
KILLS = 3


@pytest.fixture(autouse=True)
def reference_data():
    import importlib

    from django.apps import apps

    from oncocenter.radiotherapy.models import ChecklistItem

    if not ChecklistItem.objects.exists():
        migration = importlib.import_module(
            "oncocenter.radiotherapy.migrations.0002_load_reference_data"
        )
        migration.load(apps, None)


def _env() -> dict[str, str]:
    db = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "ONCOCENTER_JOBS_STALE_SECONDS": "3",
    }


def worker() -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "oncocenter",
            "db_worker",
            "--queue-name",
            "booking",
            "--interval",
            "0.2",
            "--no-startup-delay",
            "--no-reload",
            "--recover-every",
            "1",
        ],
        cwd=ROOT,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _wait(predicate, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_booking_jobs_survive_worker_sigkill_without_loss_or_duplicates():
    linacs()
    courses, expected = [], 0
    for n in range(COURSES):
        w = world()
        course = ready_course(w, number_of_fractions=5 + n, technique="IMRT")
        courses.append((course, w.scheduler))
        expected += 5 + n
    submitted = [
        job_submit(
            kind=jobs.COURSE_BOOK,
            by=scheduler,
            params={"course": course.pk},
            patient=course.patient,
            subject=course,
        )
        for course, scheduler in courses
    ]
    workers = [worker(), worker()]
    killed = 0
    try:
        while killed < KILLS:
            assert _wait(lambda: Job.objects.filter(status=JobStatus.RUNNING).exists(), 120), (
                "no job started"
            )
            running = Job.objects.filter(status=JobStatus.RUNNING).values_list("pk", flat=True)
            if not running:
                continue
            victim = workers.pop(0)
            os.killpg(victim.pid, signal.SIGKILL)
            victim.wait()
            killed += 1
            workers.append(worker())
            if not Job.objects.exclude(status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED]).exists():
                break
        assert _wait(
            lambda: (
                not Job.objects.exclude(status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED]).exists()
            ),
            240,
        ), list(Job.objects.values_list("pk", "status", "attempts"))
    finally:
        for p in workers:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    states = {j.pk: (j.status, j.attempts, j.error) for j in Job.objects.all()}
    print(f"killed {killed} workers; jobs (status, attempts): {states}")
    assert all(s == JobStatus.SUCCEEDED for s, _a, _e in states.values()), states
    assert killed >= 1
    assert any(a >= 2 for _s, a, _e in states.values()), "no kill landed inside a job"
    # Nothing lost, nothing twice: one booked session per fraction, no other booking rows.
    assert Booking.objects.count() == expected
    assert Booking.objects.filter(status="booked").count() == expected
    for course, _ in courses:
        fractions = Fraction.objects.filter(prescription__course=course).count()
        assert Booking.objects.filter(prescription__course=course).count() == fractions
    assert len(submitted) == COURSES
