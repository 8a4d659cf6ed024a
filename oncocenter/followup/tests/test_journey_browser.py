"""The esophageal journey in a real browser: end of treatment -> generated follow-up plan -> a
visit with a 6 % weight loss -> the alert on the dietitian's worklist -> a booked follow-up."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from oncocenter.accounts.tests.factories import PASSWORD, UserFactory
from oncocenter.clinics.tests.factories import make_session
from oncocenter.nutrition.services import nutrition_record_create
from oncocenter.patients.tests.factories import PatientFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


def _logout(page):
    page.click("text=Sign out")


def test_esophageal_journey(page):
    today = timezone.localdate()
    surgeon = UserFactory(username="surgeon_j", roles=["surgeon"])
    UserFactory(username="dietitian_j", roles=["dietitian"])
    UserFactory(username="scheduler_j", roles=["scheduler"])
    patient = PatientFactory(name_ko="김식도", birth_date=dt.date(1958, 4, 2))
    nutrition_record_create(
        by=UserFactory(),
        patient=patient,
        measured_on=today - dt.timedelta(days=28),
        weight=64.0,
        height=168,
    )
    session = make_session(slots=6, physician=surgeon)
    base = page.base_url
    end = today - dt.timedelta(days=80)
    # 1. surgeon: end of treatment -> generated follow-up plan
    _login(page, base, "surgeon_j")
    page.goto(f"{base}/patients/{patient.mrn}/")
    page.click("text=Generate a follow-up plan (end of treatment)")
    page.fill("#plan-form input[name=treatment_end]", end.isoformat())
    page.fill("#plan-form input[name=icd10_code]", "C15.4")
    page.check("#plan-form input[name=modalities][value=surgery]")
    page.click("#plan-form button[type=submit]")
    page.wait_for_selector("text=Follow-up plan generated")
    assert page.locator("#followup-section").get_by_text("Follow-up clinic visit").count() > 0

    # 2. the visit: weight 60.1 kg, 6 % below the 64 kg of four weeks ago
    page.click("text=Record weight, FOIS and diet")
    page.fill("#nutrition-form input[name=weight]", "60.1")
    page.fill("#nutrition-form input[name=fois_level]", "5")
    page.click("#nutrition-form button[type=submit]")
    page.wait_for_selector("text=Alert for the dietitian")
    assert "6.1 % in 1 month" in page.content()
    assert page.locator("#weight-fois-chart svg polyline").count() == 2
    _logout(page)

    # 3. dietitian: the alert is on the worklist
    _login(page, base, "dietitian_j")
    assert patient.mrn in page.locator("#dietitian-panel").inner_text()
    page.click("text=Dietitian worklist")
    row = page.locator("#dietitian-worklist tr", has_text=patient.mrn)
    assert "Weight loss 6.1 % in 1 month" in row.inner_text()
    _logout(page)

    # 4. scheduler: book the 3-month follow-up visit into a suggested slot
    _login(page, base, "scheduler_j")
    page.goto(f"{base}/patients/{patient.mrn}/")
    page.locator("#followup-section a", has_text="Follow-up clinic visit").first.click()
    page.wait_for_selector("#suggestions")
    page.locator("#suggestions button", has_text="Book this slot").first.click()
    page.wait_for_selector("text=Follow-up booked for")
    appointments = page.locator("#patient-appointments").inner_text()
    assert session.date.isoformat() in appointments

    from oncocenter.clinics.models import Appointment
    from oncocenter.followup.models import DueItem

    appt = Appointment.objects.get(patient=patient, status="booked")
    assert appt.session == session and appt.appointment_type == "follow-up"
    assert DueItem.objects.get(appointment=appt).item_code == "visit"
