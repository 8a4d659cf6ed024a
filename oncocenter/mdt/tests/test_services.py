import datetime as dt

import pytest
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.core.errors import Conflict, ValidationFailed
from oncocenter.mdt import selectors, services
from oncocenter.mdt.models import Recommendation
from oncocenter.mdt.tests.factories import MeetingFactory
from oncocenter.oncology.models import WorkupOrder
from oncocenter.oncology.services import diagnosis_create, treatment_episode_create
from oncocenter.oncology.tests.factories import child
from oncocenter.referrals.models import Referral

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
PEDIATRIC = [
    "pediatric_oncology",
    "surgery",
    "radiation_oncology",
    "radiology",
    "pathology",
    "nuclear_medicine",
]


def listed_case(meeting=None):
    patient = child()
    d = diagnosis_create(
        by=UserFactory(),
        patient=patient,
        icd10_code="C74.9",
        icdo3_topography="C74.9",
        icdo3_morphology="9500/3",
        diagnosed_on=TODAY,
    )
    meeting = meeting or MeetingFactory()
    case = services.case_add(
        by=UserFactory(), meeting=meeting, patient=patient, diagnosis=d, question="Induction plan?"
    )
    return meeting, case


def attend(meeting, disciplines):
    for d in disciplines:
        services.attendance_record(
            by=UserFactory(), meeting=meeting, user=UserFactory(), discipline=d
        )


def test_case_summary_is_assembled():
    _meeting, case = listed_case()
    assert case.summary["diagnoses"][0]["iccc"] == "IVa"
    assert case.summary["diagnoses"][0]["morphology_display"] == "Neuroblastoma, NOS"


def test_recommendation_without_quorum_names_missing_and_saves_nothing():
    meeting, case = listed_case()
    attend(meeting, PEDIATRIC[:4])
    with pytest.raises(Conflict) as exc:
        services.recommendation_record(
            by=UserFactory(),
            case=case,
            intent="curative",
            modalities=["chemotherapy"],
            from_department="pediatric_oncology",
            referrals=[{"to_department": "surgery", "reason": "Resection"}],
        )
    assert [p.value for p in exc.value.problems] == ["pathology", "nuclear_medicine"]
    assert Recommendation.objects.count() == 0 and Referral.objects.count() == 0


def test_recommendation_creates_referrals_and_orders_in_one_step():
    meeting, case = listed_case()
    attend(meeting, PEDIATRIC)
    assert selectors.meeting_quorum(meeting).met
    rec = services.recommendation_record(
        by=UserFactory(),
        case=case,
        intent="curative",
        modalities=["chemotherapy", "surgery", "radiotherapy"],
        from_department="pediatric_oncology",
        referrals=[
            {"to_department": "surgery", "reason": "Delayed resection", "urgency": "urgent"}
        ],
        orders=[{"department": "nuclear_medicine", "test_name": "MIBG scan"}],
    )
    assert rec.referrals.count() == 1 and rec.orders.count() == 1


def test_bad_referral_spec_rolls_back_everything():
    meeting, case = listed_case()
    attend(meeting, PEDIATRIC)
    with pytest.raises(ValidationFailed) as exc:
        services.recommendation_record(
            by=UserFactory(),
            case=case,
            intent="curative",
            modalities=["chemotherapy"],
            from_department="pediatric_oncology",
            referrals=[
                {"to_department": "surgery", "reason": "ok"},
                {"to_department": "pediatric_oncology", "reason": "self"},
            ],
            orders=[{"department": "radiology", "test_name": "MRI"}],
        )
    assert exc.value.problems[0].field == "referrals[1].to_department"
    assert (
        Recommendation.objects.count(),
        Referral.objects.count(),
        WorkupOrder.objects.count(),
    ) == (0, 0, 0)


def test_board_to_first_treatment():
    meeting, case = listed_case()
    attend(meeting, PEDIATRIC)
    services.recommendation_record(
        by=UserFactory(),
        case=case,
        intent="curative",
        modalities=["chemotherapy"],
        from_department="pediatric_oncology",
    )
    treatment_episode_create(
        patient=case.patient, by=UserFactory(), modality="chemotherapy", started_on=TODAY
    )
    stats = selectors.board_to_treatment_days()
    assert stats["pediatric"]["days"] == [0] and stats["esophageal"]["count"] == 0


def test_duplicate_case_and_attendance_conflict():
    meeting, case = listed_case()
    with pytest.raises(Conflict):
        services.case_add(by=UserFactory(), meeting=meeting, patient=case.patient, question="again")
    user = UserFactory()
    services.attendance_record(by=UserFactory(), meeting=meeting, user=user, discipline="radiology")
    with pytest.raises(Conflict):
        services.attendance_record(
            by=UserFactory(), meeting=meeting, user=user, discipline="pathology"
        )
    with pytest.raises(ValidationFailed):
        services.attendance_record(
            by=UserFactory(), meeting=meeting, user=UserFactory(), discipline="astrology"
        )
    with pytest.raises(ValidationFailed):
        services.meeting_create(
            by=UserFactory(), board_type=meeting.board_type, held_on=TODAY - dt.timedelta(days=800)
        )
