"""A scheduler's morning in the browser: the board, an outage's changes, confirm and print."""

from pathlib import Path

import pytest
from django.utils import timezone

from oncocenter.machines.models import DowntimeKind, MachineDowntime

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


def test_scheduler_reviews_outage_and_board(page, browser_login):
    from oncocenter.demo.seed import seed_demo

    seed_demo(size="small")
    outage = MachineDowntime.objects.get(kind=DowntimeKind.OUTAGE)
    day = timezone.localtime(outage.start).date().isoformat()
    browser_login("scheduler")
    assert "LINAC scheduling" in page.content()

    page.goto(f"{page.base_url}/scheduling/board/?date={day}")
    assert page.locator(".session").count() > 10
    assert page.locator(".session.changed").count() >= 1
    assert page.locator(".down").count() >= 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1600, "height": 1000})
    page.screenshot(path=str(SCREENSHOTS / "linac-board.png"), full_page=True)
    before = page.locator("#board h2").inner_text()
    page.click("a:has-text('Next day')")  # htmx swaps the board only
    page.wait_for_function("b => document.querySelector('#board h2').innerText !== b", arg=before)
    assert "date=" in page.url
    page.click("a:has-text('Previous day')")
    page.wait_for_function("b => document.querySelector('#board h2').innerText === b", arg=before)

    page.goto(f"{page.base_url}/scheduling/outages/{outage.pk}/")
    page.click("button:has-text('Confirm the changes')")
    page.wait_for_selector("text=Confirmed by")
    page.screenshot(path=str(SCREENSHOTS / "outage-changes.png"), full_page=True)
    page.click("a:has-text('Print patient notices')")
    page.wait_for_selector("text=Your radiotherapy appointment has changed")
    page.emulate_media(media="print")
    assert not page.locator(".sidenav").is_visible()
    page.emulate_media(media="screen")

    page.select_option("#lang-select", "ko")
    page.wait_for_load_state("networkidle")
    page.goto(f"{page.base_url}/scheduling/board/?date={day}")
    assert "선형가속기 일일 현황판" in page.content()
    page.screenshot(path=str(SCREENSHOTS / "linac-board-ko.png"), full_page=True)
