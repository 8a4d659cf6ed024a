import datetime as dt

import pytest

from oncocenter.support import services
from oncocenter.support.tests.factories import (
    AidOrganisationFactory,
    ChildFactory,
    HSCTEpisodeFactory,
    SchoolClassFactory,
    ShelterRoomFactory,
)

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
    enrollment = services.school_enroll(patient=child, school_class=cls, enrolled_on=D(2026, 1, 5))
    org = AidOrganisationFactory()
    application = services.aid_application_create(
        patient=child,
        organisation=org,
        need="medical_costs",
        amount_requested=1_000_000,
        documents=REQUIRED_DOCS,
    )
    room = ShelterRoomFactory()
    stay = services.shelter_check_in(room=room, patient=child, guests=2, check_in=D(2026, 1, 1))
    entry = services.waitlist_add(
        patient=ChildFactory(),
        requested_on=D(2026, 1, 2),
        distance_km=200,
        financial_need="high",
        treatment_intensity="hsct",
    )
    referral = services.palliative_refer(patient=child, referred_on=D(2026, 2, 1), reason="Relapse")
    sw = make_user("social_worker")
    case = services.social_case_open(patient=child, social_worker=sw, opened_on=D(2026, 1, 1))
    intervention = services.intervention_add(
        case=case, domain="financial", description="Aid", started_on=D(2026, 1, 2)
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
