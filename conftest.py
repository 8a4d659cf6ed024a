"""Shared fixtures: users per role, signed-in clients, API clients with a bearer token."""

from __future__ import annotations

import pytest
from django.test import Client

from oncocenter.accounts.tests.factories import PASSWORD, UserFactory


@pytest.fixture
def make_user(db):
    def make(*roles: str, **kwargs):
        return UserFactory(roles=list(roles), **kwargs)

    return make


@pytest.fixture
def client_as(db):
    """`client_as("nurse")` -> a Django test client signed in as a new user with that role."""

    def make(*roles: str, user=None) -> Client:
        user = user or UserFactory(roles=list(roles))
        client = Client()
        client.force_login(user)
        client.user = user
        return client

    return make


@pytest.fixture
def api_as(db):
    """`api_as("nurse")` -> a client that sends a bearer token for a new user with that role."""
    from oncocenter.accounts.services import token_issue

    def make(*roles: str, user=None) -> Client:
        user = user or UserFactory(roles=list(roles))
        _token, raw = token_issue(user=user, name="test")
        client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        client.user = user
        return client

    return make


@pytest.fixture
def password() -> str:
    return PASSWORD
