"""Shared fixtures: users per role, signed-in clients, API clients with a bearer token."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from oncocenter.accounts.tests.factories import PASSWORD, UserFactory


@pytest.fixture(autouse=True)
def _default_language():
    """A request in Korean activates Korean in the test's thread; start and end every test in the
    default language so no test depends on the order it runs in."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


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


# --- browser tests (Playwright driving Debian's Chromium; never a downloaded browser) ----------
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def browser():
    import os
    import shutil

    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; bin/test installs Debian's chromium package")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by test code
    # around it are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from django.db import connections

    saved = {c.alias: c.__dict__.get("_test_serialized_contents") for c in connections.all()}
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        # Playwright switches to its own greenlet, where django.db.connections (a contextvar-based
        # Local) hands out a fresh wrapper without the serialized test-database contents; give it
        # back so serialized rollback still restores the reference data after live-server tests.
        for alias, contents in saved.items():
            if contents is not None:
                connections[alias]._test_serialized_contents = contents
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        viewport={"width": 1280, "height": 860}, locale="en-US", timezone_id="Asia/Seoul"
    )
    context.set_default_timeout(15_000)
    pg = context.new_page()
    pg.base_url = live_server.url
    yield pg
    context.close()


@pytest.fixture
def browser_login(page):
    """`browser_login("nurse")` signs the page in as an existing username (password demo1234 by
    default, the demo seed's), or pass `password=`."""

    def login(username: str, password: str = "demo1234"):
        page.goto(page.base_url + "/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(page.base_url + "/")
        return page

    return login


def pytest_collection_modifyitems(config, items):
    """Two global test policies.

    - Transactional tests (browser tests with a live server, concurrency tests) end with a flush
      that would also wipe the reference data data-migrations load (centers, code lists, board
      types...); serialized rollback restores it, so test order never matters.
    - Tests marked `postgres` (row locks under real concurrency) are skipped on SQLite.
    """
    from django.conf import settings

    for item in items:
        marker = item.get_closest_marker("django_db")
        kwargs = dict(marker.kwargs) if marker is not None else {}
        fixtures = getattr(item, "fixturenames", ())
        transactional = (
            kwargs.get("transaction") or "live_server" in fixtures or "transactional_db" in fixtures
        )
        if transactional and "serialized_rollback" not in kwargs:
            kwargs.update(transaction=True, serialized_rollback=True)
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)

    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: run with DATABASE_URL=postgres://...")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
