"""The cost estimate with the co-payment (systemic therapy's figures in a Korean PDF) and the
full record as FHIR JSON (interop's Patient/$everything) for the patient's right of access."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from oncocenter.audit.models import AuditEvent
from oncocenter.oncology.models import CopayRegistration, Diagnosis
from oncocenter.portal import documents
from oncocenter.portal.tests.factories import adult_with_account, guardian_with_account
from oncocenter.portal.tests.test_chemo import _order
from oncocenter.portal.tests.test_documents import pdf_text
from oncocenter.systemic.selectors import cost_estimate

pytestmark = pytest.mark.django_db


def _won(amount) -> str:
    return f"{int(amount):,}원"


@pytest.mark.parametrize("registered", [True, False])
def test_cost_estimate_pdf_has_the_cycle_figures_and_the_share(registered):
    portal = adult_with_account("cost1")
    today = timezone.localdate()
    if registered:
        CopayRegistration.objects.create(
            patient=portal.patient,
            registered_on=today - dt.timedelta(days=30),
            expires_on=today + dt.timedelta(days=5 * 365),
        )
    order = _order(portal.patient, today + dt.timedelta(days=2))
    est = cost_estimate(order)
    assert est["total"] > 0
    text, fonts = pdf_text(documents.to_pdf(documents.build("cost", portal.patient, "ko")))
    assert any("Nanum" in f for f in fonts)
    flat = " ".join(text.split())
    assert "항암치료 비용 예상" in flat
    assert f"합계: {_won(est['total'])}" in flat
    assert _won(est["patient_share"]) in flat and _won(est["insurer_share"]) in flat
    assert ("본인부담 5%" if registered else "본인부담 30%") in flat
    assert "paclitaxel" in flat and "carboplatin" in flat
    assert est["rate_percent"] == (5 if registered else 30)


def test_cost_page_without_chemotherapy_says_so(portal_client):
    portal = adult_with_account("cost2")
    html = portal_client("cost2").get(f"/portal/p/{portal.patient.pk}/documents/cost.html")
    assert html.status_code == 200
    assert "주문된 항암치료가 없습니다." in html.content.decode()


def test_fhir_record_download_is_the_everything_bundle(portal_client):
    portal = adult_with_account("fhir1")
    Diagnosis.objects.create(
        patient=portal.patient,
        icd10_code="C15.4",
        histology_text="Squamous cell carcinoma",
        diagnosed_on=dt.date(2026, 3, 4),
        is_primary=True,
    )
    client = portal_client("fhir1")
    response = client.get(f"/portal/p/{portal.patient.pk}/documents/record.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store"
    bundle = json.loads(response.content)
    assert bundle["resourceType"] == "Bundle" and bundle["total"] == len(bundle["entry"])
    types = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert types[0] == "Patient" and "Condition" in types
    codes = json.dumps(bundle)
    assert "C15.4" in codes and portal.patient.mrn in codes
    event = AuditEvent.objects.get(
        actor_username="portal:fhir1", object_type="portal.document.record", action="export"
    )
    assert event.detail["format"] == "fhir" and event.detail["count"] == bundle["total"]
    # Only the record: no other kind has a JSON form.
    assert client.get(f"/portal/p/{portal.patient.pk}/documents/cost.json").status_code == 404


def test_guardian_downloads_the_childs_fhir_record_only(portal_client):
    mine = guardian_with_account("fhirmom")
    other = guardian_with_account("fhirdad")
    client = portal_client("fhirmom")
    bundle = json.loads(client.get(f"/portal/p/{mine.patient.pk}/documents/record.json").content)
    assert mine.patient.mrn in json.dumps(bundle)
    assert other.patient.mrn not in json.dumps(bundle)
    assert client.get(f"/portal/p/{other.patient.pk}/documents/record.json").status_code == 403


def test_fhir_record_carries_only_the_released_lab_results(portal_client):
    from oncocenter.accounts.tests.factories import UserFactory
    from oncocenter.labs.services import lab_result_record
    from oncocenter.portal.services import results_release

    portal = adult_with_account("fhirlab")
    nurse = UserFactory(roles=["nurse"])
    at = timezone.now() - dt.timedelta(hours=2)
    released = lab_result_record(
        patient=portal.patient, by=nurse, loinc="751-8", value="2.5", unit="10*9/L", collected_at=at
    ).result
    held = lab_result_record(
        patient=portal.patient, by=nurse, loinc="777-3", value="45", unit="10*9/L", collected_at=at
    ).result
    results_release(
        by=UserFactory(roles=["medical_oncologist"]),
        patient=portal.patient,
        result_ids=[released.pk],
    )
    client = portal_client("fhirlab")
    bundle = json.loads(client.get(f"/portal/p/{portal.patient.pk}/documents/record.json").content)
    ids = {e["resource"]["id"] for e in bundle["entry"]}
    assert f"lab-{released.pk}" in ids
    assert f"lab-{held.pk}" not in ids
