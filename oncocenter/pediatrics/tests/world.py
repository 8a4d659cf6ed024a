"""The `world` fixture: one child with something in every pediatric service. Each service app's
tests/conftest.py imports it, so the tests of every app can use it."""

import datetime as dt

import pytest

from oncocenter.aid import services as aid_services
from oncocenter.aid.tests.factories import AidOrganisationFactory
from oncocenter.palliative import services as palliative_services
from oncocenter.pediatrics.tests.factories import ChildFactory, HSCTEpisodeFactory, staff
from oncocenter.school import services as school_services
from oncocenter.school.tests.factories import SchoolClassFactory
from oncocenter.shelter import services as shelter_services
from oncocenter.shelter.tests.factories import ShelterRoomFactory
from oncocenter.socialwork import services as socialwork_services

D = dt.date
REQUIRED_DOCS = [
    "application_form",
    "medical_certificate",
    "cost_estimate",
    "family_relation",
    "income_proof",
    "privacy_consent",
]


@pytest.fixture
def world(db, make_user):
    """One child with something in every part of the support area."""
    child = ChildFactory(name_ko="한아이")
    episode = HSCTEpisodeFactory(patient=child)
    cls = SchoolClassFactory()
    enrollment = school_services.school_enroll(
        by=staff(), patient=child, school_class=cls, enrolled_on=D(2026, 1, 5)
    )
    org = AidOrganisationFactory()
    application = aid_services.aid_application_create(
        by=staff(),
        patient=child,
        organisation=org,
        need="medical_costs",
        amount_requested=1_000_000,
        documents=REQUIRED_DOCS,
    )
    room = ShelterRoomFactory()
    stay = shelter_services.shelter_check_in(
        by=staff(), room=room, patient=child, guests=2, check_in=D(2026, 1, 1)
    )
    entry = shelter_services.waitlist_add(
        by=staff(),
        patient=ChildFactory(),
        requested_on=D(2026, 1, 2),
        distance_km=200,
        financial_need="high",
        treatment_intensity="hsct",
    )
    referral = palliative_services.palliative_refer(
        by=staff(), patient=child, referred_on=D(2026, 2, 1), reason="Relapse"
    )
    sw = make_user("social_worker")
    case = socialwork_services.social_case_open(
        by=staff(), patient=child, social_worker=sw, opened_on=D(2026, 1, 1)
    )
    intervention = socialwork_services.intervention_add(
        by=staff(), case=case, domain="financial", description="Aid", started_on=D(2026, 1, 2)
    )
    return {
        "child": child,
        "mrn": child.mrn,
        "episode": episode,
        "class": cls,
        "enrollment": enrollment,
        "org": org,
        "application": application,
        "room": room,
        "stay": stay,
        "entry": entry,
        "referral": referral,
        "case": case,
        "intervention": intervention,
        "social_worker": sw,
    }
