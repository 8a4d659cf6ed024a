import pytest
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.mdt.models import Meeting, Recommendation
from oncocenter.mdt.tests.factories import MeetingFactory
from oncocenter.oncology.services import diagnosis_create
from oncocenter.oncology.tests.factories import child
from oncocenter.referrals.models import Referral

pytestmark = pytest.mark.django_db


def test_meeting_pages_allow_deny(client_as):
    meeting = MeetingFactory()
    assert client_as("hospital_school_teacher").get("/mdt/").status_code == 403
    assert client_as("nurse").get("/mdt/").status_code == 200
    assert client_as("nurse").get(f"/mdt/meetings/{meeting.pk}/").status_code == 200
    # Issue 17, least privilege: tumor-board cases are not for social work.
    assert client_as("social_worker").get("/mdt/").status_code == 403
    assert client_as("social_worker").get(f"/mdt/meetings/{meeting.pk}/").status_code == 403
    assert (
        client_as("dietitian")
        .post(
            "/mdt/", {"meeting-board_type": meeting.board_type_id, "meeting-held_on": "2026-12-01"}
        )
        .status_code
        == 403
    )
    assert (
        client_as("social_worker")
        .post(f"/mdt/meetings/{meeting.pk}/", {"form": "close"})
        .status_code
        == 403
    )


def test_meeting_flow(client_as):
    patient = child()
    diagnosis_create(
        by=UserFactory(),
        patient=patient,
        icd10_code="C74.9",
        icdo3_topography="C74.9",
        icdo3_morphology="9500/3",
        diagnosed_on=timezone.localdate(),
    )
    nurse = client_as("nurse")
    from oncocenter.mdt.models import BoardType

    board = BoardType.objects.get(code="pediatric")
    response = nurse.post(
        "/mdt/",
        {"meeting-board_type": board.pk, "meeting-held_on": timezone.localdate().isoformat()},
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    url = f"/mdt/meetings/{meeting.pk}/"
    response = nurse.post(url, {"form": "case", "case-mrn": "99999999", "case-question": "?"})
    assert response.status_code == 422 and "no patient with this MRN" in response.content.decode()
    nurse.post(url, {"form": "case", "case-mrn": patient.mrn, "case-question": "Induction?"})
    case = meeting.cases.get()
    html = nurse.get(url).content.decode()
    assert (
        "No quorum" in html
        and 'data-code="nuclear_medicine"' in html
        and "Neuroblastoma, NOS" in html
    )
    doctor = client_as("pediatric_oncologist")
    rec = {
        "form": "recommend",
        "case": case.pk,
        f"rec{case.pk}-intent": "curative",
        f"rec{case.pk}-step1": "chemotherapy",
        f"rec{case.pk}-step2": "surgery",
        f"rec{case.pk}-from_department": "pediatric_oncology",
        f"rec{case.pk}-referral_to": "surgery",
        f"rec{case.pk}-referral_reason": "Resection",
        f"rec{case.pk}-referral_urgency": "routine",
    }
    response = doctor.post(url, rec)
    assert response.status_code == 409 and "No quorum" in response.content.decode()
    for discipline in (
        "pediatric_oncology",
        "surgery",
        "radiation_oncology",
        "radiology",
        "pathology",
        "nuclear_medicine",
    ):
        nurse.post(
            url,
            {
                "form": "attendance",
                "att-username": UserFactory().username,
                "att-discipline": discipline,
            },
        )
    assert "Quorum met" in nurse.get(url).content.decode()
    response = doctor.post(url, rec)
    assert response.status_code == 302
    assert Recommendation.objects.count() == 1 and Referral.objects.get().to_department == "surgery"


def test_meeting_page_read_is_audited(client_as):
    from oncocenter.audit.models import AuditEvent

    meeting = MeetingFactory()
    client_as("nurse").get(f"/mdt/meetings/{meeting.pk}/")
    assert AuditEvent.objects.filter(object_type="mdt.meeting", action="read").exists()
