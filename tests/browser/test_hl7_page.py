"""The interface administrator's HL7 message store: a refused message, its detail, a replay."""

from pathlib import Path

import pytest

from oncocenter.accounts.tests.factories import PASSWORD, UserFactory
from oncocenter.interop.hl7.services import hl7_receive
from oncocenter.interop.tests.test_hl7 import msg

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_hl7_messages_list_detail_and_replay(page, browser_login):
    by = UserFactory()
    hl7_receive(raw=msg(control="B1"), by=by)
    refused = hl7_receive(raw=msg("A08", "B2", pid3="H777^^^HOSP^MR", born=""), by=by)
    admin = UserFactory(roles=["administrator"])
    browser_login(admin.username, password=PASSWORD)
    page.goto(page.base_url + "/interop/hl7/")
    assert "B2" in page.locator("table").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "hl7-messages.png"), full_page=True)
    page.click(f"a[href='/interop/hl7/{refused.pk}/']")
    page.wait_for_url(f"**/interop/hl7/{refused.pk}/")
    assert "MSA|AE|B2" in page.content()
    page.click("button:has-text('Replay')")
    page.wait_for_url(f"**/interop/hl7/{refused.pk}/")
    assert "Replayed: AE" in page.content()
    page.screenshot(path=str(SCREENSHOTS / "hl7-message.png"), full_page=True)
