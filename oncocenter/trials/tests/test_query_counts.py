"""The studies list and a study's page (pre-screening, screening log, enrollments) run the same
number of queries with N and 10N rows (issue 18)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.core.tests.query_counts import assert_flat
from oncocenter.trials import services
from oncocenter.trials.tests.factories import StudyFactory
from oncocenter.trials.tests.test_services import neuroblastoma_patient

pytestmark = pytest.mark.django_db


def test_studies(client_as):
    def add(n: int) -> None:
        StudyFactory.create_batch(n)

    assert_flat(client_as("research_coordinator"), [reverse("trials:studies"), "/"], add)


def test_study_page(client_as):
    study = StudyFactory()
    by = UserFactory(roles=["research_coordinator"])

    def add(n: int) -> None:
        for i in range(n):
            patient = neuroblastoma_patient(lansky=(80, 30)[i % 2])
            services.screening_log_add(study=study, patient=patient, by=by)
            services.enrollment_create(
                study=study,
                patient=patient,
                by=by,
                consent_on=timezone.localdate(),
                arm="A",
                override_reason="" if i % 2 == 0 else "PI judged the Lansky score transient",
            )

    assert_flat(client_as("research_coordinator"), reverse("trials:study", args=[study.pk]), add)
