"""A newcomer's first minutes: sign in, switch to Korean, find a patient by Hangul name."""

from pathlib import Path

import pytest

from oncocenter.demo.seed import seed_demo
from oncocenter.patients.models import Patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_login_switch_to_korean_search_hangul_open_patient(page, browser_login):
    seed_demo(size="small")
    patient = (
        Patient.objects.filter(center_memberships__center__code="esophageal")
        .order_by("mrn")
        .first()
    )
    browser_login("nurse")
    assert page.locator("h1").inner_text().startswith("Home")

    page.select_option("#lang-select", "ko")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "ko"
    assert "홈" in page.locator("nav").inner_text()

    page.goto(page.base_url + "/patients/")
    page.fill("#patient-q", patient.name_ko[1:])  # partial: given name only
    page.click("form[role=search] button[type=submit] >> nth=-1")
    page.wait_for_selector(f"text={patient.mrn}")
    assert "환자" in page.locator("#results").inner_text()
    page.click(f"a:has-text('{patient.mrn}')")
    page.wait_for_url(f"**/patients/{patient.mrn}/")
    assert patient.name_ko in page.locator("h1").inner_text()
    assert "******" in page.content()
    assert "인적 사항" in page.content()

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "patient-ko.png"), full_page=True)
    page.goto(page.base_url + "/patients/?q=" + patient.name_ko[:1])
    page.screenshot(path=str(SCREENSHOTS / "search-ko.png"), full_page=True)


def test_keyboard_user_can_sign_in_and_skip_to_main(page):
    from oncocenter.accounts.tests.factories import PASSWORD, UserFactory

    user = UserFactory(roles=["scheduler"])
    page.goto(page.base_url + "/accounts/login/")
    # The username field has focus on arrival; the rest is typed and tabbed.
    assert page.evaluate("document.activeElement.id") == "id_username"
    page.keyboard.type(user.username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(page.base_url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
