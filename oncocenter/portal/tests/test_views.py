"""Portal pages: separate sign-in, own or child's records only (every other patient id tried),
every read audited; staff pages: allow and deny per role."""

from __future__ import annotations

import pytest
from django.test import Client

from oncocenter.audit.models import AuditEvent
from oncocenter.core.permissions import roles_with
from oncocenter.core.roles import Role
from oncocenter.patients.models import Patient
from oncocenter.patients.tests.factories import PatientFactory
from oncocenter.portal import services
from oncocenter.portal.models import ChangeRequest, SymptomAlert
from oncocenter.portal.tests.factories import (
    STRONG,
    adult_with_account,
    care_nurse,
    guardian_with_account,
)

pytestmark = pytest.mark.django_db

PATIENT_PAGES = (
    "",
    "symptoms/",
    "eating/",
    "thanks/",
    "results/",
    "documents/record.html",
    "documents/care-plan.pdf",
    "documents/cost.html",
    "documents/record.json",
    "discharge/1.pdf",
    "sharing/",
)


def test_portal_pages_need_the_portal_sign_in():
    portal = adult_with_account()
    response = Client().get(f"/portal/p/{portal.patient.pk}/")
    assert response.status_code == 302 and "/portal/sign-in/" in response["Location"]


@pytest.mark.parametrize("role", sorted(Role.values))
def test_no_staff_role_opens_a_portal_page(client_as, role):
    portal = adult_with_account()
    client = client_as(role)
    for page in PATIENT_PAGES:
        response = client.get(f"/portal/p/{portal.patient.pk}/{page}")
        assert response.status_code == 302 and "/portal/sign-in/" in response["Location"]


def test_a_portal_session_opens_no_staff_page(portal_client):
    portal = adult_with_account()
    client = portal_client(portal.username)
    for url in (f"/patients/{portal.patient.mrn}/", "/", "/portal/staff/alerts/", "/api/patients/"):
        response = client.get(url)
        assert response.status_code in (302, 401), url
        if response.status_code == 302:
            assert "/accounts/login/" in response["Location"]


def test_staff_sign_in_page_refuses_a_portal_account():
    adult_with_account()
    client = Client()
    response = client.post("/accounts/login/", {"username": "minjun", "password": STRONG})
    assert response.status_code != 302
    assert "_auth_user_id" not in client.session


def test_own_record_opens_and_every_other_patient_id_is_refused(portal_client):
    mine = adult_with_account("mine1")
    others = [adult_with_account(f"other{i}").patient for i in range(3)]
    child = guardian_with_account("guard1").patient
    extra = [PatientFactory() for _i in range(3)]
    client = portal_client("mine1")
    assert client.get(f"/portal/p/{mine.patient.pk}/").status_code == 200
    ids = sorted(set(Patient.objects.values_list("pk", flat=True)) | {0, 999_999})
    tried = 0
    for pid in ids:
        if pid == mine.patient.pk:
            continue
        for page in PATIENT_PAGES:
            response = client.get(f"/portal/p/{pid}/{page}")
            assert response.status_code == 403, (pid, page)
            tried += 1
        assert client.post(f"/portal/p/{pid}/symptoms/", {}).status_code == 403
        assert client.post(f"/portal/p/{pid}/change/", {"appointment_key": "x"}).status_code == 403
        tried += 2
    assert tried == (len(ids) - 1) * (len(PATIENT_PAGES) + 2)
    print(f"portal access: {tried} requests for other patients' ids refused and audited")
    assert len(others) + len(extra) + 1 <= len(ids)
    denied = AuditEvent.objects.filter(object_type="portal.denied", actor_username="portal:mine1")
    assert denied.count() == tried
    assert child.pk in {int(e.object_id) for e in denied}


def test_guardian_sees_the_child_and_nobody_else(portal_client):
    portal = guardian_with_account("guard2")
    other_child = guardian_with_account("guard3").patient
    client = portal_client("guard2")
    # One child: the home page goes straight to the child's page.
    home = client.get("/portal/")
    assert home.status_code == 302 and home["Location"] == f"/portal/p/{portal.patient.pk}/"
    page = client.get(f"/portal/p/{portal.patient.pk}/")
    assert page.status_code == 200 and portal.patient.name_ko in page.content.decode()
    assert client.get(f"/portal/p/{other_child.pk}/").status_code == 403


def test_every_portal_read_is_audited(portal_client):
    portal = adult_with_account("reader1")
    client = portal_client("reader1")
    before = AuditEvent.objects.filter(actor_username="portal:reader1").count()
    for page in ("", "symptoms/", "documents/record.html", "documents/followup.pdf"):
        assert client.get(f"/portal/p/{portal.patient.pk}/{page}").status_code == 200
    events = AuditEvent.objects.filter(actor_username="portal:reader1").order_by("seq")[before:]
    assert [e.object_type for e in events] == [
        "portal.overview",
        "portal.questionnaire",
        "portal.document.record",
        "portal.document.followup",
    ]
    assert all(e.patient_id == portal.patient.pk for e in events)


