"""The tumor-board pages (the meetings of the last 60 days with board-to-treatment times, and
a meeting's case list with its recommendations) run the same number of queries with N and 10N
meetings or cases (issue 18)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.core.tests.query_counts import assert_flat
from oncocenter.mdt import services
from oncocenter.mdt.tests.factories import MeetingFactory
from oncocenter.mdt.tests.test_services import PEDIATRIC, attend, listed_case
from oncocenter.trials.tests.factories import StudyFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _case(meeting, *, recommend: bool, trial=None):
    _meeting, case = listed_case(meeting)
    if recommend:
        services.recommendation_record(
            by=UserFactory(),
            case=case,
            intent="curative",
            modalities=["chemotherapy", "surgery"],
            from_department="pediatric_oncology",
            trial=trial,
            referrals=[{"to_department": "surgery", "reason": "Delayed resection"}],
            orders=[{"department": "nuclear_medicine", "test_name": "MIBG scan"}],
        )
    return case


def test_meetings(client_as):
    def add(n: int) -> None:
        for i in range(n):
            # Past meetings on the list, coming ones on the home panel too.
            meeting = MeetingFactory(held_on=TODAY + dt.timedelta(days=i % 10 - 5))
            attend(meeting, PEDIATRIC)
            _case(meeting, recommend=True)

    assert_flat(client_as("pediatric_oncologist"), [reverse("mdt:meetings"), "/"], add)


def test_meeting_cases_and_recommendations(client_as):
    meeting = MeetingFactory()
    attend(meeting, PEDIATRIC)
    StudyFactory(status="recruiting")
    trial = StudyFactory(status="recruiting")

    def add(n: int) -> None:
        for i in range(n):
            _case(meeting, recommend=i % 2 == 0, trial=trial)

    assert_flat(client_as("pediatric_oncologist"), reverse("mdt:meeting", args=[meeting.pk]), add)
