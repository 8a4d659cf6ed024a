"""The esophageal surgery walk in a real browser: CROSS completed -> esophagectomy recorded ->
anastomotic leak ECCG II, Clavien-Dindo IIIb -> ypT0N0 with Mandard TRG 1 -> the center's quality
report updated. Screenshots go to docs/screenshots/surgery-*.png."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone

from oncocenter.accounts.tests.factories import PASSWORD, UserFactory
from oncocenter.mdt.models import BoardCase, Recommendation
from oncocenter.mdt.tests.factories import MeetingFactory
from oncocenter.oncology.tests.factories import DiagnosisFactory, TreatmentEpisodeFactory
from oncocenter.patients.tests.factories import PatientFactory
from oncocenter.surgery.models import Operation

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


def _login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


def _logout(page):
    page.click("text=Sign out")


def test_cross_esophagectomy_leak_pcr_quality(page):
    today = timezone.localdate()
    UserFactory(username="surgeon_s", roles=["surgeon"])
    UserFactory(username="pathologist_s", roles=["pathologist"])
    patient = PatientFactory(name_ko="박식도", birth_date=dt.date(1961, 3, 9))
    dx = DiagnosisFactory(patient=patient, diagnosed_on=today - dt.timedelta(days=170))
    TreatmentEpisodeFactory(
        patient=patient,
        diagnosis=dx,
        modality="radiotherapy",
        started_on=today - dt.timedelta(days=150),
        ended_on=today - dt.timedelta(days=115),
        description="CROSS 41.4 Gy + carboplatin/paclitaxel",
    )
    meeting = MeetingFactory(held_on=today - dt.timedelta(days=160))
    case = BoardCase.objects.create(
        meeting=meeting, patient=patient, diagnosis=dx, question="Trimodality?"
    )
    Recommendation.objects.create(
        case=case, intent="curative", modalities=["chemotherapy", "radiotherapy", "surgery"]
    )
    base = page.base_url
    operated = today - dt.timedelta(days=60)

    # 1. surgeon: the esophagectomy after CROSS, linked to the board and the neoadjuvant course
    _login(page, base, "surgeon_s")
    page.goto(f"{base}/patients/{patient.mrn}/")
    page.click("text=Record an operation")
    form = "#operation-form"
    page.select_option(f"{form} select[name=recommendation]", index=1)
    page.select_option(f"{form} select[name=neoadjuvant_episode]", index=1)
    page.select_option(f"{form} select[name=neoadjuvant]", "cross")
    page.select_option(f"{form} select[name=procedure]", "ivor_lewis")
    page.select_option(f"{form} select[name=approach]", "mis")
    page.select_option(f"{form} select[name=anastomosis]", "intrathoracic")
    page.fill(f"{form} input[name=operated_on]", operated.isoformat())
    page.fill(f"{form} input[name=duration_min]", "345")
    page.fill(f"{form} input[name=blood_loss_ml]", "220")
    page.fill(f"{form} input[name=nodes_harvested]", "34")
    page.select_option(f"{form} select[name=residual_tumor]", "R0")
    page.check(f"{form} input[name=feeding_jejunostomy]")
    page.fill(f"{form} input[name=assistants]", "Dr. Han, Dr. Yoon")
    page.click(f"{form} button[type=submit]")  # no diagnosis chosen: refused beside the field
    page.wait_for_selector(f"{form} .error[data-field=diagnosis]")
    assert Operation.objects.count() == 0
    page.select_option(f"{form} select[name=diagnosis]", index=1)
    page.click(f"{form} button[type=submit]")
    page.wait_for_selector("text=Operation recorded.")
    op = Operation.objects.get(patient=patient)
    assert op.neoadjuvant == "cross" and op.recommendation is not None and op.episode is not None

    # 2. anastomotic leak on day 6: a date before the operation is refused first
    form = "#complication-form"
    page.select_option(f"{form} select[name=kind]", "anastomotic_leak")
    page.fill(f"{form} input[name=eccg_type]", "II")
    page.select_option(f"{form} select[name=clavien_dindo]", "IIIb")
    page.fill(f"{form} input[name=occurred_on]", (operated - dt.timedelta(days=1)).isoformat())
    page.click(f"{form} button[type=submit]")
    page.wait_for_selector(f"{form} .error[data-field=occurred_on]")
    assert "cannot be before the operation" in page.locator(f"{form} .error").inner_text()
    page.fill(f"{form} input[name=occurred_on]", (operated + dt.timedelta(days=6)).isoformat())
    page.click(f"{form} button[type=submit]")
    page.wait_for_selector("text=Complication recorded.")
    form = "#postop-form"
    page.fill(f"{form} input[name=discharged_on]", (operated + dt.timedelta(days=24)).isoformat())
    page.fill(f"{form} input[name=icu_days]", "5")
    page.fill(f"{form} input[name=oral_intake_on]", (operated + dt.timedelta(days=20)).isoformat())
    page.click(f"{form} button[type=submit]")
    page.wait_for_selector("text=Postoperative course saved.")
    page.screenshot(path=str(SCREENSHOTS / "surgery-operation.png"), full_page=True)
    _logout(page)

    # 3. pathologist: ypT0N0, Mandard TRG 1 (nodes positive above examined refused first)
    _login(page, base, "pathologist_s")
    page.goto(f"{base}/surgery/operations/{op.pk}/")
    form = "#pathology-form"
    page.fill(f"{form} input[name=reported_on]", (operated + dt.timedelta(days=8)).isoformat())
    page.fill(f"{form} input[name=t_category]", "T0")
    page.fill(f"{form} input[name=n_category]", "N0")
    page.fill(f"{form} input[name=nodes_examined]", "34")
    page.fill(f"{form} input[name=nodes_positive]", "35")
    page.select_option(f"{form} select[name=trg_system]", "mandard")
    page.fill(f"{form} input[name=trg]", "1")
    page.click(f"{form} button[type=submit]")
    page.wait_for_selector(f"{form} .error[data-field=nodes_positive]")
    page.fill(f"{form} input[name=nodes_positive]", "0")
    page.click(f"{form} button[type=submit]")
    page.wait_for_selector("text=Pathology report saved")
    assert "ypT0N0M0" in page.locator("#pathology").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "surgery-pathology.png"), full_page=True)
    _logout(page)

    # 4. the quality report: one esophagectomy, leak 100 %, CD >= III 100 %, pCR after CROSS 100 %
    _login(page, base, "surgeon_s")
    page.goto(f"{base}/surgery/quality/")
    row = page.locator("#quality tbody tr").first.inner_text()
    assert str(operated.year) in row and "100.0" in row
    assert page.locator(".chart-box svg").count() == 7
    page.screenshot(path=str(SCREENSHOTS / "surgery-quality.png"), full_page=True)
    page.goto(f"{base}/patients/{patient.mrn}/")
    assert page.locator("svg.timeline").count() == 1
    page.screenshot(path=str(SCREENSHOTS / "surgery-patient-timeline.png"), full_page=True)


def test_recist_series_on_the_response_timeline(page):
    """A radiologist records a RECIST baseline and follow-ups; a changed target set is refused;
    the timeline shows the treatments and the computed categories."""
    today = timezone.localdate()
    UserFactory(username="radiologist_s", roles=["radiologist"])
    patient = PatientFactory(name_ko="최반응", birth_date=dt.date(1966, 8, 1))
    dx = DiagnosisFactory(patient=patient, diagnosed_on=today - dt.timedelta(days=260))
    TreatmentEpisodeFactory(
        patient=patient,
        diagnosis=dx,
        modality="chemotherapy",
        started_on=today - dt.timedelta(days=240),
        ended_on=today - dt.timedelta(days=120),
        description="FOLFOX x 8",
    )
    base = page.base_url
    _login(page, base, "radiologist_s")
    page.goto(f"{base}/surgery/patients/{patient.mrn}/response/")
    form = "#recist-form"
    steps = [
        ("", 250, "L1; liver; 42\nL2; lung; 25\nN1; mediastinum; 18; yes"),
        ("1", 180, "L1; liver; 30\nL2; lung; 16\nN1; mediastinum; 12; yes"),
        ("1", 110, "L1; liver; 24\nL2; lung; 12\nN1; mediastinum; 9; yes"),
        ("1", 40, "L1; liver; 31\nL2; lung; 15\nN1; mediastinum; 11; yes"),
    ]
    for i, (baseline, days_ago, lesions) in enumerate(steps):
        if baseline:
            page.select_option(f"{form} select[name=baseline]", index=1)
        page.fill(
            f"{form} input[name=assessed_on]", (today - dt.timedelta(days=days_ago)).isoformat()
        )
        page.fill(f"{form} textarea[name=lesions]", lesions)
        page.click(f"{form} button[type=submit]")
        page.wait_for_selector("text=Response assessment saved")
        if i == 1:
            # a follow-up that swaps a target lesion is refused: it needs a new baseline
            page.select_option(f"{form} select[name=baseline]", index=1)
            page.fill(
                f"{form} input[name=assessed_on]", (today - dt.timedelta(days=150)).isoformat()
            )
            page.fill(f"{form} textarea[name=lesions]", "L1; liver; 28\nL3; bone; 20")
            page.click(f"{form} button[type=submit]")
            page.wait_for_selector(f"{form} .error[data-field=lesions]")
            assert "record a new baseline" in page.locator(f"{form} .error").inner_text()
    rows = page.locator("#assessments tbody tr").all_inner_texts()
    assert [r.split("\t")[-1].strip() for r in rows] == ["baseline", "PR", "PR", "PD"]
    assert page.locator("svg.timeline circle").count() == 4
    page.screenshot(path=str(SCREENSHOTS / "surgery-response.png"), full_page=True)
