"""The family's walk on a phone: the nurse opens portal access and hands over a one-time code; the
guardian activates on a phone-sized screen (Korean), sees the child's next appointments, answers
the weekly symptom questionnaire with severe mouth sores; the nurse sees the alert on her home
page, acknowledges it and records the outcome. Screenshots: docs/screenshots/portal-*.png."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}


def test_guardian_reports_severe_mucositis_and_the_nurse_acknowledges(browser, page, browser_login):
    from django.utils import timezone

    from oncocenter.accounts.tests.factories import PASSWORD, UserFactory
    from oncocenter.clinics.services import appointment_book
    from oncocenter.clinics.tests.factories import make_session
    from oncocenter.patients.models import Center
    from oncocenter.patients.models_record import CareTeamMember, Guardian
    from oncocenter.portal.models import SymptomAlert
    from oncocenter.portal.tests.factories import child

    for code, en, ko in (
        ("esophageal", "Esophageal Cancer Center", "식도암센터"),
        ("pediatric", "Pediatric Hematology-Oncology", "소아혈액종양센터"),
    ):
        Center.objects.get_or_create(code=code, defaults={"name_en": en, "name_ko": ko})
    today = timezone.localdate()
    kid = child(name_ko="서하준")
    Guardian.objects.create(
        patient=kid, name_ko="이지은", relationship="mother", birth_date=dt.date(1989, 4, 2)
    )
    nurse = UserFactory(username="walknurse", roles=["nurse"], email="walknurse@example.org")
    CareTeamMember.objects.create(patient=kid, user=nurse, role="nurse", is_lead=True, since=today)
    doctor = UserFactory(roles=["pediatric_oncologist"])
    session = make_session(physician=doctor, center_code="pediatric")
    appointment_book(
        by=nurse, slot=session.slots.first(), patient=kid, appointment_type="on-treatment"
    )
    base = page.base_url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # 1. At the desk the nurse opens portal access for the mother and reads the one-time code.
    browser_login("walknurse", password=PASSWORD)
    page.goto(f"{base}/portal/staff/patients/{kid.pk}/")
    holder = page.locator("#issue-code select[name=holder] option", has_text="이지은")
    page.select_option("#issue-code select[name=holder]", holder.get_attribute("value"))
    page.click("#issue-code button[type=submit]")
    code = page.inner_text("#activation-code").strip()
    assert len(code) == 11

    # 2. The mother activates on her phone (Korean by default).
    phone_ctx = browser.new_context(
        viewport=PHONE, locale="ko-KR", timezone_id="Asia/Seoul", is_mobile=True, has_touch=True
    )
    phone_ctx.set_default_timeout(15_000)
    mom = phone_ctx.new_page()
    mom.goto(f"{base}/portal/activate/")
    assert "계정 활성화" in mom.inner_text("h1")
    mom.fill("[name=code]", code.lower())
    mom.fill("[name=username]", "jieun.lee")
    mom.fill("[name=password]", "short")
    mom.fill("[name=password2]", "short")
    mom.click("button[type=submit]")
    assert "10" in mom.inner_text(".field.has-error")  # too short, said beside the field
    mom.fill("[name=code]", code)
    mom.fill("[name=password]", "Haneul-bada-2027")
    mom.fill("[name=password2]", "Haneul-bada-2027")
    mom.screenshot(path=str(SCREENSHOTS / "portal-phone-activate.png"), full_page=True)
    mom.click("button[type=submit]")
    mom.wait_for_url(f"{base}/portal/p/{kid.pk}/")

    # 3. The child's next appointment, how to prepare, the care team, the documents.
    assert "서하준" in mom.inner_text("h1")
    appt = mom.inner_text("li.appt-clinic")
    assert session.date.isoformat() in appt and "외래 진료" in appt
    assert "walknurse" in mom.inner_text("#h-team + ul") or nurse.get_full_name() in mom.inner_text(
        "#h-team + ul"
    )
    mom.screenshot(path=str(SCREENSHOTS / "portal-phone-child.png"), full_page=True)

    # 4. The weekly symptom report (guardian's proxy version) with severe mouth sores.
    mom.click("text=증상 보고하기")
    mom.wait_for_url("**/symptoms/")
    assert "보호자용" in mom.inner_text("h1")
    for item, first in (
        ("dysphagia", "dysphagia.severity"),
        ("esophagitis", "esophagitis.severity"),
        ("nausea", "nausea.frequency"),
        ("fatigue", "fatigue.severity"),
        ("pain", "pain.frequency"),
    ):
        mom.check(f'input[name="{first}"][value="0"]')
        # Branching: "none"/"never" hides the follow-up questions of the item.
        follow = mom.locator(f'.attr[data-item="{item}"][data-follow="1"]')
        for i in range(follow.count()):
            assert not follow.nth(i).is_visible()
    mom.check('input[name="mucositis.severity"][value="3"]')
    assert mom.locator('.attr[data-item="mucositis"][data-follow="1"]').is_visible()
    mom.check('input[name="mucositis.interference"][value="3"]')
    mom.screenshot(path=str(SCREENSHOTS / "portal-phone-symptoms.png"), full_page=True)
    mom.click("button[type=submit]")
    mom.wait_for_url("**/thanks/")
    answered = timezone.now()
    mom.screenshot(path=str(SCREENSHOTS / "portal-phone-thanks.png"), full_page=True)
    phone_ctx.close()

    # 5. The nurse's home page shows the alert; she acknowledges and records the outcome.
    page.goto(f"{base}/")
    alert = SymptomAlert.objects.get(patient=kid)
    panel_link = page.locator(f'a[href="/portal/staff/alerts/{alert.pk}/"]')
    assert panel_link.count() >= 1
    seen = timezone.now()
    assert (seen - answered).total_seconds() < 60
    panel_link.first.click()
    page.wait_for_url(f"**/portal/staff/alerts/{alert.pk}/")
    assert "Mouth or throat sores" in page.inner_text("dl.facts")
    page.click("#acknowledge")
    page.wait_for_url(f"**/portal/staff/alerts/{alert.pk}/")
    assert "Acknowledged" in page.inner_text("#alert-status")
    page.select_option("#close-form select[name=outcome]", "clinic_visit")
    page.fill("#close-form [name=note]", "Mouthwash and clinic tomorrow 09:00")
    page.click("#close-form button[type=submit]")
    page.wait_for_url(f"**/portal/staff/alerts/{alert.pk}/")
    page.screenshot(path=str(SCREENSHOTS / "portal-nurse-alert.png"), full_page=True)
    alert.refresh_from_db()
    assert alert.status == "closed" and alert.acknowledged_by == nurse
    assert alert.outcome == "clinic_visit"