def test_portal_is_korean_by_default_and_switches_to_english(portal_client):
    portal = adult_with_account("lang1")
    client = portal_client("lang1")
    page = client.get(f"/portal/p/{portal.patient.pk}/").content.decode()
    assert 'lang="ko"' in page and "다음 예약" in page
    client.get("/portal/language/en/")
    page = client.get(f"/portal/p/{portal.patient.pk}/").content.decode()
    assert 'lang="en"' in page and "Next appointments" in page


def test_sign_in_page_is_throttled_and_audited():
    adult_with_account("thr1")
    client = Client()
    for _i in range(services.SIGNIN_MAX_FAILURES):
        r = client.post("/portal/sign-in/", {"username": "thr1", "password": "bad-password-1"})
        assert r.status_code == 422
    r = client.post("/portal/sign-in/", {"username": "thr1", "password": STRONG})
    assert r.status_code == 429


def test_activation_page_signs_the_person_in(make_user):
    issued = services.portal_account_create(by=make_user("nurse"), patient=PatientFactory())
    client = Client()
    r = client.post(
        "/portal/activate/",
        {"code": issued.code, "username": "newbie", "password": STRONG, "password2": STRONG},
    )
    assert r.status_code == 302
    assert client.get(r["Location"], follow=True).status_code == 200
    bad = Client().post(
        "/portal/activate/",
        {"code": issued.code, "username": "again", "password": STRONG, "password2": STRONG},
    )
    assert bad.status_code == 422 and "활성화 코드" in bad.content.decode()


def test_symptom_page_raises_an_alert_and_sign_out_ends_the_session(portal_client):
    portal = adult_with_account("sym1")
    care_nurse(portal.patient)
    client = portal_client("sym1")
    from oncocenter.portal import epro

    form = {epro.answer_key(i.code, a): "1" for i in epro.ITEMS for a in i.attributes}
    form["mucositis.severity"] = "4"
    r = client.post(f"/portal/p/{portal.patient.pk}/symptoms/", form)
    assert r.status_code == 302
    assert SymptomAlert.objects.get(patient=portal.patient).status == "open"
    form["pain.frequency"] = "0"  # severity and interference then must stay empty
    r = client.post(f"/portal/p/{portal.patient.pk}/symptoms/", form)
    assert r.status_code == 422
    client.post("/portal/sign-out/")
    assert client.get(f"/portal/p/{portal.patient.pk}/").status_code == 302


def test_change_request_only_for_own_listed_appointments(portal_client):
    portal = adult_with_account("chg1")
    client = portal_client("chg1")
    r = client.post(
        f"/portal/p/{portal.patient.pk}/change/",
        {"appointment_key": "clinic:424242", "reason": "x"},
    )
    assert r.status_code == 403 and not ChangeRequest.objects.exists()


# --- staff pages ------------------------------------------------------------------------------


STAFF_PAGES = [
    ("epro.view", "/portal/staff/alerts/"),
    ("portal.requests", "/portal/staff/requests/"),
]


@pytest.mark.parametrize("role", sorted(Role.values))
@pytest.mark.parametrize(("perm", "url"), STAFF_PAGES)
def test_staff_pages_allow_and_deny_by_role(client_as, role, perm, url):
    response = client_as(role).get(url)
    assert response.status_code == (200 if role in roles_with(perm) else 403)


@pytest.mark.parametrize("role", sorted(Role.values))
def test_alert_page_and_acknowledge_by_role(client_as, role):
    portal = adult_with_account()
    from oncocenter.portal.tests.test_services import answers

    _s, alert = services.pro_submit(
        account=portal.account,
        patient=portal.patient,
        instrument_code="symptoms-weekly",
        answers=answers(mucositis__severity=3),
    )
    client = client_as(role)
    assert client.get(f"/portal/staff/alerts/{alert.pk}/").status_code == (
        200 if role in roles_with("epro.view") else 403
    )
    r = client.post(f"/portal/staff/alerts/{alert.pk}/acknowledge/")
    if role in roles_with("epro.handle"):
        assert r.status_code == 302
        alert.refresh_from_db()
        assert alert.status == "acknowledged" and alert.acknowledged_by == client.user
    else:
        assert r.status_code == 403
        alert.refresh_from_db()
        assert alert.status == "open"


@pytest.mark.parametrize("role", sorted(Role.values))
def test_issue_code_by_role(client_as, role):
    patient = PatientFactory()
    client = client_as(role)
    assert client.get(f"/portal/staff/patients/{patient.pk}/").status_code == (
        200 if role in roles_with("portal.manage") else 403
    )
    r = client.post(
        f"/portal/staff/patients/{patient.pk}/code/", {"holder": "patient", "language": "ko"}
    )
    if role in roles_with("portal.manage"):
        assert r.status_code == 200 and 'id="activation-code"' in r.content.decode()
    else:
        assert r.status_code == 403


