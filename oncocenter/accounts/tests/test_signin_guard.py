"""One guarded sign-in: the admin site goes through it; throttling is atomic, keyed by account
and address together with a progressive delay; the client address comes from trusted proxies,
rightmost first."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from oncocenter.accounts.models import LoginThrottle
from oncocenter.accounts.services import _lockout_minutes, login_check
from oncocenter.accounts.tests.factories import PASSWORD, UserFactory
from oncocenter.audit.models import AuditEvent
from oncocenter.core.errors import Throttled, ValidationFailed
from oncocenter.core.middleware import client_address


def _request(addr="10.0.0.1", xff=None):
    extra = {"HTTP_X_FORWARDED_FOR": xff} if xff else {}
    return RequestFactory().post("/accounts/login/", REMOTE_ADDR=addr, **extra)


def _fail(username, addr="10.0.0.1"):
    with pytest.raises((ValidationFailed, Throttled)) as exc:
        login_check(request=_request(addr), username=username, password="wrong-password")
    return exc.value


# --- client address ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "xff", "expected"),
    [
        (0, "6.6.6.6", "10.9.9.9"),  # no proxy trusted: the socket's address
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the client forged the leftmost value
        (1, "203.0.113.7", "203.0.113.7"),
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (1, "6.6.6.6, not-an-ip", "10.9.9.9"),
    ],
)
def test_client_address_rightmost_first(settings, proxies, xff, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_address(_request("10.9.9.9", xff)) == expected


@pytest.mark.django_db
def test_rotating_the_leftmost_value_does_not_evade_the_limit(settings, client):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.LOGIN_MAX_FAILURES = 3
    user = UserFactory(roles=["nurse"])
    codes = []
    for i in range(5):
        response = client.post(
            reverse("accounts:login"),
            {"username": user.username, "password": "nope"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}, 203.0.113.7",
        )
        codes.append(response.status_code)
    assert codes == [400, 400, 400, 429, 429]
    addresses = set(
        AuditEvent.objects.filter(action="login_failed").values_list("client_address", flat=True)
    )
    assert addresses == {"203.0.113.7"}


# --- lockout ----------------------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_ADDRESS_MAX_FAILURES=50)
def test_one_mistyping_person_does_not_lock_out_the_ward():
    typo, colleague = UserFactory(roles=["nurse"]), UserFactory(roles=["nurse"])
    for _ in range(3):
        _fail(typo.username)
    assert isinstance(_fail(typo.username), Throttled)
    # Same address (one NAT for the ward), another account: signs in.
    assert login_check(request=_request(), username=colleague.username, password=PASSWORD)
    # The locked account from another workstation: signs in too (the pair is what locked).
    assert login_check(request=_request("10.0.0.2"), username=typo.username, password=PASSWORD)


@pytest.mark.django_db
@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_ACCOUNT_MAX_FAILURES=6)
def test_guessing_one_account_from_many_addresses_locks_the_account():
    user = UserFactory(roles=["nurse"])
    for i in range(6):
        _fail(user.username, f"10.1.0.{i}")
    with pytest.raises(Throttled):
        login_check(request=_request("10.2.0.1"), username=user.username, password=PASSWORD)


@pytest.mark.django_db
@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_ADDRESS_MAX_FAILURES=5)
def test_spraying_many_accounts_from_one_address_locks_the_address():
    for i in range(5):
        _fail(f"nobody{i}")
    user = UserFactory(roles=["nurse"])
    with pytest.raises(Throttled):
        login_check(request=_request(), username=user.username, password=PASSWORD)


def test_progressive_delay_doubles_and_is_capped(settings):
    settings.LOGIN_LOCKOUT_MAX_MINUTES = 60
    assert [_lockout_minutes(n) for n in range(8)] == [1, 2, 4, 8, 16, 32, 60, 60]


@pytest.mark.django_db
@override_settings(LOGIN_MAX_FAILURES=2, LOGIN_ACCOUNT_MAX_FAILURES=99)
def test_lock_expires_and_each_further_failure_doubles_it():
    user = UserFactory(roles=["nurse"])
    _fail(user.username)
    _fail(user.username)  # the limit: locked one minute
    pair = LoginThrottle.objects.get(key=f"pair:{user.username}|10.0.0.1")
    assert 50 < (pair.locked_until - timezone.now()).total_seconds() <= 60
    LoginThrottle.objects.update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    _fail(user.username)  # one past the limit: two minutes
    pair.refresh_from_db()
    assert 110 < (pair.locked_until - timezone.now()).total_seconds() <= 120


@pytest.mark.django_db
@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_FAILURE_WINDOW_MINUTES=15)
def test_old_failures_do_not_count():
    user = UserFactory(roles=["nurse"])
    for _ in range(2):
        _fail(user.username)
    LoginThrottle.objects.update(window_start=timezone.now() - dt.timedelta(minutes=16))
    _fail(user.username)
    assert LoginThrottle.objects.get(key=f"user:{user.username}").failures == 1


@pytest.mark.django_db(transaction=True)
@override_settings(LOGIN_MAX_FAILURES=5, LOGIN_ACCOUNT_MAX_FAILURES=5)
def test_parallel_wrong_passwords_are_counted_one_by_one():
    if connection.vendor != "postgresql":
        pytest.skip("row locks under real concurrency: PostgreSQL")
    user = UserFactory(roles=["nurse"])
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt():
        from django.db import connections

        try:
            login_check(request=_request(), username=user.username, password="wrong-password")
        except ValidationFailed:
            outcome = "evaluated"
        except Throttled:
            outcome = "throttled"
        except Exception as exc:
            outcome = f"error {exc!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(set(outcomes)) == ["evaluated", "throttled"], outcomes
    assert outcomes.count("evaluated") == 5


# --- the admin site -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_login_is_the_guarded_sign_in():
    admin = UserFactory(roles=["administrator"], is_staff=True)
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": admin.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session
    response = client.post(response["Location"], {"username": admin.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert AuditEvent.objects.filter(action="login", actor_username=admin.username).exists()


@pytest.mark.django_db
@override_settings(LOGIN_MAX_FAILURES=3)
def test_admin_sign_in_is_throttled_and_audited():
    admin = UserFactory(roles=["administrator"], is_staff=True)
    client = Client()
    for _ in range(10):
        client.post(
            "/accounts/login/?next=/admin/", {"username": admin.username, "password": "nope"}
        )
    response = client.post(
        "/accounts/login/?next=/admin/", {"username": admin.username, "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="login_failed").count() == 11


@pytest.mark.django_db
def test_admin_login_for_a_signed_in_non_admin_is_403(client_as):
    assert client_as("nurse").get("/admin/login/").status_code == 403
