"""A nurse records a set of vital signs on the cancer record page and sees it listed."""

from pathlib import Path

import pytest

from oncocenter.accounts.tests.factories import PASSWORD, UserFactory
from oncocenter.oncology.models import VitalSigns
from oncocenter.patients.tests.factories import PatientFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_nurse_records_vital_signs(page, browser_login):
    patient = PatientFactory()
    nurse = UserFactory(roles=["nurse"])
    browser_login(nurse.username, password=PASSWORD)
    page.goto(page.base_url + f"/oncology/patients/{patient.mrn}/")
    page.fill("#id_vitals-systolic_mmhg", "118")
    page.fill("#id_vitals-diastolic_mmhg", "76")
    page.fill("#id_vitals-heart_rate_bpm", "84")
    page.fill("#id_vitals-temperature_c", "37.4")
    page.fill("#id_vitals-spo2_percent", "97")
    page.fill("#id_vitals-weight_kg", "58.2")
    page.fill("#id_vitals-height_cm", "162")
    page.locator("form:has(#id_vitals-heart_rate_bpm) button[type=submit]").click()
    page.wait_for_url(f"**/oncology/patients/{patient.mrn}/")
    table = page.locator("section[aria-labelledby=vs-h] ul").inner_text()
    assert "118/76" in table and "22.2" in table  # BMI 58.2 / 1.62²
    assert VitalSigns.objects.get().heart_rate_bpm == 84
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("section[aria-labelledby=vs-h]").screenshot(
        path=str(SCREENSHOTS / "vital-signs.png")
    )
