"""Service rules: each one rejects bad input naming the field, and saves nothing."""

import datetime as dt

import pytest

from oncocenter.core.errors import Conflict, ValidationFailed
from oncocenter.palliative import services
from oncocenter.pediatrics.tests.factories import ChildFactory, staff

pytestmark = pytest.mark.django_db


D = dt.date


def _field(exc) -> str:
    return exc.value.problems[0].field


def test_palliative_flow_and_bereavement():
    child = ChildFactory()
    r = services.palliative_refer(
        by=staff(), patient=child, referred_on=D(2026, 2, 1), reason="Relapsed DIPG"
    )
    with pytest.raises(Conflict):
        services.palliative_refer(
            by=staff(), patient=child, referred_on=D(2026, 2, 2), reason="again"
        )
    with pytest.raises(ValidationFailed) as e:
        services.palliative_update(by=staff(), referral=r, status="closed")
    assert _field(e) == "status"
    r = services.palliative_update(
        by=staff(),
        referral=r,
        status="active",
        goals_of_care="Comfort at home",
        place_of_care="home",
    )
    assert r.place_of_care == "home"
    with pytest.raises(ValidationFailed) as e:
        services.bereavement_plan(by=staff(), referral=r, planned_on=D(2026, 5, 1), kind="call")
    assert _field(e) == "planned_on"
    child.deceased_on = D(2026, 4, 1)
    child.save()
    r.refresh_from_db()
    b = services.bereavement_plan(by=staff(), referral=r, planned_on=D(2026, 5, 1), kind="call")
    services.bereavement_done(by=staff(), followup=b, done_on=D(2026, 5, 2))


def test_palliative_decline_needs_reason():
    r = services.palliative_refer(
        by=staff(), patient=ChildFactory(), referred_on=D(2026, 2, 1), reason="x"
    )
    with pytest.raises(ValidationFailed) as e:
        services.palliative_update(by=staff(), referral=r, status="declined")
    assert _field(e) == "decline_reason"
