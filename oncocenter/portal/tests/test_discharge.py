"""Discharge summary: released by a physician once the stay is over (once, audited), then shown
to the patient or guardian as HTML and as a PDF with the Korean font, whose extracted text has the
stay's figures and only released results; staff page and API by role, with bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.audit.models import AuditEvent
from oncocenter.clinics.models import Admission
from oncocenter.clinics.tests.factories import make_ward
from oncocenter.core.errors import Conflict, NotPermitted, ValidationFailed
from oncocenter.core.permissions import roles_with
from oncocenter.core.roles import Role
from oncocenter.labs.services import lab_result_record
from oncocenter.oncology.models import Diagnosis
from oncocenter.portal import documents, services
from oncocenter.portal.models import DocumentRelease
from oncocenter.portal.tests.factories import adult_with_account, guardian_with_account
from oncocenter.portal.tests.test_documents import pdf_text

pytestmark = pytest.mark.django_db


def _stay(patient, *, days: int = 6, discharged: bool = True, code: str = "W5") -> Admission:
    ward = make_ward(code=code)
    start = timezone.now() - dt.timedelta(days=days + 1)
    return Admission.objects.create(
        patient=patient,
        bed=ward.beds.first(),
        status="discharged" if discharged else "admitted",
        admitted_at=start,
        discharged_at=start + dt.timedelta(days=days) if discharged else None,
        reason="항암화학요법 후 호중구감소성 발열",
    )


def _doctor():
    return UserFactory(roles=["medical_oncologist"], first_name="Jiwoo", last_name="Han")


def _result(patient, loinc, value, unit, at):
    return lab_result_record(
        patient=patient,
        by=UserFactory(roles=["nurse"]),
        loinc=loinc,
        value=value,
        unit=unit,
        collected_at=at,
        resulted_at=at + dt.timedelta(hours=1),
    ).result


def test_release_rules_nurse_refused_not_discharged_once_and_audited():
    portal = adult_with_account("dis1")
    open_stay = _stay(portal.patient, discharged=False, code="W6")
    doctor = _doctor()
    with pytest.raises(NotPermitted):
        services.discharge_summary_release(by=UserFactory(roles=["nurse"]), admission=open_stay)
    with pytest.raises(Conflict) as exc:
        services.discharge_summary_release(by=doctor, admission=open_stay)
    assert exc.value.rule == "admission_not_discharged"
    open_stay.status, open_stay.discharged_at = "discharged", timezone.now()
    open_stay.save()
    with pytest.raises(ValidationFailed) as bad:
        services.discharge_summary_release(by=doctor, admission=open_stay, note="x" * 1001)
    assert bad.value.problems[0].field == "note"
    release = services.discharge_summary_release(by=doctor, admission=open_stay, note="물 많이")
    assert release.patient == portal.patient
    with pytest.raises(Conflict) as again:
        services.discharge_summary_release(by=doctor, admission=open_stay)
    assert again.value.rule == "portal_document_released_once"
    assert (
        AuditEvent.objects.filter(
            object_type="portal.documentrelease", patient_mrn=portal.patient.mrn
        ).exists()
        or AuditEvent.objects.filter(object_id=str(release.pk)).exists()
    )


def test_discharge_pdf_has_korean_text_figures_and_only_released_results():
    portal = adult_with_account("dis2")
    Diagnosis.objects.create(
        patient=portal.patient,
        icd10_code="C15.4",
        histology_text="Squamous cell carcinoma",
        diagnosed_on=dt.date(2026, 3, 4),
        is_primary=True,
    )
    stay = _stay(portal.patient, days=6)
    during = stay.admitted_at + dt.timedelta(days=2)
    anc = _result(portal.patient, "751-8", "0.3", "10*9/L", during)
    hb = _result(portal.patient, "718-7", "8.7", "g/dL", during)
    _result(portal.patient, "777-3", "43", "10*9/L", during)  # not released: must not show
    doctor = _doctor()
    services.results_release(by=doctor, patient=portal.patient, result_ids=[anc.pk, hb.pk])
    release = services.discharge_summary_release(
        by=doctor, admission=stay, note="체온이 38도 이상이면 바로 연락하세요.\n하루 물 2리터"
    )
    doc = documents.discharge_summary(release, "ko")
    text, fonts = pdf_text(documents.to_pdf(doc))
    assert any("Nanum" in f for f in fonts)
    flat = " ".join(text.split())
    for expected in (
        "퇴원 요약",
        "입원 기간",
        "(6일)",
        "Ward W5",
        "호중구감소성 발열",
        "C15.4",
        "0.3",
        "8.7",
        "체온이 38도 이상이면 바로 연락하세요.",
        "하루 물 2리터",
        portal.patient.mrn,
    ):
        assert expected in flat, expected
    assert " 43 " not in flat + " "
    english = documents.discharge_summary(release, "en")
    assert english.title == "Discharge summary"
    assert any("(6 days)" in line for s in english.sections for line in s.lines)


def test_portal_shows_the_released_summary_to_its_patient_only(portal_client):
    mine = adult_with_account("dis3")
    other = adult_with_account("dis4")
    stay = _stay(mine.patient)
    unreleased = _stay(mine.patient, code="W7")
    unreleased.admitted_at -= dt.timedelta(days=30)
    unreleased.discharged_at -= dt.timedelta(days=30)
    unreleased.save()
    client = portal_client("dis3")
    page = client.get(f"/portal/p/{mine.patient.pk}/").content.decode()
    assert "/discharge/" not in page  # nothing released yet
    release = services.discharge_summary_release(by=_doctor(), admission=stay)
    page = client.get(f"/portal/p/{mine.patient.pk}/").content.decode()
    assert f"/portal/p/{mine.patient.pk}/discharge/{release.pk}.pdf" in page
    html = client.get(f"/portal/p/{mine.patient.pk}/discharge/{release.pk}.html")
    assert html.status_code == 200 and "퇴원 요약" in html.content.decode()
    assert f'href="/portal/p/{mine.patient.pk}/discharge/{release.pk}.pdf"' in html.content.decode()
    pdf = client.get(f"/portal/p/{mine.patient.pk}/discharge/{release.pk}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert (
        AuditEvent.objects.filter(
            object_type="portal.document.discharge", actor_username="portal:dis3"
        ).count()
        == 2
    )
    # Another patient's id, a release id of another patient, a bad format: 403 / 404.
    assert client.get(f"/portal/p/{other.patient.pk}/discharge/{release.pk}.pdf").status_code == 403
    assert client.get(f"/portal/p/{mine.patient.pk}/discharge/999999.pdf").status_code == 404
    assert client.get(f"/portal/p/{mine.patient.pk}/discharge/{release.pk}.exe").status_code == 404
    theirs = portal_client("dis4")
    url = f"/portal/p/{mine.patient.pk}/discharge/{release.pk}.html"
    assert theirs.get(url).status_code == 403
    assert (
        theirs.get(f"/portal/p/{other.patient.pk}/discharge/{release.pk}.html").status_code == 404
    )


def test_guardian_sees_the_childs_released_summary(portal_client):
    family = guardian_with_account("dis_mom")
    release = services.discharge_summary_release(by=_doctor(), admission=_stay(family.patient))
    client = portal_client("dis_mom")
    url = f"/portal/p/{family.patient.pk}/discharge/{release.pk}.pdf"
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("role", sorted(Role.values))
def test_staff_discharge_page_by_role(client_as, role):
    portal = adult_with_account(f"dis_{role}")
    stay = _stay(portal.patient)
    client = client_as(role)
    url = f"/portal/staff/patients/{portal.patient.pk}/discharge/"
    allowed = role in roles_with("portal.release_results")
    assert client.get(url).status_code == (200 if allowed else 403)
    response = client.post(url, {"admission": str(stay.pk), "note": "안정"})
    if allowed:
        assert response.status_code == 302
        assert DocumentRelease.objects.filter(admission=stay).exists()
        assert client.post(url, {"admission": str(stay.pk)}).status_code == 409
        assert client.post(url, {"admission": "abc"}).status_code == 422
    else:
        assert response.status_code == 403
        assert not DocumentRelease.objects.exists()


def test_staff_discharge_page_refuses_anonymous_and_portal_sessions(client, portal_client):
    portal = adult_with_account("dis_anon")
    url = f"/portal/staff/patients/{portal.patient.pk}/discharge/"
    assert client.get(url).status_code in (302, 403)
    assert portal_client("dis_anon").get(url).status_code in (302, 403)
