"""Referrals appear in the shell through their own registrations (issue 14): the home worklist,
the navigation, and the patient's consults on the cancer record (oncology's RECORD_SECTIONS
hook), none of which oncology imports."""

import pytest
from django.utils import timezone

from oncocenter.oncology.hooks import RECORD_SECTIONS
from oncocenter.oncology.tests.factories import DiagnosisFactory
from oncocenter.referrals.models import Referral

pytestmark = pytest.mark.django_db


def _referral(patient, to="nursing"):
    return Referral.objects.create(
        patient=patient,
        from_department="surgery",
        to_department=to,
        reason="Wound care after esophagectomy",
        urgency="urgent",
        requested_at=timezone.now(),
    )


def test_referrals_answer_the_record_sections_hook():
    assert [s.key for s in RECORD_SECTIONS.providers()] == ["referrals"]


def test_cancer_record_shows_the_patients_referrals_and_the_new_referral_link(client_as):
    patient = DiagnosisFactory().patient
    _referral(patient)
    html = client_as("surgeon").get(f"/oncology/patients/{patient.mrn}/").content.decode()
    assert 'id="referrals-h"' in html and "Surgery -&gt; Nursing" in html and "Urgent" in html
    assert f"/referrals/patients/{patient.mrn}/new/" in html
    # A role that sees referrals but may not create one gets the list without the link.
    html = client_as("medical_physicist").get(f"/oncology/patients/{patient.mrn}/").content.decode()
    assert "Surgery -&gt; Nursing" in html
    assert f"/referrals/patients/{patient.mrn}/new/" not in html


def test_home_panel_lists_referrals_to_my_department(client_as):
    _referral(DiagnosisFactory().patient, to="nursing")
    html = client_as("nurse").get("/").content.decode()
    assert "Referrals to my department" in html and "Wound care after esophagectomy" in html
    assert "/referrals/" in html
    assert (
        "Referrals to my department"
        not in client_as("hospital_school_teacher").get("/").content.decode()
    )
