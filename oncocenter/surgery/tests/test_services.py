"""Service rules: each refusal names the field and the rule, and nothing is half-saved; the
reactions (treatment record, staging history, follow-up, nutrition) are saved with the fact."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import IntegrityError, transaction

from oncocenter.core.errors import Conflict, ValidationFailed
from oncocenter.followup.models import FollowUpEvent
from oncocenter.nutrition.models import Milestone, NutritionRecord
from oncocenter.oncology.models import TnmStaging, TreatmentEpisode
from oncocenter.patients.tests.factories import PatientFactory
from oncocenter.surgery import services
from oncocenter.surgery.models import Complication, Operation, PathologyReport, ResponseAssessment

pytestmark = pytest.mark.django_db


def fields(exc):
    return {p.field for p in exc.value.problems}


def test_operation_is_linked_and_on_the_treatment_record(world):
    op = world.operation()
    assert op.episode.modality == "surgery" and op.episode.source == f"surgery.operation:{op.pk}"
    assert op.recommendation == world.recommendation and op.neoadjuvant_episode == world.cross
    rec = NutritionRecord.objects.get(patient=world.patient)
    assert rec.feeding_route == "jejunostomy" and rec.measured_on == op.operated_on


def test_operation_without_a_diagnosis_is_refused_and_nothing_saved(world):
    patient = PatientFactory()
    with pytest.raises(ValidationFailed) as e:
        world.operation(
            patient=patient,
            diagnosis=None,
            recommendation=None,
            neoadjuvant_episode=None,
            neoadjuvant="none",
        )
    assert "diagnosis" in fields(e)
    assert (
        not Operation.objects.exists()
        and not TreatmentEpisode.objects.filter(modality="surgery").exists()
    )


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"anastomosis": "cervical"}, "anastomosis"),
        ({"duration_min": 0}, "duration_min"),
        ({"neoadjuvant": "none"}, "neoadjuvant"),
        ({"neoadjuvant_episode": None}, "neoadjuvant_episode"),
        ({"residual_tumor": "R3"}, "residual_tumor"),
        ({"team": [{"role": "assistant", "name": ""}]}, "team[0].name"),
    ],
)
def test_operation_rules(world, kw, field):
    with pytest.raises(ValidationFailed) as e:
        world.operation(**kw)
    assert field in fields(e)
    assert not Operation.objects.exists()


def test_operation_before_neoadjuvant_ended_and_recommendation_without_surgery(world):
    with pytest.raises(ValidationFailed) as e:
        world.operation(operated_on=world.today - dt.timedelta(days=120))
    assert "neoadjuvant_episode" in fields(e)
    world.recommendation.modalities = ["chemotherapy"]
    world.recommendation.save()
    with pytest.raises(ValidationFailed) as e:
        world.operation()
    assert "recommendation" in fields(e)


def test_surgeon_must_hold_the_surgeon_role(world):
    with pytest.raises(ValidationFailed) as e:
        world.operation(by=world.pathologist)
    assert "surgeon" in fields(e)


def test_complication_before_operation_refused_in_service_and_database(world):
    op = world.operation()
    with pytest.raises(ValidationFailed) as e:
        services.complication_record(
            by=world.surgeon,
            operation=op,
            kind="anastomotic_leak",
            eccg_type="II",
            clavien_dindo="IIIb",
            occurred_on=op.operated_on - dt.timedelta(days=1),
        )
    assert fields(e) == {"occurred_on"}
    assert not Complication.objects.exists() and not FollowUpEvent.objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        Complication.objects.create(
            operation=op,
            operated_on=op.operated_on,
            kind="pneumonia",
            clavien_dindo="II",
            occurred_on=op.operated_on - dt.timedelta(days=1),
        )


def test_complication_flows_into_followup_with_ctcae_grade(world):
    op = world.operation()
    c = services.complication_record(
        by=world.surgeon,
        operation=op,
        kind="anastomotic_leak",
        eccg_type="ii",
        clavien_dindo="IIIb",
        occurred_on=op.operated_on + dt.timedelta(days=6),
    )
    assert c.eccg_type == "II"
    event = FollowUpEvent.objects.get(pk=c.followup_event_id_ref)
    assert (
        event.grade == 3
        and event.event_type == "complication"
        and "Clavien-Dindo IIIb" in event.description
    )


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"kind": "anastomotic_leak", "eccg_type": ""}, "eccg_type"),
        ({"kind": "chyle_leak", "eccg_type": "II"}, "eccg_type"),
        ({"kind": "wound_infection", "eccg_type": "I"}, "eccg_type"),
        ({"kind": "pneumonia", "eccg_type": "ATS", "clavien_dindo": "V"}, "clavien_dindo"),
        ({"kind": "other", "eccg_type": ""}, "description"),
    ],
)
def test_complication_rules(world, kw, field):
    op = world.operation()
    args = {"clavien_dindo": "II", "occurred_on": op.operated_on + dt.timedelta(days=3), **kw}
    with pytest.raises(ValidationFailed) as e:
        services.complication_record(by=world.surgeon, operation=op, **args)
    assert field in fields(e)


def test_postop_course_and_return_to_oral_intake(world):
    op = world.operation()
    op = services.operation_postop_update(
        by=world.surgeon,
        operation=op,
        discharged_on=op.operated_on + dt.timedelta(days=14),
        icu_days=2,
        oral_intake_on=op.operated_on + dt.timedelta(days=7),
    )
    assert op.length_of_stay == 14
    assert (
        Milestone.objects.get(patient=world.patient, kind="first_oral_intake").occurred_on
        == op.oral_intake_on
    )
    with pytest.raises(ValidationFailed) as e:
        services.operation_postop_update(
            by=world.surgeon,
            operation=op,
            died_on=op.operated_on - dt.timedelta(days=2),
            icu_days=40,
        )
    assert fields(e) == {"died_on", "icu_days"}


def pathology(world, op, **kw):
    args = {
        "reported_on": op.operated_on + dt.timedelta(days=7),
        "t_category": "T0",
        "n_category": "N0",
        "m_category": "M0",
        "nodes_examined": 32,
        "nodes_positive": 0,
        "proximal_margin": "negative",
        "distal_margin": "negative",
        "circumferential_margin": "negative",
        "trg_system": "mandard",
        "trg": 1,
    }
    args.update(kw)
    return services.pathology_record(by=world.pathologist, operation=op, **args)


def test_yp_pathology_feeds_the_staging_history(world):
    op = world.operation()
    report = pathology(world, op)
    assert report.after_neoadjuvant and report.complete_response
    staging = TnmStaging.objects.get(diagnosis=world.diagnosis)
    assert staging.classification == "pathological" and staging.t_category == "T0"
    with pytest.raises(Conflict):
        pathology(world, op)


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"nodes_positive": 33, "n_category": "N3"}, "nodes_positive"),
        ({"nodes_positive": 4, "n_category": "N1"}, "n_category"),
        ({"trg": 6}, "trg"),
        ({"trg_system": "cap", "trg": 4}, "trg"),
        ({"proximal_margin": "positive"}, "proximal_margin"),
        ({"t_category": "T9"}, "t_category"),
    ],
)
def test_pathology_rules_save_nothing(world, kw, field):
    op = world.operation()
    with pytest.raises(ValidationFailed) as e:
        pathology(world, op, **kw)
    assert field in fields(e)
    assert not PathologyReport.objects.exists() and not TnmStaging.objects.exists()


def test_nodes_positive_above_examined_refused_by_the_database(world):
    op = world.operation()
    staging = TnmStaging.objects.create(
        diagnosis=world.diagnosis,
        classification="pathological",
        site="esophagus",
        t_category="T1",
        n_category="N1",
        m_category="M0",
        staged_on=world.today,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        PathologyReport.objects.create(
            operation=op,
            reported_on=world.today,
            staging=staging,
            proximal_margin="negative",
            distal_margin="negative",
            circumferential_margin="negative",
            nodes_examined=3,
            nodes_positive=4,
        )


def recist(world, lesions, baseline=None, **kw):
    return services.response_record(
        by=world.radiologist,
        patient=world.patient,
        diagnosis=world.diagnosis,
        criteria="recist11",
        baseline=baseline,
        lesions=[{"label": a, "organ": b, "diameter_mm": c} for a, b, c in lesions],
        **kw,
    )


def test_recist_series_computed_and_typed_category_checked(world):
    base = recist(
        world,
        [("L1", "liver", 40), ("L2", "lung", 30)],
        assessed_on=world.today - dt.timedelta(days=90),
    )
    assert base.sum_mm == 70 and base.overall_response == ""
    a = recist(
        world,
        [("L1", "liver", 25), ("L2", "lung", 20)],
        base,
        assessed_on=world.today - dt.timedelta(days=45),
    )
    assert (a.sum_mm, a.change_from_baseline_pct, a.overall_response) == (45, D("-35.7"), "PR")
    with pytest.raises(ValidationFailed) as e:
        recist(
            world,
            [("L1", "liver", 30), ("L2", "lung", 25)],
            base,
            assessed_on=world.today - dt.timedelta(days=10),
            category="PR",
        )
    assert fields(e) == {"category"}
    b = recist(
        world,
        [("L1", "liver", 30), ("L2", "lung", 25)],
        base,
        assessed_on=world.today - dt.timedelta(days=10),
        category="PD",
    )
    assert b.change_from_nadir_pct == D("22.2") and b.overall_response == "PD"
    with pytest.raises(ValidationFailed) as e:
        recist(world, [("L1", "liver", 30), ("L3", "bone", 25)], base, assessed_on=world.today)
    assert fields(e) == {"lesions"}
    assert ResponseAssessment.objects.count() == 3


def test_inrc_followup_requires_measured_components(world):
    base = services.response_record(
        by=world.radiologist,
        patient=world.patient,
        diagnosis=world.diagnosis,
        criteria="inrc",
        assessed_on=world.today - dt.timedelta(days=60),
        primary_mm=60,
        curie_score=12,
        marrow_pct=30,
    )
    a = services.response_record(
        by=world.radiologist,
        patient=world.patient,
        diagnosis=world.diagnosis,
        criteria="inrc",
        baseline=base,
        assessed_on=world.today,
        primary_mm=35,
        curie_score=4,
        marrow_pct=0,
    )
    assert a.overall_response == "PR" and a.component_responses["bone_mibg"] == "PR"
    with pytest.raises(ValidationFailed) as e:
        services.response_record(
            by=world.radiologist,
            patient=world.patient,
            diagnosis=world.diagnosis,
            criteria="inrc",
            baseline=base,
            assessed_on=world.today,
            primary_mm=35,
            curie_score=31,
        )
    assert {"curie_score", "assessed_on"} <= fields(e)
