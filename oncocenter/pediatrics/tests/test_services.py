"""Service rules: each one rejects bad input naming the field, and saves nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from oncocenter.aid import services as aid_services
from oncocenter.aid.tests.factories import AidOrganisationFactory
from oncocenter.audit.models import AuditEvent
from oncocenter.core.errors import ValidationFailed
from oncocenter.patients.services_record import guardian_add
from oncocenter.pediatrics import selectors, services
from oncocenter.pediatrics.models import BodyMeasurement, HSCTEpisode
from oncocenter.pediatrics.tests.factories import ChildFactory, HSCTEpisodeFactory, staff
from oncocenter.pediatrics.tests.world import REQUIRED_DOCS
from oncocenter.school import services as school_services
from oncocenter.school.tests.factories import SchoolClassFactory
from oncocenter.shelter import services as shelter_services
from oncocenter.shelter.tests.factories import ShelterRoomFactory

pytestmark = pytest.mark.django_db


D = dt.date


def _field(exc) -> str:
    return exc.value.problems[0].field


def _application(**kw):
    return aid_services.aid_application_create(
        by=staff(),
        patient=kw.pop("patient", None) or ChildFactory(),
        organisation=AidOrganisationFactory(),
        need="medical_costs",
        amount_requested=kw.pop("amount_requested", 1_000_000),
        documents=kw.pop("documents", REQUIRED_DOCS),
    )


def test_measurement_stores_bsa_and_audits():
    child = ChildFactory()
    m, warnings = services.measurement_record(
        by=staff(), patient=child, measured_on=D(2026, 1, 5), height=120, weight=22
    )
    assert m.bsa_m2 == Decimal("0.86") and warnings == ()
    assert AuditEvent.objects.filter(
        object_type="pediatrics.bodymeasurement", patient_id=child.pk
    ).exists()


def test_measurement_in_metres_rejected_and_nothing_saved():
    child = ChildFactory()
    with pytest.raises(ValidationFailed) as e:
        services.measurement_record(
            by=staff(), patient=child, measured_on=D(2026, 1, 5), height=1.2, weight=22
        )
    assert _field(e) == "height_cm"
    assert not BodyMeasurement.objects.exists()


def test_measurement_before_birth_rejected():
    with pytest.raises(ValidationFailed) as e:
        services.measurement_record(
            by=staff(), patient=ChildFactory(), measured_on=D(2010, 1, 1), height=120, weight=22
        )
    assert _field(e) == "measured_on"


def test_sedation_reaches_anesthesia_flag():
    child = ChildFactory()
    assert selectors.patient_needs_anesthesia(child) is False
    services.profile_set_sedation(
        by=staff(), patient=child, sedation_required=True, sedation_notes="propofol"
    )
    assert selectors.patient_needs_anesthesia(child) is True
    other = ChildFactory()
    assert selectors.patients_needing_anesthesia([child.pk, other.pk]) == {child.pk}


def test_hsct_engraftment_before_day0_rejected_nothing_saved():
    with pytest.raises(ValidationFailed) as e:
        services.hsct_episode_create(
            by=staff(),
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
            by=staff(), patient=child, indication="NB", donor_type="autologous", hla_match="8/8"
        )
    assert _field(e) == "hla_match"
    with pytest.raises(ValidationFailed) as e:
        services.hsct_episode_create(
            by=staff(), patient=child, indication="AML", donor_type="unrelated", hla_match="9/8"
        )
    assert _field(e) == "hla_match"
    with pytest.raises(ValidationFailed) as e:
        services.hsct_episode_create(
            by=staff(), patient=child, indication="AML", donor_type="sibling"
        )
    assert _field(e) == "donor_type"


def test_hsct_update_and_day_view_with_gvhd_grade():
    ep = HSCTEpisodeFactory()
    services.hsct_episode_update(
        by=staff(), episode=ep, neutrophil_engraftment_on=D(2026, 3, 24), status="engrafted"
    )
    services.gvhd_entry_add(
        by=staff(), episode=ep, kind="acute", organ="skin", stage=3, observed_on=D(2026, 3, 30)
    )
    services.gvhd_entry_add(
        by=staff(), episode=ep, kind="acute", organ="liver", stage=2, observed_on=D(2026, 4, 2)
    )
    ep.refresh_from_db()
    v = selectors.hsct_day_view(ep, D(2026, 4, 9))
    assert (v.label, v.engraftment_day, v.acute_grade) == ("day +30", 14, 3)
    assert selectors.hsct_day_view(ep, D(2026, 3, 31)).acute_grade == 2
    assert selectors.hsct_day_view(ep, D(2026, 3, 3)).label == "day -7"


def test_engrafted_status_needs_engraftment_date():
    ep = HSCTEpisodeFactory()
    with pytest.raises(ValidationFailed) as e:
        services.hsct_episode_update(by=staff(), episode=ep, status="engrafted")
    assert _field(e) == "neutrophil_engraftment_on"
    ep.refresh_from_db()
    assert ep.status == "infused"


def test_gvhd_rules():
    ep = HSCTEpisodeFactory()
    with pytest.raises(ValidationFailed) as e:
        services.gvhd_entry_add(
            by=staff(),
            episode=ep,
            kind="acute",
            organ="upper_gi",
            stage=2,
            observed_on=D(2026, 4, 1),
        )
    assert _field(e) == "stage"
    with pytest.raises(ValidationFailed) as e:
        services.gvhd_entry_add(
            by=staff(),
            episode=ep,
            kind="chronic",
            organ="lungs",
            stage=1,
            observed_on=D(2026, 3, 1),
        )
    assert _field(e) == "observed_on"


def test_complication_resolved_before_onset_rejected():
    with pytest.raises(ValidationFailed) as e:
        services.hsct_complication_add(
            by=staff(),
            episode=HSCTEpisodeFactory(),
            kind="sos_vod",
            onset_on=D(2026, 3, 20),
            resolved_on=D(2026, 3, 1),
        )
    assert _field(e) == "resolved_on"


def test_guardian_minor_rejected():
    # One adult-guardian rule (issue 14): the patients app's guardian_add applies it.
    sixteen = dt.date.today().replace(year=dt.date.today().year - 16, day=1)
    with pytest.raises(ValidationFailed) as e:
        guardian_add(
            by=staff(),
            patient=ChildFactory(),
            name_ko="김지수",
            relationship="sibling",
            birth_date=sixteen,
        )
    assert _field(e) == "birth_date"
    guardian_add(
        by=staff(),
        patient=ChildFactory(),
        name_ko="김엄마",
        relationship="mother",
        birth_date=D(1985, 1, 1),
    )


def test_service_use_report_counts():
    child = ChildFactory()
    school_services.school_enroll(
        by=staff(), patient=child, school_class=SchoolClassFactory(), enrolled_on=D(2026, 1, 5)
    )
    shelter_services.shelter_check_in(
        by=staff(),
        room=ShelterRoomFactory(),
        patient=child,
        guests=2,
        check_in=D(2026, 1, 1),
        check_out=D(2026, 1, 11),
    )
    a = _application(patient=child)
    for s in ("submitted", "under_review"):
        aid_services.aid_application_transition(by=staff(), application=a, to_status=s)
    aid_services.aid_application_transition(
        by=staff(), application=a, to_status="granted", amount_granted=500_000, on=D(2026, 2, 1)
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
        guardian_add(
            by=staff(), patient=child, name_ko="김지수", relationship="sibling", birth_date=minor
        )
    assert _field(e) == "birth_date"
    assert not Guardian.objects.filter(patient=child).exists()
    # A minor sibling may be listed, but not as legal representative.
    guardian_add(
        by=staff(),
        patient=child,
        name_ko="김지수",
        relationship="sibling",
        birth_date=minor,
        is_legal_representative=False,
    )
    g = guardian_add(
        by=staff(), patient=child, name_ko="김엄마", relationship="mother", birth_date=D(1985, 1, 1)
    )
    assert g.birth_date == D(1985, 1, 1)
    # The patients app's own checks still apply and nothing is half-saved.
    with pytest.raises(ValidationFailed) as e:
        guardian_add(
            by=staff(),
            patient=child,
            name_ko="Mom",
            relationship="mother",
            birth_date=D(1985, 1, 1),
        )
    assert _field(e) == "name_ko"
    assert Guardian.objects.filter(patient=child).count() == 2


def test_hsct_appears_on_the_treatment_timeline():
    from oncocenter.oncology.models import TreatmentEpisode

    child = ChildFactory()
    ep = services.hsct_episode_create(
        by=staff(),
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
    services.hsct_episode_update(by=staff(), episode=ep, status="cancelled")
    assert not TreatmentEpisode.objects.filter(source=f"support.hsct:{ep.pk}").exists()
