import datetime as dt

import pytest
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.audit.models import AuditEvent
from oncocenter.core.errors import Conflict, ValidationFailed
from oncocenter.oncology import services
from oncocenter.oncology.models import Diagnosis, TnmStaging, WorkupOrder
from oncocenter.oncology.tests.factories import DiagnosisFactory, WorkupOrderFactory, child
from oncocenter.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def fields(exc):
    return [p.field for p in exc.value.problems]


def test_pediatric_diagnosis_gets_iccc_group_and_is_audited():
    patient = child()
    d = services.diagnosis_create(
        by=UserFactory(),
        patient=patient,
        icd10_code="c74.9",
        icdo3_topography="C74.9",
        icdo3_morphology="9500/3",
        diagnosed_on=TODAY - dt.timedelta(days=3),
        laterality="left",
    )
    assert (d.icd10_code, d.iccc_group, d.iccc_subgroup) == ("C74.9", "IV", "IVa")
    assert AuditEvent.objects.filter(
        object_type="oncology.diagnosis", patient_mrn=patient.mrn
    ).exists()


def test_adult_diagnosis_has_no_iccc_group():
    d = services.diagnosis_create(
        by=UserFactory(),
        patient=PatientFactory(),
        icd10_code="C15.4",
        icdo3_topography="C15.4",
        icdo3_morphology="8070/3",
        diagnosed_on=TODAY,
    )
    assert d.iccc_group is None


def test_blood_disease_needs_no_icdo3():
    d = services.diagnosis_create(
        by=UserFactory(), patient=child(), icd10_code="D69.6", diagnosed_on=TODAY
    )
    assert d.iccc_group is None and not d.is_cancer


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"icd10_code": "C99.9"}, "icd10_code"),
        ({"icd10_code": "banana"}, "icd10_code"),
        ({"icdo3_morphology": "9999/3"}, "icdo3_morphology"),
        ({"icdo3_topography": ""}, "icdo3_topography"),
        ({"diagnosed_on": TODAY + dt.timedelta(days=1)}, "diagnosed_on"),
        ({"diagnosed_on": "1950-01-01"}, "diagnosed_on"),
        ({"diagnosed_on": "yesterday"}, "diagnosed_on"),
        ({"laterality": "up"}, "laterality"),
        ({"verification_status": "sure"}, "verification_status"),
    ],
)
def test_diagnosis_bad_input_names_field_and_saves_nothing(kwargs, field):
    values = {
        "icd10_code": "C15.4",
        "icdo3_topography": "C15.4",
        "icdo3_morphology": "8070/3",
        "diagnosed_on": TODAY,
    }
    values.update(kwargs)
    with pytest.raises(ValidationFailed) as exc:
        services.diagnosis_create(by=UserFactory(), patient=PatientFactory(), **values)
    assert field in fields(exc)
    assert Diagnosis.objects.count() == 0


def test_staging_derives_group_and_rejects_impossible():
    d = DiagnosisFactory()
    s = services.staging_record(
        by=UserFactory(),
        diagnosis=d,
        classification="clinical",
        t_category="cT3",
        n_category="N1",
        m_category="M0",
        staged_on=TODAY,
    )
    assert (s.t_category, s.stage_group, s.site) == ("T3", "III", "esophagus")
    with pytest.raises(ValidationFailed) as exc:
        services.staging_record(
            by=UserFactory(),
            diagnosis=d,
            classification="clinical",
            t_category="T3",
            n_category="N1",
            m_category="M0",
            stage_group="IVB",
            staged_on=TODAY,
        )
    assert fields(exc) == ["stage_group"]
    assert "is stage III" in exc.value.problems[0].message
    with pytest.raises(ValidationFailed) as exc:
        services.staging_record(
            by=UserFactory(),
            diagnosis=d,
            classification="clinical",
            t_category="T9",
            n_category="N1",
            m_category="M0",
            staged_on=TODAY,
        )
    assert "t_category" in fields(exc)
    assert TnmStaging.objects.count() == 1


def test_performance_scale_follows_age():
    kid, adult = child(), PatientFactory()
    services.performance_record(
        by=UserFactory(), patient=kid, scale="lansky", score=70, observed_on=TODAY
    )
    services.performance_record(
        by=UserFactory(), patient=adult, scale="ecog", score=1, observed_on=TODAY
    )
    for patient, scale, score, field in (
        (kid, "ecog", 1, "scale"),
        (adult, "lansky", 80, "scale"),
        (adult, "ecog", 6, "score"),
        (kid, "lansky", 75, "score"),
        (adult, "ecog", "x", "score"),
    ):
        with pytest.raises(ValidationFailed) as exc:
            services.performance_record(
                by=UserFactory(), patient=patient, scale=scale, score=score, observed_on=TODAY
            )
        assert field in fields(exc)


