"""Documents: the PDF embeds a Hangul font, and its extracted text has the Korean words and the
right figures (doses, dates) of the patient's record."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from oncocenter.followup.models import DueItem, FollowUpPlan, ProtocolTemplate
from oncocenter.oncology.models import Diagnosis
from oncocenter.portal import documents
from oncocenter.portal.tests.factories import adult_with_account, guardian_with_account

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> tuple[str, set[str]]:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            if "/FontFile2" in descriptor:
                fonts.add(str(descriptor["/FontName"]))
    return text, fonts


def test_care_plan_has_diagnosis_follow_up_and_team_in_korean():
    portal = adult_with_account()
    Diagnosis.objects.create(
        patient=portal.patient,
        icd10_code="C15.4",
        histology_text="Squamous cell carcinoma",
        diagnosed_on=dt.date(2026, 3, 4),
        is_primary=True,
    )
    template = ProtocolTemplate.objects.filter(kind="protocol").first()
    plan = FollowUpPlan.objects.create(
        patient=portal.patient, template=template, treatment_end=dt.date(2026, 6, 1)
    )
    DueItem.objects.create(
        plan=plan,
        patient=portal.patient,
        item_code="ct",
        kind="imaging",
        name_en="Chest CT",
        name_ko="흉부 CT",
        due_on=dt.date(2026, 9, 1),
        window_end=dt.date(2026, 10, 1),
        rationale="Recurrence surveillance",
    )
    doc = documents.build("care-plan", portal.patient, "ko")
    text, fonts = pdf_text(documents.to_pdf(doc))
    assert any("Nanum" in f for f in fonts)
    for expected in (
        "치료 요약 및 생존자 관리 계획",
        portal.patient.name_ko,
        "C15.4",
        "2026-03-04",
        "흉부 CT",
        "2026-09-01",
        "추적 관찰 일정",
        "누가 무엇을 담당하는지",
    ):
        assert expected in text, expected
    english = documents.build("care-plan", portal.patient, "en")
    text_en, _f = pdf_text(documents.to_pdf(english))
    assert "Treatment summary and survivorship care plan" in text_en and "Chest CT" in text_en


def test_treatment_doses_are_the_delivered_ones(monkeypatch):
    portal = adult_with_account()
    rows = [
        {
            "site": "Esophagus",
            "dose_delivered_gy": Decimal("50.4"),
            "fractions_delivered": 28,
            "dose_prescribed_gy": Decimal("50.4"),
            "fractions_prescribed": 28,
        }
    ]
    from oncocenter.radiotherapy.models import Course

    monkeypatch.setattr(documents, "dose_summary", lambda course: rows)
    from oncocenter.accounts.tests.factories import UserFactory

    Course.objects.create(
        patient=portal.patient,
        number=1,
        label="식도 근치적 화학방사선",
        intent="curative",
        physician=UserFactory(roles=["radiation_oncologist"]),
        started_on=dt.date(2026, 4, 1),
        ended_on=dt.date(2026, 5, 12),
    )
    text, _f = pdf_text(documents.to_pdf(documents.build("care-plan", portal.patient, "ko")))
    assert "Esophagus: 28회에 걸쳐 50.4 Gy 조사" in text.replace("\n", " ")
    assert "식도 근치적 화학방사선" in text and "2026-04-01" in text and "2026-05-12" in text


def test_school_letter_names_the_child_and_not_the_diagnosis():
    portal = guardian_with_account()
    Diagnosis.objects.create(
        patient=portal.patient,
        icd10_code="C91.0",
        diagnosed_on=dt.date(2026, 1, 5),
        is_primary=True,
    )
    text, _f = pdf_text(documents.to_pdf(documents.build("school", portal.patient, "ko")))
    assert "학교 복귀 안내문" in text and portal.patient.name_ko in text
    assert "C91.0" not in text and portal.patient.mrn not in text


def test_full_record_lists_the_symptom_reports():
    from oncocenter.portal import services
    from oncocenter.portal.tests.test_services import answers

    portal = adult_with_account()
    services.pro_submit(
        account=portal.account,
        patient=portal.patient,
        instrument_code="symptoms-weekly",
        answers=answers(mucositis__severity=3),
    )
    text, _f = pdf_text(documents.to_pdf(documents.build("record", portal.patient, "ko")))
    assert "구내염 심함" in text and "증상 및 삶의 질 보고" in text


def test_missing_font_is_refused_not_printed_as_boxes(monkeypatch):
    monkeypatch.setattr(documents, "FONT_DIRS", ("/nonexistent",))
    monkeypatch.delenv("ONCOCENTER_PDF_FONT", raising=False)
    portal = adult_with_account()
    with pytest.raises(documents.FontMissing):
        documents.to_pdf(documents.build("followup", portal.patient, "ko"))
