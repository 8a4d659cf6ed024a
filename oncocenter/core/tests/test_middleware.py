"""One way from a domain error to a page: 403 / 404 / 409 / 422 in the shell, never a 500."""

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("oncocenter.core.tests.error_urls")]


@pytest.mark.parametrize(
    ("url", "status", "text"),
    [
        ("/raise/forbidden/", 403, "rt.plan.approve"),
        ("/raise/credential/", 403, "current radiation oncology specialist credential"),
        ("/raise/not-found/", 404, "Course 99 does not exist."),
        ("/raise/http404/", 404, "This page or record does not exist."),
        ("/raise/conflict/", 409, "The plan is not approved."),
        ("/raise/invalid/", 422, "Dose/fx"),
    ],
)
def test_domain_errors_become_pages_in_the_shell(client_as, url, status, text):
    client = client_as("nurse")
    response = client.get(url)
    assert response.status_code == status
    body = response.content.decode()
    assert text in body
    assert 'class="sidenav"' in body  # the shell, with its navigation
    assert body.count("<html") == 1


def test_htmx_gets_a_fragment_retargeted_to_main(client_as):
    client = client_as("nurse")
    response = client.get("/raise/conflict/", HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert response["HX-Retarget"] == "#main"
    assert response["HX-Reswap"] == "innerHTML"
    body = response.content.decode()
    assert "<html" not in body and "The plan is not approved." in body


def test_error_pages_speak_korean(client_as):
    client = client_as("nurse")
    response = client.get("/raise/http404/", HTTP_ACCEPT_LANGUAGE="ko")
    assert "이 페이지나 기록이 없습니다." in response.content.decode()


def test_other_exceptions_are_left_to_django(client_as):
    client = client_as("nurse")
    client.raise_request_exception = False
    assert client.get("/raise/crash/").status_code == 500


def test_the_api_keeps_its_problem_json(api_as):
    response = api_as("nurse").get("/api/radiotherapy/courses/999999")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["status"] == 404
