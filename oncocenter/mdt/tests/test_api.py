import pytest
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.oncology.services import diagnosis_create
from oncocenter.oncology.tests.factories import child
from oncocenter.referrals.models import Referral

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate().isoformat()


def test_board_flow_with_quorum_and_roles(api_as):
    patient = child()
    d = diagnosis_create(
        by=UserFactory(),
        patient=patient,
        icd10_code="C74.9",
        icdo3_topography="C74.9",
        icdo3_morphology="9500/3",
        diagnosed_on=timezone.localdate(),
    )
    assert (
        api_as("dietitian")
        .post(
            "/api/mdt/meetings",
            {"board_type": "pediatric", "held_on": TODAY},
            content_type="application/json",
        )
        .status_code
        == 403
    )
    bad = api_as("nurse").post(
        "/api/mdt/meetings",
        {"board_type": "dental", "held_on": TODAY},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "board_type"
    meeting = (
        api_as("nurse")
        .post(
            "/api/mdt/meetings",
            {"board_type": "pediatric", "held_on": TODAY},
            content_type="application/json",
        )
        .json()
    )
    mid = meeting["id"]
    case = (
        api_as("pediatric_oncologist")
        .post(
            f"/api/mdt/meetings/{mid}/cases",
            {"mrn": patient.mrn, "question": "Plan?", "diagnosis_id": d.pk},
            content_type="application/json",
        )
        .json()
    )
    assert case["summary"]["diagnoses"][0]["iccc"] == "IVa"
    for discipline in (
        "pediatric_oncology",
        "surgery",
        "radiation_oncology",
        "radiology",
        "pathology",
    ):
        quorum = (
            api_as("nurse")
            .post(
                f"/api/mdt/meetings/{mid}/attendance",
                {"username": UserFactory().username, "discipline": discipline},
                content_type="application/json",
            )
            .json()
        )
    assert quorum["missing"] == ["nuclear_medicine"]
    rec = {
        "intent": "curative",
        "modalities": ["chemotherapy", "surgery"],
        "from_department": "pediatric_oncology",
        "referrals": [{"to_department": "surgery", "reason": "Resection after induction"}],
        "orders": [{"department": "nuclear_medicine", "test_name": "MIBG"}],
    }
    url = f"/api/mdt/cases/{case['id']}/recommendation"
    assert api_as("nurse").post(url, rec, content_type="application/json").status_code == 403
    response = api_as("pediatric_oncologist").post(url, rec, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["errors"][0]["value"] == "nuclear_medicine"
    api_as("nurse").post(
        f"/api/mdt/meetings/{mid}/attendance",
        {"username": UserFactory().username, "discipline": "nuclear_medicine"},
        content_type="application/json",
    )
    response = api_as("pediatric_oncologist").post(url, rec, content_type="application/json")
    assert response.status_code == 201 and len(response.json()["referral_ids"]) == 1
    assert Referral.objects.get().to_department == "surgery"
    assert api_as("hospital_school_teacher").get(f"/api/mdt/meetings/{mid}").status_code == 403
    assert api_as("nurse").get("/api/mdt/board-to-treatment").status_code == 200
    assert api_as("social_worker").get("/api/mdt/board-to-treatment").status_code == 403
