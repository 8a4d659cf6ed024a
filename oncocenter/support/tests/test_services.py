"""Service rules: each one rejects bad input naming the field, and saves nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from oncocenter.audit.models import AuditEvent
from oncocenter.core.errors import Conflict, ValidationFailed
from oncocenter.support import selectors, services
from oncocenter.support.models import (
    AidApplication,
    BodyMeasurement,
    HSCTEpisode,
    SchoolAttendance,
    ShelterStay,
    ShelterWaitlistEntry,
)
from oncocenter.support.tests.conftest import REQUIRED_DOCS
from oncocenter.support.tests.factories import (
    AidOrganisationFactory,
    ChildFactory,
    HSCTEpisodeFactory,
    SchoolClassFactory,
    ShelterRoomFactory,
)

pytestmark = pytest.mark.django_db
D = dt.date


def _field(exc) -> str:
    return exc.value.problems[0].field


# ---------------------------------------------------------------- pediatric profile
def test_measurement_stores_bsa_and_audits():
    child = ChildFactory()
    m, warnings = services.measurement_record(
        patient=child, measured_on=D(2026, 1, 5), height=120, weight=22
    )
    assert m.bsa_m2 == Decimal("0.86") and warnings == ()
    assert AuditEvent.objects.filter(
        object_type="support.bodymeasurement", patient_id=child.pk
    ).exists()


def test_measurement_in_metres_rejected_and_nothing_saved():
    child = ChildFactory()
    with pytest.raises(ValidationFailed) as e:
        services.measurement_record(patient=child, measured_on=D(2026, 1, 5), height=1.2, weight=22)
    assert _field(e) == "height_cm"
    assert not BodyMeasurement.objects.exists()


def test_measurement_before_birth_rejected():
    with pytest.raises(ValidationFailed) as e:
        services.measurement_record(
            patient=ChildFactory(), measured_on=D(2010, 1, 1), height=120, weight=22
        )
    assert _field(e) == "measured_on"


def test_sedation_reaches_anesthesia_flag():
    child = ChildFactory()
    assert selectors.patient_needs_anesthesia(child) is False
    services.profile_set_sedation(patient=child, sedation_required=True, sedation_notes="propofol")
    assert selectors.patient_needs_anesthesia(child) is True
    other = ChildFactory()
    assert selectors.patients_needing_anesthesia([child.pk, other.pk]) == {child.pk}


# ---------------------------------------------------------------- HSCT
def test_hsct_engraftment_before_day0_rejected_nothing_saved():
    with pytest.raises(ValidationFailed) as e:
        services.hsct_episode_create(
            patient=ChildFactory(),
            indication="AML CR1",
            donor_type="related",
            hla_match="8/8",
            day0=D(2026, 3, 10),
            neutrophil_engraftment_on=D(2026, 3, 9),
        )
    assert _field(e) == "neutrophil_engraftment_on"
    assert not HSCTEpisode.objects.exists()


def test_hsct_db_constraint_also_refuses_engraftment_before_day0():
    ep = HSCTEpisodeFactory()
    ep.neutrophil_engraftment_on = D(2026, 3, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ep.save()


def test_hsct_autologous_has_no_hla_and_bad_hla_rejected():
    child = ChildFactory()
    with pytest.raises(ValidationFailed) as e:
        services.hsct_episode_create(
            patient=child, indication="NB", donor_type="autologous", hla_match="8/8"
        )
    assert _field(e) == "hla_match"
    with pytest.raises(ValidationFailed) as e:
        services.hsct_episode_create(
            patient=child, indication="AML", donor_type="unrelated", hla_match="9/8"
        )
    assert _field(e) == "hla_match"
    with pytest.raises(ValidationFailed) as e:
        services.hsct_episode_create(patient=child, indication="AML", donor_type="sibling")
    assert _field(e) == "donor_type"


def test_hsct_update_and_day_view_with_gvhd_grade():
    ep = HSCTEpisodeFactory()
    services.hsct_episode_update(
        episode=ep, neutrophil_engraftment_on=D(2026, 3, 24), status="engrafted"
    )
    services.gvhd_entry_add(
        episode=ep, kind="acute", organ="skin", stage=3, observed_on=D(2026, 3, 30)
    )
    services.gvhd_entry_add(
        episode=ep, kind="acute", organ="liver", stage=2, observed_on=D(2026, 4, 2)
    )
    ep.refresh_from_db()
    v = selectors.hsct_day_view(ep, D(2026, 4, 9))
    assert (v.label, v.engraftment_day, v.acute_grade) == ("day +30", 14, 3)
    assert selectors.hsct_day_view(ep, D(2026, 3, 31)).acute_grade == 2
    assert selectors.hsct_day_view(ep, D(2026, 3, 3)).label == "day -7"


def test_engrafted_status_needs_engraftment_date():
    ep = HSCTEpisodeFactory()
    with pytest.raises(ValidationFailed) as e:
        services.hsct_episode_update(episode=ep, status="engrafted")
    assert _field(e) == "neutrophil_engraftment_on"
    ep.refresh_from_db()
    assert ep.status == "infused"


def test_gvhd_rules():
    ep = HSCTEpisodeFactory()
    with pytest.raises(ValidationFailed) as e:
        services.gvhd_entry_add(
            episode=ep, kind="acute", organ="upper_gi", stage=2, observed_on=D(2026, 4, 1)
        )
    assert _field(e) == "stage"
    with pytest.raises(ValidationFailed) as e:
        services.gvhd_entry_add(
            episode=ep, kind="chronic", organ="lungs", stage=1, observed_on=D(2026, 3, 1)
        )
    assert _field(e) == "observed_on"


def test_complication_resolved_before_onset_rejected():
    with pytest.raises(ValidationFailed) as e:
        services.hsct_complication_add(
            episode=HSCTEpisodeFactory(),
            kind="sos_vod",
            onset_on=D(2026, 3, 20),
            resolved_on=D(2026, 3, 1),
        )
    assert _field(e) == "resolved_on"


# ---------------------------------------------------------------- school
def test_school_enrollment_attendance_and_plan():
    child, cls = ChildFactory(), SchoolClassFactory()
    e = services.school_enroll(
        patient=child, school_class=cls, enrolled_on=D(2026, 1, 5), home_school="서울초"
    )
    with pytest.raises(Conflict):
        services.school_enroll(patient=child, school_class=cls, enrolled_on=D(2026, 1, 6))
    services.school_attendance_record(
        enrollment=e,
        on=D(2026, 1, 6),
        status="present",
        setting="bedside",
        during_admission=True,
        minutes=40,
    )
    services.school_attendance_record(enrollment=e, on=D(2026, 1, 6), status="present", minutes=50)
    assert SchoolAttendance.objects.get().minutes == 50
    with pytest.raises(ValidationFailed) as ex:
        services.school_attendance_record(enrollment=e, on=D(2026, 1, 1), status="present")
    assert _field(ex) == "on"
    with pytest.raises(ValidationFailed) as ex:
        services.return_plan_save(enrollment=e, status="shared")
    assert _field(ex) == "school_contact"
    plan = services.return_plan_save(
        enrollment=e, status="shared", school_contact="담임 김선생", planned_return_on=D(2026, 9, 1)
    )
    assert plan.status == "shared"


# ---------------------------------------------------------------- aid
def _application(**kw):
    return services.aid_application_create(
        patient=kw.pop("patient", None) or ChildFactory(),
        organisation=AidOrganisationFactory(),
        need="medical_costs",
        amount_requested=kw.pop("amount_requested", 1_000_000),
        documents=kw.pop("documents", REQUIRED_DOCS),
    )


def test_aid_full_flow_and_family_summary():
    a = _application()
    for s in ("submitted", "under_review"):
        services.aid_application_transition(application=a, to_status=s)
    a = services.aid_application_transition(
        application=a, to_status="granted", amount_granted=800_000
    )
    assert a.status == "granted" and a.amount_granted == 800_000 and a.decided_on
    s = selectors.family_aid_summary(a.patient)
    assert s["total_granted"] == 800_000 and s["total_requested"] == 1_000_000
    assert [c.to_status for c in a.status_changes.all()] == ["submitted", "under_review", "granted"]


def test_grant_above_request_without_note_rejected_nothing_saved():
    a = _application()
    services.aid_application_transition(application=a, to_status="submitted")
    services.aid_application_transition(application=a, to_status="under_review")
    with pytest.raises(ValidationFailed) as e:
        services.aid_application_transition(
            application=a, to_status="granted", amount_granted=1_200_000
        )
    assert _field(e) == "amount_granted"
    a.refresh_from_db()
    assert a.status == "under_review" and a.amount_granted is None
    a = services.aid_application_transition(
        application=a,
        to_status="granted",
        amount_granted=1_200_000,
        decision_note="Added transport",
    )
    assert a.amount_granted == 1_200_000


def test_grant_above_request_db_constraint():
    a = _application()
    AidApplication.objects.filter(pk=a.pk).update(amount_granted=5)  # fine: below
    with pytest.raises(IntegrityError), transaction.atomic():
        AidApplication.objects.filter(pk=a.pk).update(amount_granted=2_000_000)


def test_aid_illegal_transition_and_missing_documents():
    a = _application(documents=["application_form"])
    with pytest.raises(ValidationFailed) as e:
        services.aid_application_transition(application=a, to_status="granted", amount_granted=1)
    assert _field(e) == "status"
    with pytest.raises(ValidationFailed) as e:
        services.aid_application_transition(application=a, to_status="submitted")
    assert _field(e) == "documents"
    with pytest.raises(ValidationFailed) as e:
        _application(amount_requested=0)
    assert _field(e) == "amount_requested"


# ---------------------------------------------------------------- shelter
def test_stay_overlap_rejected_back_to_back_allowed():
    room = ShelterRoomFactory()
    services.shelter_check_in(
        room=room,
        patient=ChildFactory(),
        guests=2,
        check_in=D(2026, 1, 1),
        check_out=D(2026, 1, 10),
    )
    with pytest.raises(Conflict) as e:
        services.shelter_check_in(
            room=room,
            patient=ChildFactory(),
            guests=2,
            check_in=D(2026, 1, 9),
            check_out=D(2026, 1, 12),
        )
    assert _field(e) == "check_in"
    services.shelter_check_in(
        room=room,
        patient=ChildFactory(),
        guests=2,
        check_in=D(2026, 1, 10),
        check_out=D(2026, 1, 12),
    )
    assert ShelterStay.objects.count() == 2


def test_check_out_before_check_in_rejected():
    with pytest.raises(ValidationFailed) as e:
        services.shelter_check_in(
            room=ShelterRoomFactory(),
            patient=ChildFactory(),
            guests=1,
            check_in=D(2026, 1, 5),
            check_out=D(2026, 1, 4),
        )
    assert _field(e) == "check_out"
    assert not ShelterStay.objects.exists()
    stay = services.shelter_check_in(
        room=ShelterRoomFactory(), patient=ChildFactory(), guests=1, check_in=D(2026, 1, 5)
    )
    with pytest.raises(ValidationFailed) as e:
        services.shelter_check_out(stay=stay, check_out=D(2026, 1, 5))
    assert _field(e) == "check_out"


def test_guests_above_capacity_rejected_in_service_and_db():
    room = ShelterRoomFactory(capacity=2)
    with pytest.raises(ValidationFailed) as e:
        services.shelter_check_in(
            room=room, patient=ChildFactory(), guests=3, check_in=D(2026, 1, 5)
        )
    assert _field(e) == "guests"
    with pytest.raises(IntegrityError), transaction.atomic():
        ShelterStay.objects.create(
            room=room, patient=ChildFactory(), guests=3, room_capacity=2, check_in=D(2026, 1, 5)
        )


def test_two_open_stays_in_a_room_refused_by_db():
    room = ShelterRoomFactory()
    ShelterStay.objects.create(
        room=room, patient=ChildFactory(), guests=1, room_capacity=3, check_in=D(2026, 1, 5)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ShelterStay.objects.create(
            room=room, patient=ChildFactory(), guests=1, room_capacity=3, check_in=D(2026, 2, 5)
        )


def test_waitlist_ranked_with_reasons_and_housed():
    near = services.waitlist_add(
        patient=ChildFactory(),
        requested_on=D(2026, 1, 1),
        distance_km=10,
        financial_need="none",
        treatment_intensity="followup",
    )
    far = services.waitlist_add(
        patient=ChildFactory(),
        requested_on=D(2026, 1, 2),
        distance_km=350,
        financial_need="high",
        treatment_intensity="hsct",
    )
    ranked = selectors.waitlist_ranked()
    assert [r["entry"].pk for r in ranked] == [far.pk, near.pk]
    assert "350 km" in ranked[0]["reasons"][0].text
    with pytest.raises(Conflict):
        services.waitlist_add(
            patient=far.patient,
            requested_on=D(2026, 1, 3),
            distance_km=1,
            financial_need="low",
            treatment_intensity="hsct",
        )
    stay = services.shelter_check_in(
        room=ShelterRoomFactory(),
        patient=far.patient,
        guests=2,
        check_in=D(2026, 1, 5),
        waitlist_entry=far,
    )
    far.refresh_from_db()
    assert far.status == "housed" and far.stay == stay
    assert [r["entry"].pk for r in selectors.waitlist_ranked()] == [near.pk]
    with pytest.raises(ValidationFailed) as e:
        services.waitlist_add(
            patient=ChildFactory(),
            requested_on=D(2026, 1, 1),
            distance_km=10,
            financial_need="rich",
            treatment_intensity="hsct",
        )
    assert _field(e) == "financial_need"
    assert ShelterWaitlistEntry.objects.count() == 2


# ---------------------------------------------------------------- palliative
def test_palliative_flow_and_bereavement():
    child = ChildFactory()
    r = services.palliative_refer(patient=child, referred_on=D(2026, 2, 1), reason="Relapsed DIPG")
    with pytest.raises(Conflict):
        services.palliative_refer(patient=child, referred_on=D(2026, 2, 2), reason="again")
    with pytest.raises(ValidationFailed) as e:
        services.palliative_update(referral=r, status="closed")
    assert _field(e) == "status"
    r = services.palliative_update(
        referral=r, status="active", goals_of_care="Comfort at home", place_of_care="home"
    )
    assert r.place_of_care == "home"
    with pytest.raises(ValidationFailed) as e:
        services.bereavement_plan(referral=r, planned_on=D(2026, 5, 1), kind="call")
    assert _field(e) == "planned_on"
    child.deceased_on = D(2026, 4, 1)
    child.save()
    r.refresh_from_db()
    b = services.bereavement_plan(referral=r, planned_on=D(2026, 5, 1), kind="call")
    services.bereavement_done(followup=b, done_on=D(2026, 5, 2))


def test_palliative_decline_needs_reason():
    r = services.palliative_refer(patient=ChildFactory(), referred_on=D(2026, 2, 1), reason="x")
    with pytest.raises(ValidationFailed) as e:
        services.palliative_update(referral=r, status="declined")
    assert _field(e) == "decline_reason"


# ---------------------------------------------------------------- social work
def test_social_case_caseload_assessment_intervention(make_user):
    sw = make_user("social_worker")
    case = services.social_case_open(
        patient=ChildFactory(), social_worker=sw, opened_on=D(2026, 1, 1)
    )
    services.social_case_open(patient=ChildFactory(), social_worker=sw, opened_on=D(2026, 1, 1))
    assert selectors.caseload()[0]["open_cases"] == 2
    with pytest.raises(ValidationFailed) as e:
        services.needs_assessment_record(
            case=case, assessed_on=D(2026, 1, 2), levels={"financial": "huge"}
        )
    assert _field(e) == "levels.financial"
    services.needs_assessment_record(
        case=case, assessed_on=D(2026, 1, 2), levels={"financial": "high", "schooling": "low"}
    )
    i = services.intervention_add(
        case=case, domain="financial", description="Aid application", started_on=D(2026, 1, 3)
    )
    with pytest.raises(ValidationFailed) as e:
        services.intervention_record_outcome(intervention=i, outcome="achieved")
    assert _field(e) == "completed_on"
    services.intervention_record_outcome(
        intervention=i, outcome="achieved", completed_on=D(2026, 2, 1)
    )
    with pytest.raises(ValidationFailed) as e:
        services.social_case_open(
            patient=ChildFactory(), social_worker=make_user("nurse"), opened_on=D(2026, 1, 1)
        )
    assert _field(e) == "social_worker"


# ---------------------------------------------------------------- guardian
def test_guardian_minor_rejected():
    with pytest.raises(ValidationFailed) as e:
        services.guardian_check_adult(birth_date=D(2010, 1, 1), on=D(2026, 1, 1))
    assert _field(e) == "guardian_birth_date"
    services.guardian_check_adult(birth_date=D(1985, 1, 1), on=D(2026, 1, 1))


# ---------------------------------------------------------------- reports
def test_service_use_report_counts():
    child = ChildFactory()
    services.school_enroll(
        patient=child, school_class=SchoolClassFactory(), enrolled_on=D(2026, 1, 5)
    )
    services.shelter_check_in(
        room=ShelterRoomFactory(),
        patient=child,
        guests=2,
        check_in=D(2026, 1, 1),
        check_out=D(2026, 1, 11),
    )
    a = _application(patient=child)
    for s in ("submitted", "under_review"):
        services.aid_application_transition(application=a, to_status=s)
    services.aid_application_transition(
        application=a, to_status="granted", amount_granted=500_000, on=D(2026, 2, 1)
    )
    r = selectors.report_service_use(years=2, until=D(2026, 12, 31))
    assert r["years"] == [2025, 2026]
    assert (
        r["school_children"] == [0, 1]
        and r["aid_families"] == [0, 1]
        and r["shelter_families"] == [0, 1]
    )
    assert r["shelter_nights"] == [0, 10] and r["aid_amount"][1] == 500_000


def test_guardian_register_refuses_minor_as_legal_representative():
    from oncocenter.patients.models_record import Guardian

    child = ChildFactory()
    minor = dt.date.today().replace(year=dt.date.today().year - 17)
    with pytest.raises(ValidationFailed) as e:
        services.guardian_register(
            patient=child, name_ko="김지수", relationship="sibling", birth_date=minor
        )
    assert _field(e) == "birth_date"
    assert not Guardian.objects.filter(patient=child).exists()
    # A minor sibling may be listed, but not as legal representative.
    services.guardian_register(
        patient=child,
        name_ko="김지수",
        relationship="sibling",
        birth_date=minor,
        is_legal_representative=False,
    )
    g = services.guardian_register(
        patient=child, name_ko="김엄마", relationship="mother", birth_date=D(1985, 1, 1)
    )
    assert g.support_birth_date.birth_date == D(1985, 1, 1)
    # The patients app's own checks still apply and nothing is half-saved.
    with pytest.raises(ValidationFailed) as e:
        services.guardian_register(
            patient=child, name_ko="Mom", relationship="mother", birth_date=D(1985, 1, 1)
        )
    assert _field(e) == "name_ko"
    assert Guardian.objects.filter(patient=child).count() == 2


def test_hsct_appears_on_the_treatment_timeline():
    from oncocenter.oncology.models import TreatmentEpisode

    child = ChildFactory()
    ep = services.hsct_episode_create(
        patient=child,
        indication="AML CR1",
        donor_type="related",
        hla_match="8/8",
        conditioning_start=D(2026, 3, 3),
        day0=D(2026, 3, 10),
        status="infused",
    )
    te = TreatmentEpisode.objects.get(source=f"support.hsct:{ep.pk}")
    assert te.modality == "hsct" and te.started_on == D(2026, 3, 3)
    services.hsct_episode_update(episode=ep, status="cancelled")
    assert not TreatmentEpisode.objects.filter(source=f"support.hsct:{ep.pk}").exists()


def test_attendance_takes_admission_from_clinics_when_not_given(monkeypatch):
    from oncocenter.support import selectors as sel

    e = services.school_enroll(
        patient=ChildFactory(), school_class=SchoolClassFactory(), enrolled_on=D(2026, 1, 5)
    )
    monkeypatch.setattr(sel, "admitted_on", lambda patient, on: on == D(2026, 1, 6))
    assert services.school_attendance_record(
        enrollment=e, on=D(2026, 1, 6), status="present", minutes=30
    ).during_admission
    assert not services.school_attendance_record(
        enrollment=e, on=D(2026, 1, 7), status="present", minutes=30
    ).during_admission
    assert services.school_attendance_record(
        enrollment=e, on=D(2026, 1, 8), status="present", during_admission=True
    ).during_admission


def test_admitted_on_is_unknown_or_false_without_admissions():
    assert selectors.admitted_on(ChildFactory(), D(2026, 1, 6)) in (None, False)
