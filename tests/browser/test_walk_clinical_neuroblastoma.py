"""Issue 3 walk: a child with neuroblastoma goes from diagnosis through workup, a referral, a
pediatric tumor board (quorum), a recommendation that creates a referral, and trial pre-screening."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from oncocenter.accounts.tests.factories import PASSWORD, UserFactory
from oncocenter.mdt.models import BoardType, Meeting
from oncocenter.oncology.models import Diagnosis, WorkupOrder
from oncocenter.patients.tests.factories import PatientFactory
from oncocenter.referrals.models import Referral
from oncocenter.trials.tests.factories import StudyFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _reference_data() -> None:
    """Board types come from a data migration; a transactional test that ran before may have
    flushed them without restoring them (live-server tests), so load them again if absent."""
    import importlib

    from django.apps import apps

    if not BoardType.objects.exists():
        importlib.import_module("oncocenter.mdt.migrations.0002_seed_board_types").seed(apps, None)


def test_pediatric_neuroblastoma_walk(page, browser_login):
    _reference_data()
    today = timezone.localdate()
    patient = PatientFactory(
        name_ko="한서윤", birth_date=today - dt.timedelta(days=3 * 365 + 40), sex="female"
    )
    study = StudyFactory(code="KPHO-NB-2025")
    doctor = UserFactory(
        username="walk_pedonc",
        roles=["pediatric_oncologist", "nurse", "nuclear_medicine_physician"],
    )
    attendees = {
        d: UserFactory(username=f"att_{d}").username
        for d in (
            "pediatric_oncology",
            "surgery",
            "radiation_oncology",
            "radiology",
            "pathology",
            "nuclear_medicine",
        )
    }
    coordinator = UserFactory(username="walk_crc", roles=["research_coordinator"])

    browser_login(doctor.username, password=PASSWORD)
    record = f"{page.base_url}/oncology/patients/{patient.mrn}/"

    # 1. Diagnosis with autocomplete: typing a word offers the ICD-10 code.
    page.goto(record)
    page.fill("#id_diagnosis-icd10_code", "neuroblastoma")
    # A selector, not a JavaScript expression: the CSP forbids evaluating strings.
    page.wait_for_selector("#icd10-options option", state="attached")
    assert "C74.9" in page.inner_html("#icd10-options")
    page.fill("#id_diagnosis-icd10_code", "C74.9")
    page.fill("#id_diagnosis-icdo3_topography", "C74.9")
    page.fill("#id_diagnosis-icdo3_morphology", "9500/3")
    page.select_option("#id_diagnosis-laterality", "left")
    page.fill(
        "#id_diagnosis-histology_text", "Neuroblastoma, poorly differentiated, MYCN amplified"
    )
    page.click("#form-diagnosis button[type=submit]")
    page.wait_for_selector("text=Saved.")
    assert "IVa" in page.inner_text("#dx-h + table")
    assert Diagnosis.objects.get().iccc_group == "IV"

    # 2. Lansky performance status (the child is 3).
    page.select_option("#id_performance-scale", "lansky")
    page.fill("#id_performance-score", "70")
    page.click("#form-performance button[type=submit]")
    page.wait_for_selector("text=Lansky play-performance 70")

    # 3. Workup: MIBG scan ordered, then resulted from the nuclear medicine worklist.
    page.select_option("#id_workup-department", "nuclear_medicine")
    page.fill("#id_workup-test_name", "MIBG scan")
    page.click("#form-workup button[type=submit]")
    page.wait_for_selector("text=Saved.")
    order = WorkupOrder.objects.get()
    page.goto(f"{page.base_url}/oncology/workup/?department=nuclear_medicine")
    page.select_option(f"#st-{order.pk}", "resulted")
    page.fill(f"#rs-{order.pk}", "MIBG-avid left adrenal primary, no bone disease")
    page.click(f"#rs-{order.pk} ~ button")
    page.wait_for_selector("text=Order updated.")
    assert WorkupOrder.objects.get().status == "resulted"

    # 4. Referral to pediatric surgery.
    page.goto(f"{page.base_url}/referrals/patients/{patient.mrn}/new/")
    page.select_option("#id_from_department", "pediatric_oncology")
    page.select_option("#id_to_department", "surgery")
    page.select_option("#id_urgency", "urgent")
    page.fill("#id_reason", "Resectability of left adrenal mass")
    page.click("#form-referral button[type=submit]")
    page.wait_for_selector("text=Referral sent.")

    # 5. Pediatric tumor board: plan, list the case, attendance until quorum.
    page.goto(f"{page.base_url}/mdt/")
    page.select_option("#id_meeting-board_type", label="Pediatric tumor board")
    page.click("#form-meeting button[type=submit]")
    page.wait_for_url("**/mdt/meetings/*/")
    page.fill("#id_case-mrn", patient.mrn)
    page.fill("#id_case-question", "Induction and local control plan?")
    page.click("#form-case button[type=submit]")
    page.wait_for_selector("text=Induction and local control plan?")
    assert "MIBG-avid" in page.inner_text(".case")
    for discipline, username in list(attendees.items())[:-1]:
        page.fill("#id_att-username", username)
        page.select_option("#id_att-discipline", discipline)
        page.click("#form-attendance button[type=submit]")
        page.wait_for_load_state("networkidle")
    assert "No quorum" in page.inner_text("#quorum")
    assert page.get_attribute(".missing-discipline", "data-code") == "nuclear_medicine"
    assert page.inner_text(".missing-discipline") == "Nuclear medicine"
    page.fill("#id_att-username", attendees["nuclear_medicine"])
    page.select_option("#id_att-discipline", "nuclear_medicine")
    page.click("#form-attendance button[type=submit]")
    page.wait_for_selector("text=Quorum met")

    # 6. Recommendation creates a referral to radiation oncology in the same step.
    case_pk = Meeting.objects.get().cases.get().pk
    prefix = f"rec{case_pk}"
    page.select_option(f"#id_{prefix}-intent", "curative")
    page.select_option(f"#id_{prefix}-step1", "chemotherapy")
    page.select_option(f"#id_{prefix}-step2", "surgery")
    page.select_option(f"#id_{prefix}-step3", "radiotherapy")
    page.select_option(f"#id_{prefix}-from_department", "pediatric_oncology")
    page.select_option(f"#id_{prefix}-trial", label=f"{study.code}: {study.title}")
    page.select_option(f"#id_{prefix}-referral_to", "radiation_oncology")
    page.fill(f"#id_{prefix}-referral_reason", "RT to primary after resection")
    page.click(f"#rec-form-{case_pk} button[type=submit]")
    page.wait_for_selector("text=Recommendation recorded")
    assert "1 referral" in page.inner_text(".recommendation")
    assert "Chemotherapy → Surgery → Radiotherapy" in page.inner_text(".recommendation")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "tumor-board-quorum.png"), full_page=True)
    assert Referral.objects.filter(to_department="radiation_oncology", patient=patient).exists()
    page.goto(f"{page.base_url}/referrals/?department=radiation_oncology")
    assert "RT to primary after resection" in page.content()

    # 7. Trial pre-screening shows each criterion with the data used.
    page.context.clear_cookies()
    browser_login(coordinator.username, password=PASSWORD)
    page.goto(f"{page.base_url}/trials/{study.pk}/")
    row = page.locator(f"tr.candidate[data-mrn='{patient.mrn}']")
    text = row.inner_text()
    assert "age: met" in text and "age 3 years" in text
    assert "diagnosis: met" in text and "C74.9" in text
    assert "performance_status: met" in text and "lansky 70" in text
    assert "prior_therapy: unknown" in text and "treatment history not recorded" in text
    assert row.locator(".overall").get_attribute("data-overall") == "possibly_eligible"
    assert "Possibly eligible" in text
    page.screenshot(path=str(SCREENSHOTS / "trial-prescreen.png"), full_page=True)
