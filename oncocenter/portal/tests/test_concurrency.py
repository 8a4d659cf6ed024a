"""Parallel wrong passwords cannot slip past the limit: attempts on one sign-in name from one
address are serialised by a row lock, so exactly 5 are checked and the rest refused (PostgreSQL,
real row locks)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from oncocenter.core.errors import Throttled, ValidationFailed
from oncocenter.portal import services
from oncocenter.portal.models import Throttle
from oncocenter.portal.tests.factories import adult_with_account

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 20


def test_parallel_failures_are_all_counted():
    adult_with_account("race1")
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []

    def attempt() -> None:
        try:
            barrier.wait()
            services.portal_sign_in(username="race1", password="wrong-pass-99", address="7.7.7.7")
        except ValidationFailed:
            outcomes.append("wrong")
        except Throttled:
            outcomes.append("throttled")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    row = Throttle.objects.get(key=services.signin_key("race1", "7.7.7.7"))
    # Exactly the limit was tried; every other parallel attempt was refused unchecked.
    assert outcomes.count("wrong") == services.SIGNIN_MAX_FAILURES == row.failures
    assert outcomes.count("throttled") == THREADS - services.SIGNIN_MAX_FAILURES
    with pytest.raises(Throttled):
        services.portal_sign_in(username="race1", password="wrong-pass-99", address="7.7.7.7")