def test_close_without_outcome_is_refused_with_the_field(client_as):
    portal = adult_with_account()
    from oncocenter.portal.tests.test_services import answers

    _s, alert = services.pro_submit(
        account=portal.account,
        patient=portal.patient,
        instrument_code="symptoms-weekly",
        answers=answers(pain__severity=4),
    )
    client = client_as("nurse")
    r = client.post(f"/portal/staff/alerts/{alert.pk}/close/", {"outcome": ""})
    assert r.status_code == 422
    r = client.post(
        f"/portal/staff/alerts/{alert.pk}/close/", {"outcome": "advice", "note": "전화 상담"}
    )
    assert r.status_code == 302
    alert.refresh_from_db()
    assert alert.status == "closed" and alert.outcome == "advice"


def test_worklist_query_count_does_not_grow(client_as, django_assert_max_num_queries):
    from oncocenter.portal.tests.test_services import answers

    client = client_as("nurse")

    def make(n: int) -> None:
        for i in range(n):
            portal = adult_with_account(f"q{SymptomAlert.objects.count()}x{i}")
            services.pro_submit(
                account=portal.account,
                patient=portal.patient,
                instrument_code="symptoms-weekly",
                answers=answers(pain__severity=4),
            )

    make(2)
    with django_assert_max_num_queries(20):
        assert client.get("/portal/staff/alerts/").status_code == 200
    make(18)
    with django_assert_max_num_queries(20):
        assert client.get("/portal/staff/alerts/").status_code == 200


def test_message_settings_opt_out_and_back_in(portal_client):
    from oncocenter.notifications.models import OptOut

    portal = adult_with_account("pref1")
    client = portal_client("pref1")
    page = client.get("/portal/settings/").content.decode()
    assert "pref1@example.org" in page and page.count('type="checkbox"') == 3
    r = client.post("/portal/settings/", {"categories": ["followup"]})
    assert r.status_code == 302
    assert set(OptOut.objects.values_list("category", flat=True)) == {"reminder", "questionnaire"}
    assert services.message_preferences(portal.account) == {
        "reminder": False,
        "followup": True,
        "questionnaire": False,
    }
    client.post("/portal/settings/", {"categories": ["reminder", "followup", "questionnaire"]})
    assert not OptOut.objects.exists()
    assert client.post("/portal/settings/", {"categories": ["staff_alert"]}).status_code == 422


def test_patient_page_links_portal_access_for_those_who_manage_it(client_as):
    portal = adult_with_account("sect1")
    page = client_as("scheduler").get(f"/patients/{portal.patient.mrn}/").content.decode()
    assert f"/portal/staff/patients/{portal.patient.pk}/" in page and "sect1" not in page
    page = client_as("dietitian").get(f"/patients/{portal.patient.mrn}/").content.decode()
    assert "/portal/staff/patients/" not in page


def test_nurse_home_panel_lists_open_alerts(client_as):
    from oncocenter.portal.tests.test_services import answers

    portal = adult_with_account("panel1")
    _s, alert = services.pro_submit(
        account=portal.account,
        patient=portal.patient,
        instrument_code="symptoms-weekly",
        answers=answers(mucositis__severity=3),
    )
    page = client_as("nurse").get("/").content.decode()
    assert f"/portal/staff/alerts/{alert.pk}/" in page
    assert (
        f"/portal/staff/alerts/{alert.pk}/" not in client_as("dietitian").get("/").content.decode()
    )


@pytest.mark.parametrize("role", sorted(Role.values))
def test_handling_a_change_request_and_closing_an_alert_by_role(client_as, role):
    from oncocenter.portal.tests.test_services import answers

    portal = adult_with_account()
    request = services.change_request_create(
        account=portal.account,
        patient=portal.patient,
        appointment_key="clinic:1",
        appointment_label="외래 2027-03-02",
        reason="출장",
    )
    _s, alert = services.pro_submit(
        account=portal.account,
        patient=portal.patient,
        instrument_code="symptoms-weekly",
        answers=answers(pain__severity=4),
    )
    client = client_as(role)
    r = client.post(f"/portal/staff/requests/{request.pk}/", {"status": "done"})
    request.refresh_from_db()
    if role in roles_with("portal.requests"):
        assert r.status_code == 302 and request.status == "done"
    else:
        assert r.status_code == 403 and request.status == "open"
    r = client.post(f"/portal/staff/alerts/{alert.pk}/close/", {"outcome": "advice"})
    alert.refresh_from_db()
    if role in roles_with("epro.handle"):
        assert r.status_code == 302 and alert.status == "closed"
    else:
        assert r.status_code == 403 and alert.status == "open"
