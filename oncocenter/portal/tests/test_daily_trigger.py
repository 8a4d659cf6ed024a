"""Reminders without a human: the running job worker enqueues the day's reminder scan at the
configured local time (once a day), the scan queues the follow-up notice, quiet hours hold it to
the morning and an opted-out address gets it suppressed."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from oncocenter.followup.models import DueItem, FollowUpPlan, ProtocolTemplate
from oncocenter.jobs.models import PeriodicRun
from oncocenter.jobs.periodic import DAILY, daily_tick
from oncocenter.jobs.worker import start_in_process
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
def test_the_worker_runs_the_reminder_scan_once_a_day(settings):
    settings.ONCOCENTER_REMINDERS_AT = "00:00"  # due at any time of the test's day
    wanted = adult_with_account("daily1")
    refused = adult_with_account("daily2")
    _due_in_a_week(wanted.patient)
    _due_in_a_week(refused.patient)
    opt_out_add(channel="email", address=refused.account.email, category="followup")
    stop = start_in_process(interval=0.2, recover_every=0.2)
    try:
        deadline = time.monotonic() + 60
        while OutboxMessage.objects.filter(template_code="followup_due").count() < 2:
            assert time.monotonic() < deadline, "the daily scan did not run within a minute"
            time.sleep(0.2)
        time.sleep(1.0)  # several more ticks of the side loop: still one run today
    finally:
        stop.set()
    run = PeriodicRun.objects.get(name="portal.daily_reminders")
    assert run.on == timezone.localdate(run.enqueued_at)
    mine = OutboxMessage.objects.get(template_code="followup_due", to_address=wanted.account.email)
    assert "흉부 CT" in mine.body
    # Quiet hours: a message queued now waits for the morning (or goes now in the day).
    assert mine.not_before == after_quiet_hours(mine.created_at) or mine.status == "sent"
    theirs = OutboxMessage.objects.get(
        template_code="followup_due", to_address=refused.account.email
    )
    assert theirs.status == MessageStatus.SUPPRESSED
    # A later look the same day enqueues nothing more.
    assert "portal.daily_reminders" not in daily_tick()
    assert OutboxMessage.objects.filter(template_code="followup_due").count() == 2
