"""A database from before the split of the support app migrates with every row kept.

The test database is migrated back to the last support migration before the split (every other
app at its matching node), rows are written into every former support model through the
historical models, and the database is migrated forward again: each new table holds the same
number of rows with the same values, the content types moved to the new app labels keeping their
ids, and the guardians' birth dates are in the patients app (its date kept on a conflict). Runs on
SQLite and on PostgreSQL (where the shelter's exclusion constraint must survive the rename).
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

import pytest
from django.apps import apps as current_apps
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.patients.models_record import Guardian
from oncocenter.pediatrics.tests.factories import ChildFactory

pytestmark = pytest.mark.django_db(transaction=True)

PRE_SPLIT = ("support", "0003_guardian_birth_date")
NEW_APPS = ("pediatrics", "school", "aid", "shelter", "palliative", "socialwork")
# Every model the support app had before the split (GuardianBirthDate aside), by its new app.
MOVED = {
    "PediatricProfile": "pediatrics",
    "BodyMeasurement": "pediatrics",
    "HSCTEpisode": "pediatrics",
    "GVHDEntry": "pediatrics",
    "HSCTComplication": "pediatrics",
    "SchoolClass": "school",
    "SchoolEnrollment": "school",
    "SchoolAttendance": "school",
    "ReturnToSchoolPlan": "school",
    "AidOrganisation": "aid",
    "AidApplication": "aid",
    "AidStatusChange": "aid",
    "ShelterHouse": "shelter",
    "ShelterRoom": "shelter",
    "ShelterStay": "shelter",
    "ShelterWaitlistEntry": "shelter",
    "PalliativeReferral": "palliative",
    "BereavementFollowUp": "palliative",
    "SocialCase": "socialwork",
    "NeedsAssessment": "socialwork",
    "SocialIntervention": "socialwork",
}
D = dt.date


def _pre_split_targets(executor: MigrationExecutor) -> tuple[list, list]:
    """Targets for the pre-split state, and the nodes whose project state it is."""
    graph = executor.loader.graph
    before = set(graph.forwards_plan(PRE_SPLIT))
    split = {n for n in graph.nodes if n[0] in NEW_APPS or (n[0] == "support" and n not in before)}
    for node in list(split):
        split.update(graph.backwards_plan(node))  # and whatever came to depend on the split
    nodes = [PRE_SPLIT]
    for app in sorted({n[0] for n in graph.nodes} - set(NEW_APPS) - {"support"}):
        kept = [n for n in graph.nodes if n[0] == app and n not in split]
        if kept:
            nodes.append(max(kept, key=lambda n: len(graph.forwards_plan(n))))
    return nodes + [(app, None) for app in NEW_APPS], nodes


def _migrate(targets: list) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    ContentType.objects.clear_cache()
    return executor


def _to_latest() -> None:
    executor = MigrationExecutor(connection)
    _migrate(executor.loader.graph.leaf_nodes())


def _seed(old_apps) -> dict[str, object]:
    """One row or more of every model the support app had, written the way it stood then."""

    def model(name):
        return old_apps.get_model("support", name)

    child, other = ChildFactory(), ChildFactory()
    teacher, worker = (
        UserFactory(roles=["hospital_school_teacher"]),
        UserFactory(roles=["social_worker"]),
    )
    kids = {"patient_id": child.pk}
    model("PediatricProfile").objects.create(
        sedation_required=True, sedation_notes="propofol", **kids
    )
    model("PediatricProfile").objects.create(patient_id=other.pk)
    for on, h, w, bsa in (
        (D(2025, 6, 1), "118.0", "21.50", "0.84"),
        (D(2026, 1, 5), "120.0", "22.00", "0.86"),
    ):
        model("BodyMeasurement").objects.create(
            measured_on=on, height_cm=Decimal(h), weight_kg=Decimal(w), bsa_m2=Decimal(bsa), **kids
        )
    episode = model("HSCTEpisode").objects.create(
        indication="ALL, second CR",
        donor_type="unrelated",
        hla_match="10/10",
        conditioning_regimen="tbi_vp16",
        conditioning_start=D(2026, 3, 3),
        day0=D(2026, 3, 10),
        neutrophil_engraftment_on=D(2026, 3, 24),
        status="engrafted",
        **kids,
    )
    model("HSCTEpisode").objects.create(
        indication="NB", donor_type="autologous", patient_id=other.pk
    )
    model("GVHDEntry").objects.create(
        episode=episode, kind="acute", organ="skin", stage=2, observed_on=D(2026, 3, 30)
    )
    model("GVHDEntry").objects.create(
        episode=episode, kind="chronic", organ="mouth", stage=1, observed_on=D(2026, 6, 30)
    )
    model("HSCTComplication").objects.create(
        episode=episode, kind="mucositis", onset_on=D(2026, 3, 13), grade=2
    )
    school_class = model("SchoolClass").objects.create(
        name="무지개반", level="elementary", teacher_id=teacher.pk
    )
    model("SchoolClass").objects.create(name="청소년반", level="middle")
    enrollment = model("SchoolEnrollment").objects.create(
        school_class=school_class, enrolled_on=D(2026, 1, 5), home_school="서울초", **kids
    )
    model("SchoolEnrollment").objects.create(
        school_class=school_class, enrolled_on=D(2026, 1, 6), patient_id=other.pk
    )
    for on, status, minutes in (
        (D(2026, 1, 6), "present", 45),
        (D(2026, 1, 7), "absent_treatment", 0),
    ):
        model("SchoolAttendance").objects.create(
            enrollment=enrollment, on=on, status=status, minutes=minutes
        )
    model("ReturnToSchoolPlan").objects.create(
        enrollment=enrollment, school_contact="담임", status="shared"
    )
    org = model("AidOrganisation").objects.create(name="한국소아암재단")
    model("AidOrganisation").objects.create(name="어린이재단", active=False)
    application = model("AidApplication").objects.create(
        organisation=org,
        need="medical_costs",
        amount_requested=Decimal(3_000_000),
        amount_granted=Decimal(2_500_000),
        documents=["application_form", "medical_certificate"],
        status="granted",
        decided_on=D(2026, 2, 1),
        created_by_id=worker.pk,
        **kids,
    )
    model("AidApplication").objects.create(
        organisation=org, need="transport", amount_requested=Decimal(300_000), patient_id=other.pk
    )
    for before, after in (
        ("draft", "submitted"),
        ("submitted", "under_review"),
        ("under_review", "granted"),
    ):
        model("AidStatusChange").objects.create(
            application=application, from_status=before, to_status=after, by_id=worker.pk
        )
    house = model("ShelterHouse").objects.create(name="한빛 쉼터")
    model("ShelterHouse").objects.create(name="새싹 가족의 집")
    room = model("ShelterRoom").objects.create(house=house, number="01", capacity=3)
    model("ShelterRoom").objects.create(house=house, number="02", capacity=2)
    stay = model("ShelterStay").objects.create(
        room=room,
        guests=2,
        room_capacity=3,
        check_in=D(2026, 1, 1),
        check_out=D(2026, 1, 11),
        status="checked_out",
        **kids,
    )
    model("ShelterStay").objects.create(
        room=room, guests=1, room_capacity=3, check_in=D(2026, 1, 11), patient_id=other.pk
    )
    model("ShelterWaitlistEntry").objects.create(
        requested_on=D(2025, 12, 20),
        distance_km=320,
        financial_need="high",
        treatment_intensity="hsct",
        status="housed",
        stay=stay,
        **kids,
    )
    model("ShelterWaitlistEntry").objects.create(
        requested_on=D(2026, 1, 2),
        distance_km=45,
        financial_need="low",
        treatment_intensity="followup",
        patient_id=other.pk,
    )
    referral = model("PalliativeReferral").objects.create(
        referred_on=D(2026, 2, 1), reason="Relapsed DIPG", status="active", **kids
    )
    model("PalliativeReferral").objects.create(
        referred_on=D(2026, 2, 2),
        reason="Refractory AML",
        status="declined",
        decline_reason="Family wishes to continue",
        patient_id=other.pk,
    )
    model("BereavementFollowUp").objects.create(
        referral=referral, planned_on=D(2026, 5, 1), kind="call"
    )
    model("BereavementFollowUp").objects.create(
        referral=referral, planned_on=D(2026, 8, 1), kind="visit"
    )
    case = model("SocialCase").objects.create(
        social_worker_id=worker.pk, opened_on=D(2026, 1, 1), **kids
    )
    model("SocialCase").objects.create(
        social_worker_id=worker.pk, opened_on=D(2026, 1, 3), patient_id=other.pk
    )
    model("NeedsAssessment").objects.create(
        case=case, assessed_on=D(2026, 1, 2), levels={"financial": "high", "housing": "low"}
    )
    model("NeedsAssessment").objects.create(case=case, assessed_on=D(2026, 2, 2), levels={})
    model("SocialIntervention").objects.create(
        case=case, domain="financial", description="Aid application", started_on=D(2026, 1, 3)
    )
    model("SocialIntervention").objects.create(
        case=case,
        domain="housing",
        description="Shelter",
        started_on=D(2026, 1, 3),
        outcome="achieved",
        completed_on=D(2026, 1, 11),
    )
    # Guardians: a birth date only support knew, the same date in both, two different dates.
    only_support = Guardian.objects.create(patient=child, name_ko="한엄마", relationship="mother")
    same = Guardian.objects.create(
        patient=child, name_ko="한아빠", relationship="father", birth_date=D(1980, 5, 5)
    )
    differ = Guardian.objects.create(
        patient=other, name_ko="김엄마", relationship="mother", birth_date=D(1984, 1, 1)
    )
    for guardian, born in (
        (only_support, D(1985, 3, 1)),
        (same, D(1980, 5, 5)),
        (differ, D(1983, 1, 1)),
    ):
        model("GuardianBirthDate").objects.create(guardian_id=guardian.pk, birth_date=born)
    return {
        "episode": episode.pk,
        "stay": stay.pk,
        "application": application.pk,
        "guardians": (only_support.pk, same.pk, differ.pk),
    }


def test_a_pre_split_database_migrates_with_every_row_kept(caplog):
    executor = MigrationExecutor(connection)
    targets, nodes = _pre_split_targets(executor)
    try:
        executor = _migrate(targets)
        old_apps = executor.loader.project_state(nodes).apps
        assert not {"pediatrics", "school", "aid"} & set(old_apps.app_configs)
        ids = _seed(old_apps)
        counts = {name: old_apps.get_model("support", name).objects.count() for name in MOVED}
        assert all(counts.values())
        content_types = {
            name: ContentType.objects.get_or_create(app_label="support", model=name.lower())[0].pk
            for name in MOVED
        }
        with caplog.at_level(logging.WARNING, logger="oncocenter.migrations"):
            _to_latest()
    finally:
        _to_latest()

    for name, app in MOVED.items():
        model = current_apps.get_model(app, name)
        assert model._meta.db_table == f"{app}_{name.lower()}"
        assert model.objects.count() == counts[name], name
        assert ContentType.objects.get(app_label=app, model=name.lower()).pk == content_types[name]
    assert not ContentType.objects.filter(
        app_label="support", model__in=[n.lower() for n in MOVED]
    ).exists()

    episode = current_apps.get_model("pediatrics", "HSCTEpisode").objects.get(pk=ids["episode"])
    assert (episode.day0, episode.hla_match, episode.gvhd_entries.count()) == (
        D(2026, 3, 10),
        "10/10",
        2,
    )
    stay = current_apps.get_model("shelter", "ShelterStay").objects.get(pk=ids["stay"])
    assert (stay.check_out, stay.room.house.name) == (D(2026, 1, 11), "한빛 쉼터")
    application = current_apps.get_model("aid", "AidApplication").objects.get(pk=ids["application"])
    assert application.amount_granted == 2_500_000 and application.status_changes.count() == 3

    only_support, same, differ = (Guardian.objects.get(pk=pk) for pk in ids["guardians"])
    assert (only_support.birth_date, same.birth_date, differ.birth_date) == (
        D(1985, 3, 1),
        D(1980, 5, 5),
        D(1984, 1, 1),  # the patients app's date wins a conflict
    )
    assert f"guardian {differ.pk}" in caplog.text and "1983-01-01" in caplog.text
    assert "support_guardianbirthdate" not in connection.introspection.table_names()

    # The database still holds every rule under its old name: one open stay per room...
    ShelterStay = current_apps.get_model("shelter", "ShelterStay")
    with pytest.raises(IntegrityError), transaction.atomic():
        ShelterStay.objects.create(
            room=stay.room, patient=stay.patient, guests=1, room_capacity=3, check_in=D(2026, 3, 1)
        )
    if connection.vendor == "postgresql":  # ...and no two stays of a room sharing a night.
        with pytest.raises(IntegrityError), transaction.atomic():
            ShelterStay.objects.create(
                room=stay.room,
                patient=stay.patient,
                guests=1,
                room_capacity=3,
                check_in=D(2026, 1, 5),
                check_out=D(2026, 1, 8),
            )
