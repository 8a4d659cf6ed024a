"""The database job queue is installed and a worker runs what was enqueued (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_tasks import task
from django_tasks_db.models import DBTaskResult


@task(queue_name="default")
def add_numbers(a: int, b: int) -> int:
    return a + b


@pytest.mark.django_db(transaction=True)
def test_enqueued_job_is_stored_then_run_by_the_worker() -> None:
    result = add_numbers.enqueue(2, 3)
    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == "READY"
    call_command("db_worker", batch=True, queue_name="default", no_startup_delay=True, verbosity=0)
    result.refresh()
    assert result.status == "SUCCESSFUL"
    assert result.return_value == 5
