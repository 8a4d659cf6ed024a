"""Service rules: each one rejects bad input naming the field, and saves nothing."""

import datetime as dt

import pytest

from oncocenter.core.errors import ValidationFailed
from oncocenter.pediatrics.tests.factories import ChildFactory, staff
from oncocenter.socialwork import selectors, services

pytestmark = pytest.mark.django_db


D = dt.date


def _field(exc) -> str:
    return exc.value.problems[0].field


def test_social_case_caseload_assessment_intervention(make_user):
    sw = make_user("social_worker")
    case = services.social_case_open(
        by=staff(), patient=ChildFactory(), social_worker=sw, opened_on=D(2026, 1, 1)
    )
    services.social_case_open(
        by=staff(), patient=ChildFactory(), social_worker=sw, opened_on=D(2026, 1, 1)
    )
    assert selectors.caseload()[0]["open_cases"] == 2
    with pytest.raises(ValidationFailed) as e:
        services.needs_assessment_record(
            by=staff(), case=case, assessed_on=D(2026, 1, 2), levels={"financial": "huge"}
        )
    assert _field(e) == "levels.financial"
    services.needs_assessment_record(
        by=staff(),
        case=case,
        assessed_on=D(2026, 1, 2),
        levels={"financial": "high", "schooling": "low"},
    )
    i = services.intervention_add(
        by=staff(),
        case=case,
        domain="financial",
        description="Aid application",
        started_on=D(2026, 1, 3),
    )
    with pytest.raises(ValidationFailed) as e:
        services.intervention_record_outcome(by=staff(), intervention=i, outcome="achieved")
    assert _field(e) == "completed_on"
    services.intervention_record_outcome(
        by=staff(), intervention=i, outcome="achieved", completed_on=D(2026, 2, 1)
    )
    with pytest.raises(ValidationFailed) as e:
        services.social_case_open(
            by=staff(),
            patient=ChildFactory(),
            social_worker=make_user("nurse"),
            opened_on=D(2026, 1, 1),
        )
    assert _field(e) == "social_worker"
