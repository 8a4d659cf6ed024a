"""Jobs of the portal (on the "notifications" queue)."""

from __future__ import annotations

from django_tasks import task

from oncocenter.portal.reminders import reminders_queue


@task(queue_name="notifications")
def send_daily_reminders() -> dict[str, int]:
    return dict(reminders_queue())