def test_marker_and_disease_status_rules():
    d = DiagnosisFactory()
    services.tumor_marker_record(
        by=UserFactory(),
        patient=d.patient,
        marker="SCC-Ag",
        value="2.5",
        unit="ng/mL",
        observed_on=TODAY,
    )
    with pytest.raises(ValidationFailed) as exc:
        services.tumor_marker_record(
            by=UserFactory(),
            patient=d.patient,
            marker="XYZ",
            value="-1",
            unit="",
            observed_on=TODAY,
        )
    assert set(fields(exc)) == {"marker", "value", "unit"}
    services.disease_status_record(
        by=UserFactory(), diagnosis=d, status="responding", observed_on=TODAY
    )
    with pytest.raises(ValidationFailed) as exc:
        services.disease_status_record(
            by=UserFactory(),
            diagnosis=d,
            status="stable",
            observed_on=d.diagnosed_on - dt.timedelta(days=1),
        )
    assert fields(exc) == ["observed_on"]


def test_treatment_episode_dates():
    p = PatientFactory()
    by = UserFactory()
    e = services.treatment_episode_create(
        patient=p,
        by=by,
        modality="radiotherapy",
        started_on=TODAY,
        description="CRT 50.4 Gy",
        source="radiotherapy.course:1",
    )
    assert e.at_this_center
    with pytest.raises(ValidationFailed) as exc:
        services.treatment_episode_create(
            patient=p,
            by=by,
            modality="magic",
            started_on=TODAY,
            ended_on=TODAY - dt.timedelta(days=1),
        )
    assert set(fields(exc)) == {"modality", "ended_on"}


def test_treatment_episode_update_checks_dates_and_audits_the_change():
    from oncocenter.audit.models import AuditEvent

    p = PatientFactory()
    by = UserFactory()
    start = TODAY - dt.timedelta(days=30)
    e = services.treatment_episode_create(
        patient=p, by=by, modality="hsct", started_on=start, source="pediatrics.hsct:1"
    )
    with pytest.raises(ValidationFailed) as exc:
        services.treatment_episode_update(episode=e, by=by, ended_on=start - dt.timedelta(days=1))
    assert fields(exc) == ["ended_on"]
    e.refresh_from_db()
    assert e.ended_on is None
    services.treatment_episode_update(episode=e, by=by, ended_on=TODAY, description="auto-HSCT")
    e.refresh_from_db()
    assert (e.ended_on, e.description) == (TODAY, "auto-HSCT")
    event = AuditEvent.objects.filter(object_id=str(e.pk), action="update").latest("seq")
    assert event.detail["changed"]["ended_on"] == ["", TODAY.isoformat()]


def test_treatment_episode_entered_in_error_stays_but_leaves_the_readers():
    from oncocenter.oncology.models import TreatmentEpisode

    p = PatientFactory()
    by = UserFactory()
    e = services.treatment_episode_create(
        patient=p, by=by, modality="hsct", started_on=TODAY, source="pediatrics.hsct:2"
    )
    with pytest.raises(ValidationFailed):
        services.treatment_episode_mark_entered_in_error(episode=e, by=by, reason=" ")
    services.treatment_episode_mark_entered_in_error(episode=e, by=by, reason="cancelled")
    assert not TreatmentEpisode.objects.filter(pk=e.pk).exists()
    assert not p.treatment_episodes.exists()
    assert services.treatment_episode_for_source("pediatrics.hsct:2") is None
    kept = TreatmentEpisode.all_objects.get(pk=e.pk)
    assert kept.entered_in_error_reason == "cancelled"
    with pytest.raises(Conflict):
        services.treatment_episode_update(episode=kept, by=by, description="x")


def test_workup_flow_and_turnaround():
    from oncocenter.oncology.selectors import workup_turnaround

    order = WorkupOrderFactory(department="nuclear_medicine", test_name="MIBG scan")
    order = services.workup_order_advance(by=UserFactory(), order=order, status="in-progress")
    with pytest.raises(ValidationFailed) as exc:
        services.workup_order_advance(by=UserFactory(), order=order, status="resulted")
    assert fields(exc) == ["result_summary"]
    order = services.workup_order_advance(
        by=UserFactory(), order=order, status="resulted", result_summary="MIBG avid primary"
    )
    assert order.turnaround_hours > 40
    with pytest.raises(Conflict):
        services.workup_order_advance(by=UserFactory(), order=order, status="cancelled")
    stats = workup_turnaround()
    assert stats["nuclear_medicine"].count == 1 and stats["radiology"].count == 0


def test_workup_order_bad_input():
    with pytest.raises(ValidationFailed) as exc:
        services.workup_order_create(
            by=UserFactory(), patient=PatientFactory(), department="kitchen", test_name=" "
        )
    assert set(fields(exc)) == {"department", "test_name"}
    assert WorkupOrder.objects.count() == 0
