"""Jobs on the "notifications" queue (run by `oncocenter db_worker --queue-name notifications`)."""

from __future__ import annotations

from django_tasks import task

from oncocenter.notifications import services


@task(queue_name="notifications")
def deliver_message(message_id: int) -> str:
    return str(services.notification_deliver(message_id=message_id).status)
