"""After seeding, PostgreSQL has planner statistics for the seeded tables."""

from __future__ import annotations

import pytest
from django.db import connection

from oncocenter.demo.seed import analyze
from oncocenter.patients.models import Patient
from oncocenter.patients.tests.factories import PatientFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_analyze_gives_the_planner_statistics():
    PatientFactory.create_batch(5)
    analyze()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [Patient._meta.db_table]
        )
        (estimate,) = cursor.fetchone()
    assert estimate >= 5
