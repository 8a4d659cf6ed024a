"""The dietitian's worklist and the quality-of-life worklist run the same number of queries with
N and 10N open alerts (issue 18)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.core.tests.query_counts import assert_flat
from oncocenter.nutrition import services
from oncocenter.nutrition.models import Questionnaire
from oncocenter.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_dietitian_worklist(client_as):
    by = UserFactory()
    today = timezone.localdate()

    def add(n: int) -> None:
        for _ in range(n):
            p = PatientFactory()
            services.nutrition_record_create(
                by=by, patient=p, measured_on=today - dt.timedelta(days=20), weight=70, height=170
            )
            # 7% in 20 days: a weight-loss alert.
            services.nutrition_record_create(by=by, patient=p, measured_on=today, weight=65)

    assert_flat(client_as("dietitian"), [reverse("nutrition:worklist"), "/"], add)


def test_qol_worklist(client_as):
    q = Questionnaire.objects.get(code="esophageal-qol-example")
    good = {it["code"]: (1 if it["reverse"] else 4) for it in q.definition["items"]}
    worse = dict(good, eat_solid=1, enjoy_meals=2)
    by = UserFactory()
    today = timezone.localdate()

    def add(n: int) -> None:
        for _ in range(n):
            p = PatientFactory()
            for answered_on, answers in ((today - dt.timedelta(days=90), good), (today, worse)):
                services.qol_response_record(
                    by=by, patient=p, questionnaire=q, answered_on=answered_on, answers=answers
                )

    assert_flat(client_as("dietitian"), [reverse("nutrition:qol-worklist"), "/"], add)
