import datetime as dt

import pytest
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.core.errors import Conflict, ValidationFailed
from oncocenter.oncology.services import (
    diagnosis_create,
    performance_record,
    treatment_episode_create,
)
from oncocenter.oncology.tests.factories import child
from oncocenter.patients.tests.factories import PatientFactory
from oncocenter.trials import eligibility as el
from oncocenter.trials import selectors, services
from oncocenter.trials.models import Enrollment, ScreeningEntry, Study
from oncocenter.trials.tests.factories import StudyFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def neuroblastoma_patient(*, lansky=80, treated=True):
    p = child()
    diagnosis_create(
        by=UserFactory(),
        patient=p,
        icd10_code="C74.9",
        icdo3_topography="C74.9",
        icdo3_morphology="9500/3",
        diagnosed_on=TODAY - dt.timedelta(days=5),
    )
    if lansky is not None:
        performance_record(
            by=UserFactory(), patient=p, scale="lansky", score=lansky, observed_on=TODAY
        )
    if treated:
        treatment_episode_create(
            patient=p, by=UserFactory(), modality="chemotherapy", started_on=TODAY
        )
    return p


def test_prescreen_lists_matching_patients_with_verdicts():
    study = StudyFactory()
    eligible = neuroblastoma_patient()
    unknown = neuroblastoma_patient(lansky=None, treated=False)
    diagnosis_create(
        by=UserFactory(),
        patient=PatientFactory(),
        icd10_code="C15.4",
        icdo3_topography="C15.4",
        icdo3_morphology="8070/3",
        diagnosed_on=TODAY,
    )
    candidates = selectors.prescreen(study=study, as_of=TODAY)
    assert [c.patient for c in candidates] == [eligible, unknown]
    assert candidates[0].evaluation.overall == el.ELIGIBLE
    verdicts = candidates[1].evaluation.by_criterion()
    assert verdicts["performance_status"].verdict == el.UNKNOWN
    assert verdicts["prior_therapy"].data_used == "treatment history not recorded"


def test_prescreen_query_count_is_bounded(django_assert_max_num_queries):
    study = StudyFactory()
    for _ in range(6):
        neuroblastoma_patient()
    with django_assert_max_num_queries(12):
        assert len(selectors.prescreen(study=study, as_of=TODAY)) == 6


def test_enroll_eligible_and_withdraw():
    study = StudyFactory()
    p = neuroblastoma_patient()
    e = services.enrollment_create(
        by=UserFactory(), study=study, patient=p, consent_on=TODAY, arm="A"
    )
    assert e.eligibility_overall == el.ELIGIBLE and e.override_reason == ""
    assert ScreeningEntry.objects.filter(outcome="enrolled").count() == 1
    with pytest.raises(Conflict):
        services.enrollment_create(
            by=UserFactory(), study=study, patient=p, consent_on=TODAY, arm="A"
        )
    with pytest.raises(ValidationFailed) as exc:
        services.enrollment_withdraw(by=UserFactory(), enrollment=e, withdrawn_on=TODAY, reason="")
    assert exc.value.problems[0].field == "reason"
    e = services.enrollment_withdraw(
        by=UserFactory(), enrollment=e, withdrawn_on=TODAY, reason="Family decision"
    )
    assert e.status == "withdrawn"


def test_ineligible_enrollment_needs_recorded_override():
    study = StudyFactory()
    p = neuroblastoma_patient(lansky=30)
    with pytest.raises(ValidationFailed) as exc:
        services.enrollment_create(
            by=UserFactory(), study=study, patient=p, consent_on=TODAY, arm="B"
        )
    assert exc.value.problems[0].field == "override_reason"
    assert "performance_status unmet" in exc.value.problems[0].message
    assert Enrollment.objects.count() == 0
    e = services.enrollment_create(
        by=UserFactory(),
        study=study,
        patient=p,
        consent_on=TODAY,
        arm="B",
        override_reason="PI approval: PS due to pain, expected to improve",
    )
    assert e.eligibility_overall == el.INELIGIBLE and e.override_reason


def test_enrollment_bad_input():
    study = StudyFactory(status="closed")
    p = neuroblastoma_patient()
    with pytest.raises(ValidationFailed) as exc:
        services.enrollment_create(
            by=UserFactory(),
            study=study,
            patient=p,
            consent_on=TODAY + dt.timedelta(days=2),
            arm="Z",
        )
    assert {pr.field for pr in exc.value.problems} == {"consent_on", "arm"}
    with pytest.raises(Conflict):
        services.enrollment_create(
            by=UserFactory(), study=study, patient=p, consent_on=TODAY, arm="A"
        )


def test_study_create_validates_every_field():
    with pytest.raises(ValidationFailed) as exc:
        services.study_create(
            by=UserFactory(),
            **{
                "code": "",
                "title": "",
                "phase": "V",
                "min_age_years": 10,
                "max_age_years": 2,
                "max_ecog": 7,
                "diagnosis_code_prefixes": "C74, 74",
                "stage_groups": "IV, V",
                "excluded_prior_therapies": "magic",
            },
        )
    assert {p.field for p in exc.value.problems} == {
        "code",
        "title",
        "phase",
        "max_age_years",
        "max_ecog",
        "diagnosis_code_prefixes",
        "stage_groups",
        "excluded_prior_therapies",
    }
    assert Study.objects.count() == 0
    study = services.study_create(
        by=UserFactory(),
        **{
            "code": "ESO-1",
            "title": "Esophageal CRT",
            "phase": "III",
            "diagnosis_code_prefixes": "c15",
            "stage_groups": "II, iii",
            "max_ecog": 1,
            "arms": "A,B",
        },
    )
    assert study.diagnosis_code_prefixes == ["C15"] and study.stage_groups == ["II", "III"]


def test_stage_criterion_reads_the_matching_diagnosis_only():
    from oncocenter.oncology.services import staging_record

    study = StudyFactory(
        code="ESO",
        diagnosis_code_prefixes=["C15"],
        stage_groups=["III"],
        min_age_years=None,
        max_age_years=None,
        max_ecog=None,
        excluded_prior_therapies=[],
    )
    p = PatientFactory()
    eso = diagnosis_create(
        by=UserFactory(),
        patient=p,
        icd10_code="C15.4",
        icdo3_topography="C15.4",
        icdo3_morphology="8070/3",
        diagnosed_on=TODAY,
    )
    breast = diagnosis_create(
        by=UserFactory(),
        patient=p,
        icd10_code="C50.9",
        icdo3_topography="C50.9",
        icdo3_morphology="8500/3",
        diagnosed_on=TODAY,
    )
    staging_record(
        by=UserFactory(),
        diagnosis=breast,
        classification="clinical",
        t_category="T3",
        n_category="N1",
        m_category="M0",
        staged_on=TODAY,
    )  # breast IIIA must not count
    assert (
        selectors.evaluate_patient(study=study, patient=p, as_of=TODAY)
        .by_criterion()["stage"]
        .verdict
        == "unknown"
    )
    staging_record(
        by=UserFactory(),
        diagnosis=eso,
        classification="clinical",
        t_category="T2",
        n_category="N1",
        m_category="M0",
        staged_on=TODAY,
    )
    verdict = selectors.prescreen(study=study, as_of=TODAY)[0].evaluation.by_criterion()["stage"]
    assert verdict.verdict == "unmet" and verdict.data_used == "stage II"
