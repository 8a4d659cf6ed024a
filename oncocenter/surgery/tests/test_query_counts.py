"""The operations list runs the same number of queries with N and 10N operations, with and
without pathology (issue 18). The quality page has its own test in test_views."""

from __future__ import annotations

import pytest
from django.urls import reverse

from oncocenter.core.tests.query_counts import assert_flat
from oncocenter.surgery.tests.test_services import pathology

pytestmark = pytest.mark.django_db


def test_operations_list(world, client_as):
    def add(n: int) -> None:
        for i in range(n):
            op = world.operation()
            if i % 2 == 0:
                pathology(world, op)

    assert_flat(client_as(user=world.surgeon), reverse("surgery:index"), add)
