"""Schemathesis over the whole OpenAPI, with a bearer token of each of several roles (issue 17):
no input, however odd, may give a server error, and every answer must match the documented
response schema.

Bounded for CI: a few generated cases per operation (`SCHEMATHESIS_EXAMPLES`, default 1),
derandomised, against Django's WSGI application in-process (no server), in the test's database.
Each role's figures (operations, cases, 5xx, schema violations) are printed; run with `-s` to
see them.
"""

from __future__ import annotations

import os
import time
from collections import Counter

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import InvalidArgument, Unsatisfiable

from oncocenter.accounts.services import token_issue
from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.patients.tests.factories import PatientFactory

schemathesis = pytest.importorskip("schemathesis")

from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.errors import SchemathesisError  # noqa: E402
from schemathesis.generation import GenerationMode  # noqa: E402
from schemathesis.specs.openapi.checks import response_schema_conformance  # noqa: E402

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

ROLES = [
    "radiation_oncologist",
    "medical_physicist",
    "radiation_therapist",
    "nurse",
    "scheduler",
    "pharmacist",
    "administrator",
]
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "1"))
# Operations whose side effects leave the request: none are skipped today; add one here only
# with the reason.
SKIP: dict[str, str] = {}


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker):
    import logging

    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from config.wsgi import application

    # Thousands of expected 404/422 warnings would drown the figures; errors still show.
    logging.getLogger("django.request").setLevel(logging.ERROR)

    # Requests go straight to the WSGI application (not Django's test client), so detach what
    # the test client detaches: closing "old" connections at each request's start and end
    # would close the test's own connection (its transaction) on PostgreSQL.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with django_db_blocker.unblock():
            loaded = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
        yield loaded
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _run(
    operation,
    label: str,
    headers: dict[str, str],
    figures: Counter,
    problems: list[str],
    mode: GenerationMode,
):
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        figures["cases"] += 1
        response = case.call(headers=headers)
        if response.status_code >= 500:
            figures["5xx"] += 1
            problems.append(f"{label}: {response.status_code} for {case.as_curl_command()}")
            return
        try:
            case.validate_response(
                response, checks=[not_a_server_error, response_schema_conformance]
            )
        except Exception as exc:  # one FailureGroup per bad answer
            figures["violations"] += 1
            problems.append(f"{label}: {str(exc)[:600]}")

    try:
        run()
    except (Unsatisfiable, InvalidArgument, SchemathesisError):
        # No invalid input can be built for this operation (e.g. nothing but a free path
        # segment): counted, not failed.
        figures["no negative case"] += 1


def _fire(schema, headers: dict[str, str], mode=None) -> tuple[Counter, list[str]]:
    mode = mode or GenerationMode.POSITIVE
    figures: Counter = Counter()
    problems: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.path}"
        if label in SKIP:  # pragma: no cover - empty today
            continue
        figures["operations"] += 1
        _run(operation, label, headers, figures, problems, mode)
    return figures, problems


@pytest.mark.parametrize("role", ROLES)
def test_schemathesis_finds_no_server_error_or_schema_violation(schema, role):
    PatientFactory()
    user = UserFactory(roles=[role])
    _token, raw = token_issue(user=user, name="schemathesis", scopes=["read", "write"])
    started = time.monotonic()
    figures, problems = _fire(schema, {"Authorization": f"Bearer {raw}"})
    print(
        f"\nschemathesis {role}: {figures['operations']} operations, {figures['cases']} cases, "
        f"{figures['5xx']} 5xx, {figures['violations']} schema violations, "
        f"{time.monotonic() - started:.1f} s"
    )
    assert figures["operations"] >= 200
    assert not problems, "\n".join(problems[:20])


def test_schemathesis_invalid_input_never_gives_a_server_error(schema):
    """Negative cases (wrong types, missing fields, values outside the schema) for the role with
    the most write permissions: each must be refused with a 4xx, never a 5xx."""
    PatientFactory()
    user = UserFactory(roles=["radiation_oncologist", "nurse", "administrator"])
    _token, raw = token_issue(user=user, name="schemathesis", scopes=["read", "write"])
    started = time.monotonic()
    figures, problems = _fire(
        schema, {"Authorization": f"Bearer {raw}"}, mode=GenerationMode.NEGATIVE
    )
    print(
        f"\nschemathesis negative: {figures['operations']} operations, {figures['cases']} cases, "
        f"{figures['5xx']} 5xx, {figures['violations']} schema violations, "
        f"{figures['no negative case']} without a negative case, "
        f"{time.monotonic() - started:.1f} s"
    )
    assert figures["cases"] >= 150
    assert not problems, "\n".join(problems[:20])
