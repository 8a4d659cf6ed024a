import pytest
from django.urls import reverse

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.audit.models import AuditEvent
from oncocenter.patients.models import Patient
from oncocenter.patients.tests.factories import PatientCenterFactory, PatientFactory

pytestmark = pytest.mark.django_db

VALID = {
    "name_ko": "김하늘",
    "family_name_en": "KIM",
    "given_name_en": "Haneul",
    "birth_date": "1971-03-04",
    "sex": "female",
    "rrn": "710304-2123456",
    "phone": "010-1234-5678",
    "email": "",
    "address": "",
    "postal_code": "",
}


def test_search_by_hangul_partial_finds_patient_and_is_audited(client_as):
    patient = PatientFactory(name_ko="김민준")
    client = client_as("nurse")
    response = client.get(reverse("patients:search"), {"q": "민준"})
    assert response.status_code == 200
    assert patient.mrn in response.content.decode()
    event = AuditEvent.objects.filter(action="search").latest("seq")
    assert event.detail["mrns"] == [patient.mrn]
    assert event.actor_username == client.user.username
    assert event.role == "nurse"


def test_search_by_latin_partial_and_by_mrn_prefix(client_as):
    patient = PatientFactory(family_name_en="PARK", given_name_en="Jihu")
    client = client_as("scheduler")
    assert (
        patient.mrn in client.get(reverse("patients:search"), {"q": "jihu park"}).content.decode()
    )
    assert (
        patient.mrn
        in client.get(reverse("patients:search"), {"q": patient.mrn[:5]}).content.decode()
    )


def test_search_htmx_returns_partial(client_as):
    PatientFactory(name_ko="이서연")
    response = client_as("nurse").get(
        reverse("patients:search"), {"q": "서연"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()


def test_center_page_lists_only_that_centers_patients(client_as):
    inside = PatientCenterFactory().patient
    outside = PatientFactory()
    body = client_as("radiation_oncologist").get(reverse("patients:center-radonc")).content.decode()
    assert inside.mrn in body and outside.mrn not in body


def test_detail_shows_masked_rrn_and_audits_read(client_as):
    from oncocenter.patients.services import patient_create

    data = {k: v for k, v in VALID.items() if k != "rrn"}
    patient = patient_create(by=UserFactory(), **data, rrn=VALID["rrn"])
    client = client_as("radiation_oncologist")
    body = client.get(reverse("patients:detail", args=[patient.mrn])).content.decode()
    assert "710304-2******" in body
    assert "2123456" not in body
    assert AuditEvent.objects.filter(action="read", patient_mrn=patient.mrn).exists()


def test_contacts_hidden_from_teacher(client_as):
    patient = PatientFactory(phone="010-9999-8888")
    assert (
        "010-9999-8888"
        not in client_as("hospital_school_teacher")
        .get(reverse("patients:detail", args=[patient.mrn]))
        .content.decode()
    )
    assert (
        "010-9999-8888"
        in client_as("nurse").get(reverse("patients:detail", args=[patient.mrn])).content.decode()
    )


def test_create_via_form_redirects_to_new_patient(client_as):
    response = client_as("scheduler").post(reverse("patients:create"), VALID)
    assert response.status_code == 302
    patient = Patient.objects.get(name_ko="김하늘")
    assert response["Location"] == reverse("patients:detail", args=[patient.mrn])
    assert patient.rrn_masked == "710304-2******"
    assert "2123456" not in patient.rrn_encrypted


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name_ko", "Kim", "Hangul"),
        ("birth_date", "2999-01-01", "future"),
        ("rrn", "12345", "13 digits"),
        ("rrn", "710305-2123456", "birth date"),
        ("phone", "12-34", "Korean number"),
        ("postal_code", "1234", "5 digits"),
    ],
)
def test_create_form_bad_input_shows_message_beside_field_and_saves_nothing(
    client_as, field, value, message
):
    response = client_as("nurse").post(reverse("patients:create"), {**VALID, field: value})
    assert response.status_code == 422
    form = response.context["form"]
    assert any(message in e for e in form.errors[field])
    assert Patient.objects.count() == 0


def test_edit_changes_fields_and_audits(client_as):
    patient = PatientFactory()
    client = client_as("nurse")
    data = {
        **VALID,
        "rrn": "",
        "name_ko": patient.name_ko,
        "birth_date": "1960-05-17",
        "sex": "male",
        "phone": "010-2222-3333",
    }
    response = client.post(reverse("patients:edit", args=[patient.mrn]), data)
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.phone == "010-2222-3333"
    event = AuditEvent.objects.filter(action="update", patient_mrn=patient.mrn).latest("seq")
    assert "phone" in event.detail["fields"]


def test_verify_rrn_match_and_mismatch(client_as):
    from oncocenter.patients.services import patient_create

    patient = patient_create(
        by=UserFactory(), **{k: v for k, v in VALID.items() if k != "rrn"}, rrn=VALID["rrn"]
    )
    client = client_as("radiation_therapist")
    url = reverse("patients:verify-rrn", args=[patient.mrn])
    assert "Matches" in client.post(url, {"rrn": "710304-2123456"}).content.decode()
    assert "NOT match" in client.post(url, {"rrn": "710304-2123457"}).content.decode()
    assert client.post(url, {"rrn": "bad"}).status_code == 422


def test_unknown_mrn_is_404(client_as):
    assert client_as("nurse").get(reverse("patients:detail", args=["00000000"])).status_code == 404


VIEW_PERMS = [
    ("patients:search", [], "patient.search"),
    ("patients:create", [], "patient.create"),
]


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("scheduler", True),
        ("hospital_school_teacher", False),
        ("dietitian", False),
        ("nurse", True),
    ],
)
def test_create_page_allow_and_deny(client_as, role, allowed):
    response = client_as(role).get(reverse("patients:create"))
    assert response.status_code == (200 if allowed else 403)


@pytest.mark.parametrize("role", ["dietitian", "nurse"])
def test_edit_page_allow_and_deny(client_as, role):
    patient = PatientFactory()
    response = client_as(role).get(reverse("patients:edit", args=[patient.mrn]))
    assert response.status_code == (200 if role == "nurse" else 403)


@pytest.mark.parametrize("role", ["hospital_school_teacher", "dietitian"])
def test_verify_rrn_denied_to_roles_without_permission(client_as, role):
    patient = PatientFactory()
    assert (
        client_as(role)
        .post(reverse("patients:verify-rrn", args=[patient.mrn]), {"rrn": "x"})
        .status_code
        == 403
    )


def test_anonymous_is_sent_to_login(client):
    for name in ("patients:search", "patients:create", "patients:center-radonc"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
