"""A child's journey in the browser: diagnosis -> HSCT -> school -> shelter -> aid -> report.

Drives Debian's Chromium through Playwright against a live server. The diagnosis is recorded
through the oncology JSON API (the clinical area's endpoint) from the signed-in browser session;
everything else goes through the pages of the pediatric services (pediatrics, school, shelter,
aid). It lives in tests/browser (after the other walks) because, like every live-server test, it
ends by flushing the database.
"""

import datetime as dt

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_childs_journey_from_diagnosis_to_report(page, browser_login):
    from django.utils import timezone

    from oncocenter.accounts.tests.factories import PASSWORD, UserFactory
    from oncocenter.aid.tests.factories import AidOrganisationFactory
    from oncocenter.patients.models import Center, PatientCenter
    from oncocenter.pediatrics.tests.factories import ChildFactory
    from oncocenter.school.tests.factories import SchoolClassFactory
    from oncocenter.shelter.tests.factories import ShelterRoomFactory

    today = timezone.localdate()
    child = ChildFactory(name_ko="서하준", birth_date=today.replace(year=today.year - 7, day=1))
    # An earlier transactional test may have flushed the rows the data migration created.
    center, _ = Center.objects.get_or_create(
        code="pediatric",
        defaults={"name_en": "Pediatric Hematology-Oncology", "name_ko": "소아혈액종양센터"},
    )
    PatientCenter.objects.create(patient=child, center=center, since=today)
    cls = SchoolClassFactory(name="무지개반")
    room = ShelterRoomFactory(number="07", capacity=3)
    org = AidOrganisationFactory(name="한국소아암재단")
    UserFactory(
        username="coordinator",
        roles=["pediatric_oncologist", "hospital_school_teacher", "social_worker", "administrator"],
    )
    base, mrn = page.base_url, child.mrn
    browser_login("coordinator", password=PASSWORD)

    # 1. Diagnosis (neuroblastoma of the adrenal gland) through the oncology API.
    page.goto(f"{base}/support/patients/{mrn}/")
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    r = page.request.post(
        f"{base}/api/oncology/patients/{mrn}/diagnoses",
        data={
            "icd10_code": "C74.9",
            "icdo3_topography": "C74.9",
            "icdo3_morphology": "9500/3",
            "diagnosed_on": (today - dt.timedelta(days=60)).isoformat(),
        },
        headers={"X-CSRFToken": csrf, "Referer": base + "/"},
    )
    assert r.status == 201, r.text()
    page.goto(f"{base}/support/patients/{mrn}/")
    assert "IV Neuroblastoma" in page.inner_text("td.iccc")

    # 2. HSCT episode: a wrong engraftment date is refused beside the field, then corrected.
    day0 = today - dt.timedelta(days=12)
    form = "#hsct-form"
    page.fill(f"{form} [name=indication]", "High-risk neuroblastoma, consolidation")
    page.select_option(f"{form} [name=donor_type]", "autologous")
    page.select_option(f"{form} [name=conditioning_regimen]", "bu_mel")
    page.fill(f"{form} [name=day0]", day0.isoformat())
    page.fill(f"{form} [name=neutrophil_engraftment_on]", (day0 - dt.timedelta(days=1)).isoformat())
    page.select_option(f"{form} [name=status]", "engrafted")
    page.click(f"{form} button[type=submit]")
    error = page.inner_text('[data-field="neutrophil_engraftment_on"]')
    assert "before day 0" in error
    page.fill(
        f"{form} [name=neutrophil_engraftment_on]", (day0 + dt.timedelta(days=10)).isoformat()
    )
    page.click(f"{form} button[type=submit]")
    page.wait_for_url("**/support/hsct/*/")
    assert "day +12" in page.inner_text("p.hsct-day")

    # 3. Hospital-school enrollment.
    page.goto(f"{base}/support/school/")
    page.fill("#enroll-form [name=mrn]", mrn)
    page.select_option("#enroll-form [name=school_class]", str(cls.pk))
    page.fill("#enroll-form [name=enrolled_on]", today.isoformat())
    page.fill("#enroll-form [name=home_school]", "햇빛초등학교")
    page.click("#enroll-form button[type=submit]")
    page.wait_for_url("**/support/school/enrollments/*/")
    assert "무지개반" in page.content()

    # 4. Shelter stay for the family.
    page.goto(f"{base}/support/shelter/")
    page.select_option("#checkin-form [name=room]", str(room.pk))
    page.fill("#checkin-form [name=mrn]", mrn)
    page.fill("#checkin-form [name=guests]", "2")
    page.fill("#checkin-form [name=check_in]", today.isoformat())
    page.click("#checkin-form button[type=submit]")
    page.wait_for_url(f"{base}/support/shelter/")
    assert "서하준" in page.content() and "Checked in." in page.content()

    # 5. Aid application, documents, review and grant.
    page.goto(f"{base}/support/aid/")
    page.fill("#aid-form [name=mrn]", mrn)
    page.select_option("#aid-form [name=organisation]", str(org.pk))
    page.select_option("#aid-form [name=need]", "medical_costs")
    page.fill("#aid-form [name=amount_requested]", "3000000")
    for code in [
        "application_form",
        "medical_certificate",
        "cost_estimate",
        "family_relation",
        "income_proof",
        "privacy_consent",
    ]:
        page.check(f"#aid-form input[name=documents][value={code}]")
    page.click("#aid-form button[type=submit]")
    page.wait_for_url("**/support/aid/*/")
    for status in ("submitted", "under_review"):
        page.select_option("#transition-form [name=to_status]", status)
        page.click("#transition-form button[type=submit]")
    page.select_option("#transition-form [name=to_status]", "granted")
    page.fill("#transition-form [name=amount_granted]", "2500000")
    page.click("#transition-form button[type=submit]")
    page.wait_for_selector("#aid-status")
    assert "Granted" in page.inner_text("#aid-status")
    assert "2,500,000" in page.inner_text("#granted")

    # 6. The report counts the new case and the use of each service this year.
    page.goto(f"{base}/support/reports/?years=2")
    iccc_rows = {r.split("\t")[0]: r for r in page.inner_text("#iccc-table tbody").splitlines()}
    iv = next(v for k, v in iccc_rows.items() if k.startswith("IV "))
    assert iv.split("\t")[-1].strip() == "1"
    this_year = next(
        r for r in page.inner_text("#use-table tbody").splitlines() if r.startswith(str(today.year))
    )
    cells = [c.strip() for c in this_year.split("\t")]
    assert cells[1] == "1" and cells[3] == "1" and cells[5] == "1", cells
    assert (
        page.locator("#iccc-chart svg").count() == 1
        and page.locator("#use-charts svg").count() == 3
    )
