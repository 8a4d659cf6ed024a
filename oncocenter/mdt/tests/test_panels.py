"""Tumor boards register their own home panel and navigation (issue 14)."""

import pytest

from oncocenter.mdt.tests.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def test_home_shows_boards_in_the_next_two_weeks_to_the_board_roles(client_as):
    meeting = MeetingFactory()
    html = client_as("nurse").get("/").content.decode()
    assert "Tumor boards in the next 14 days" in html and f"/mdt/meetings/{meeting.pk}/" in html
    assert 'href="/mdt/"' in html  # navigation
    html = client_as("dietitian").get("/").content.decode()
    assert "Tumor boards in the next 14 days" not in html
