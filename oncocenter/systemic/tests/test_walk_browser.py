"""The issue's browser walk: esophageal patient -> CROSS ordered with RT -> pharmacist verifies ->
week 3 ANC low -> the day is held -> physician override with a reason -> two-nurse administration
-> cumulative dose and cost shown. Screenshots go to docs/screenshots/systemic-*.png."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone

from oncocenter.accounts.models import CredentialKind
from oncocenter.accounts.tests.factories import PASSWORD, CredentialFactory, UserFactory
from oncocenter.oncology.models import CopayRegistration
from oncocenter.oncology.tests.factories import DiagnosisFactory
from oncocenter.patients.tests.factories import PatientFactory
from oncocenter.radiotherapy.models import Course
from oncocenter.systemic.models import Administration, DayRelease, Regimen, TherapyOrder
from oncocenter.systemic.services import measurement_record

from .conftest import good_labs

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
SHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


def _login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


def _as(page, base, username):
    page.context.clear_cookies()
    _login(page, base, username)


def test_cross_walk(page):
    today = timezone.localdate()
    start = today - dt.timedelta(days=14)  # today is day 15: week 3
    doctor = UserFactory(username="medonc_w", roles=["medical_oncologist"])
    CredentialFactory(user=doctor, kind=CredentialKind.MEDICAL_LICENSE)
    CredentialFactory(
        user=UserFactory(username="pharm_w", roles=["pharmacist"]), kind=CredentialKind.PHARMACIST
    )
    nurse = UserFactory(username="nurse_w", roles=["nurse"])
    UserFactory(username="nurse_w2", roles=["nurse"])
    ro = UserFactory(username="radonc_w", roles=["radiation_oncologist"])
    patient = PatientFactory(name_ko="김식도", birth_date=dt.date(1958, 4, 2), sex="male")
    dx = DiagnosisFactory(patient=patient)
    course = Course.objects.create(
        patient=patient,
        number=1,
        label="Esophagus 41.4 Gy / 23 fx",
        intent="curative",
        physician=ro,
        status="active",
    )
    CopayRegistration.objects.create(
        patient=patient,
        registered_on=start - dt.timedelta(days=20),
        expires_on=start + dt.timedelta(days=5 * 365),
    )
    measurement_record(patient=patient, by=nurse, height_cm=170, weight_kg=68, measured_on=start)
    good_labs(patient, nurse, on=start)
    base = page.base_url

    # 1. the oncologist orders CROSS with the RT course, from day 1 two weeks ago, and signs
    _as(page, base, "medonc_w")
    page.goto(f"{base}/systemic/patients/{patient.mrn}/")
    page.select_option(
        "#order-form select[name=regimen]", str(Regimen.objects.get(code="cross").pk)
    )
    page.select_option("#order-form select[name=diagnosis]", str(dx.pk))
    page.fill("#order-form input[name=start_date]", start.isoformat())
    page.select_option("#order-form select[name=rt_course]", str(course.pk))
    page.click("#order-form button[type=submit]")
    page.wait_for_selector("#order-bsa")
    assert "AUC 2 x (GFR" in page.content()
    page.click("#sign-order")
    page.wait_for_selector("text=Order signed.")
    order = TherapyOrder.objects.get()
    page.screenshot(path=str(SHOTS / "systemic-order-signed.png"), full_page=True)

    # 2. the pharmacist verifies from the queue
    _as(page, base, "pharm_w")
    page.goto(f"{base}/systemic/")
    page.click(f"#verify-queue a[href='/systemic/orders/{order.pk}/']")
    page.click("#verify-order")
    page.wait_for_selector("text=Order verified.")
    assert "pharm_w" in page.inner_text("#verified-by")

    # 3. week 3: ANC 0.8 today; the nurse cannot release, holds the day
    good_labs(patient, nurse, anc="0.8")
    _as(page, base, "nurse_w")
    page.goto(f"{base}/systemic/orders/{order.pk}/")
    page.click("#release-15 button[type=submit]")
    page.wait_for_selector("#release-15 .alert")
    assert "hold parameters" in page.inner_text("#release-15")
    page.fill("#hold-15 input[name=reason]", "ANC 0.8 x10^9/L")
    page.click("#hold-15 button[type=submit]")
    page.wait_for_selector("text=Day held.")
    page.screenshot(path=str(SHOTS / "systemic-day-held.png"), full_page=True)

    # the radiation oncologist sees the held chemotherapy on the RT course
    _as(page, base, "radonc_w")
    page.goto(f"{base}/radiotherapy/courses/{course.pk}/")
    assert "ANC 0.8" in page.inner_text("#concurrent-chemo")
    page.locator("#concurrent-chemo").screenshot(path=str(SHOTS / "systemic-rt-course-held.png"))

    # 4. the physician overrides with a reason
    _as(page, base, "medonc_w")
    page.goto(f"{base}/systemic/orders/{order.pk}/")
    page.fill(
        "#release-15 input[name=override_reason]",
        "ANC recovering on repeat; clinically well; proceed",
    )
    page.click("#release-15 button[type=submit]")
    page.wait_for_selector("text=Day released.")
    assert DayRelease.objects.filter(order=order, day=15, decision="overridden").exists()

    # 5. two nurses give paclitaxel
    _as(page, base, "nurse_w")
    page.goto(f"{base}/systemic/orders/{order.pk}/")
    dose = order.doses.get(day=15, drug__drug="paclitaxel")
    form = f"#administer-{dose.pk}"
    page.check(f"{form} input[name=identifiers][value=name]")
    page.check(f"{form} input[name=identifiers][value=birth_date]")
    page.fill(f"{form} input[name=given_mg]", str(dose.planned_mg + 5))
    page.select_option(f"{form} select[name=route]", "iv")
    page.fill(f"{form} input[name=product_expiry]", (today + dt.timedelta(days=60)).isoformat())
    page.fill(f"{form} input[name=started_at]", f"{today.isoformat()}T10:00")
    page.fill(f"{form} input[name=stopped_at]", f"{today.isoformat()}T11:00")
    page.fill(f"{form} input[name=witness_username]", "nurse_w2")
    page.fill(f"{form} input[name=witness_password]", PASSWORD)
    page.click(f"{form} button[type=submit]")
    page.wait_for_selector(f"{form} .error")
    assert "must equal the released dose" in page.inner_text(form)
    assert Administration.objects.count() == 0
    page.fill(f"{form} input[name=given_mg]", str(dose.planned_mg))
    page.fill(f"{form} input[name=witness_password]", PASSWORD)
    page.check(f"{form} input[name=identifiers][value=name]")
    page.check(f"{form} input[name=identifiers][value=birth_date]")
    page.click(f"{form} button[type=submit]")
    page.wait_for_selector("text=Administration recorded.")
    assert Administration.objects.get().checker.username == "nurse_w2"

    # 6. cumulative dose and cost (5 % under the cancer registration) on the order and the estimate
    assert "mg/m²" in page.inner_text("#order-cumulative")
    assert "5 %" in page.inner_text("#order-cost")
    page.screenshot(path=str(SHOTS / "systemic-order-given.png"), full_page=True)
    page.goto(f"{base}/systemic/orders/{order.pk}/estimate/")
    assert page.inner_text("#patient-share").strip() != ""
    page.screenshot(path=str(SHOTS / "systemic-estimate.png"), full_page=True)
    page.goto(f"{base}/labs/patients/{patient.mrn}/")
    assert page.locator("#lab-charts .treatment-day").count() > 0
    page.screenshot(path=str(SHOTS / "labs-trends.png"), full_page=True)
