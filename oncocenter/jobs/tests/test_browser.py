"""A scheduler books a course in the browser: the job page polls until the booking is saved."""

from pathlib import Path

import pytest

from oncocenter.accounts.tests.factories import PASSWORD
from oncocenter.jobs.models import Job
from oncocenter.jobs.services import job_execute
from oncocenter.scheduling.tests.factories import linacs, ready_course, world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


@pytest.fixture(autouse=True)
def reference_data():
    import importlib

    from django.apps import apps

    from oncocenter.radiotherapy.models import ChecklistItem

    if not ChecklistItem.objects.exists():
        importlib.import_module("oncocenter.radiotherapy.migrations.0002_load_reference_data").load(
            apps, None
        )


def test_booking_job_page_follows_the_job_to_its_result(page, browser_login):
    linacs()
    w = world()
    ready_course(w, number_of_fractions=5, technique="IMRT")
    browser_login(w.scheduler.username, password=PASSWORD)
    page.goto(f"{page.base_url}/scheduling/courses/{w.course.pk}/book/")
    page.click("#main button[type=submit]")
    page.wait_for_url("**/jobs/*/")
    assert page.locator('[data-status="queued"]').count() == 1
    job_execute(job_id=Job.objects.get().pk)
    # htmx polls the status block every 2 s and swaps in the result.
    page.wait_for_selector('[data-status="succeeded"]', timeout=15000)
    assert "5 session(s) booked" in page.content()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1200, "height": 700})
    page.screenshot(path=str(SCREENSHOTS / "job-booking.png"), full_page=True)
    page.click("text=Open the result")
    page.wait_for_selector("text=Why these slots")
