import pytest
from django.test import Client

from oncocenter.portal.tests.factories import STRONG


@pytest.fixture
def portal_client(db):
    """`portal_client(username)` -> a client signed in on the portal's own sign-in page."""

    def make(username: str, password: str = STRONG) -> Client:
        client = Client()
        response = client.post("/portal/sign-in/", {"username": username, "password": password})
        assert response.status_code == 302, response.content.decode()[:500]
        return client

    return make
