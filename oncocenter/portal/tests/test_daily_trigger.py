"""Reminders without a human: the running job worker enqueues the day's reminder scan at the
configured local time (once a day), the scan queues the follow-up notice, quiet hours hold it to
the morning and an opted-out address gets it suppressed."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from oncocenter.followup.models import DueItem, FollowUpPlan, ProtocolTemplate
from oncocenter.jobs.models import PeriodicRun
from oncocenter.jobs.periodic import DAILY, daily_tick
from oncocenter.jobs.worker import recover_forever
from oncocenter.notifications.models import MessageStatus, OutboxMessage
from oncocenter.notifications.services import after_quiet_hours, opt_out_add
from oncocenter.portal.tests.factories import adult_with_account


def _due_in_a_week(patient) -> None:
    today = timezone.localdate()
    plan = FollowUpPlan.objects.create(
        patient=patient,
        template=ProtocolTemplate.objects.filter(kind="protocol").first(),
        treatment_end=today - dt.timedelta(days=200),
    )
    DueItem.objects.create(
        plan=plan,
        patient=patient,
        item_code="ct",
        kind="imaging",
        name_en="Chest CT",
        name_ko="흉부 CT",
        due_on=today + dt.timedelta(days=7),
        window_end=today + dt.timedelta(days=37),
    )


def test_the_portal_registers_its_daily_scan(settings):
    task = DAILY["portal.daily_reminders"]
    assert task.at() == dt.time(9, 0)
    settings.ONCOCENTER_REMINDERS_AT = "07:45"
    assert task.at() == dt.time(7, 45)


@pytest.mark.django_db(transaction=True)
def test_the_workers_side_loop_enqueues_the_scan_once_a_day_and_the_worker_runs_it(settings):
    settings.ONCOCENTER_REMINDERS_AT = "00:00"  # due at any time of the test's day
    wanted = adult_with_account("daily1")
    refused = adult_with_account("daily2")
    _due_in_a_week(wanted.patient)
    _due_in_a_week(refused.patient)
    opt_out_add(channel="email", address=refused.account.email, category="followup")
    # The loop every worker runs beside the queue (db_worker and the demo's in-process worker),
    # here on its own so that only one thread writes to the in-memory SQLite test database.
    stop = threading.Event()
    loop = threading.Thread(target=recover_forever, args=(stop, 0.1), daemon=True)
    loop.start()
    time.sleep(1.5)  # about 15 ticks
    stop.set()
    loop.join(timeout=10)
    run = PeriodicRun.objects.get(name="portal.daily_reminders")
    assert run.on == timezone.localdate(run.enqueued_at)
    queued = DBTaskResult.objects.filter(task_path__endswith="send_daily_reminders")
    assert queued.count() == 1  # many ticks, one run today
    assert not OutboxMessage.objects.exists()  # the scan is a job: nothing sent by the loop

    call_command(
        "db_worker", batch=True, queue_name="notifications", no_startup_delay=True, verbosity=0
    )
    assert queued.get().status == "SUCCESSFUL"
    mine = OutboxMessage.objects.get(template_code="followup_due", to_address=wanted.account.email)
    assert "흉부 CT" in mine.body
    # Quiet hours (21:00-08:00): queued in the evening it waits for the morning, else it is sent.
    assert mine.status == "sent" or mine.not_before == after_quiet_hours(mine.created_at)
    theirs = OutboxMessage.objects.get(
        template_code="followup_due", to_address=refused.account.email
    )
    assert theirs.status == MessageStatus.SUPPRESSED
    # A later look the same day enqueues nothing more.
    assert "portal.daily_reminders" not in daily_tick()
    assert queued.count() == 1
