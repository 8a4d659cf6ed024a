"""Trials register their own home panel and navigation (issue 14)."""

import pytest

from oncocenter.trials.tests.factories import StudyFactory

pytestmark = pytest.mark.django_db


def test_home_shows_recruiting_studies_to_the_research_coordinator(client_as):
    study = StudyFactory(code="KPHO-NB-2025")
    html = client_as("research_coordinator").get("/").content.decode()
    assert "Recruiting studies" in html and f"/trials/{study.pk}/" in html
    assert 'href="/trials/"' in html  # navigation
    assert "Recruiting studies" not in client_as("nurse").get("/").content.decode()
