import pytest

from oncocenter.audit.models import AuditEvent
from oncocenter.patients.models import Patient, PatientCenter
from oncocenter.patients.tests.factories import PatientCenterFactory, PatientFactory

pytestmark = pytest.mark.django_db

NEW = {
    "name_ko": "박서준",
    "family_name_en": "PARK",
    "given_name_en": "Seojun",
    "birth_date": "2015-07-01",
    "sex": "male",
    "rrn": "150701-3123456",
    "centers": ["pediatric"],
}


def test_create_read_patch_roundtrip(api_as):
    client = api_as("pediatric_oncologist")
    response = client.post("/api/patients/", NEW, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    mrn = body["mrn"]
    assert body["rrn_masked"] == "150701-3******" and body["centers"][0]["center"] == "pediatric"
    assert "rrn" not in body
    assert client.get(f"/api/patients/{mrn}").json()["name_ko"] == "박서준"
    patched = client.patch(
        f"/api/patients/{mrn}", {"phone": "010-5555-6666"}, content_type="application/json"
    )
    assert patched.status_code == 200 and patched.json()["phone"] == "010-5555-6666"
    actions = list(AuditEvent.objects.filter(patient_mrn=mrn).values_list("action", flat=True))
    assert {"create", "read", "update"} <= set(actions)


def test_mrn_has_valid_check_digit_and_is_unique(api_as):
    from oncocenter.patients.services import mrn_is_valid

    client = api_as("scheduler")
    mrns = {
        client.post("/api/patients/", {**NEW, "rrn": ""}, content_type="application/json").json()[
            "mrn"
        ]
        for _ in range(3)
    }
    assert len(mrns) == 3 and all(mrn_is_valid(m) for m in mrns)


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"birth_date": "2030-01-01"}, "birth_date"),
        ({"birth_date": "01/07/2015"}, "birth_date"),
        ({"sex": "robot"}, "sex"),
        ({"name_ko": "Park"}, "name_ko"),
        ({"rrn": "150701-1123456"}, "rrn"),
        ({"centers": ["mars"]}, "centers"),
        ({"family_name_en": ""}, "family_name_en"),
    ],
)
def test_bad_input_is_4xx_naming_field_and_saves_nothing(api_as, patch, field):
    response = api_as("nurse").post(
        "/api/patients/", {**NEW, **patch}, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["errors"]]
    assert Patient.objects.count() == 0
    assert PatientCenter.objects.count() == 0


def test_missing_field_and_malformed_json(api_as):
    client = api_as("nurse")
    response = client.post("/api/patients/", {"name_ko": "박서준"}, content_type="application/json")
    assert response.status_code == 422
    assert {"family_name_en", "birth_date"} <= {e["field"] for e in response.json()["errors"]}
    response = client.post("/api/patients/", "{not json", content_type="application/json")
    assert 400 <= response.status_code < 500


def test_duplicate_rrn_rejected(api_as):
    client = api_as("nurse")
    assert client.post("/api/patients/", NEW, content_type="application/json").status_code == 201
    response = client.post("/api/patients/", NEW, content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "rrn"
    assert Patient.objects.count() == 1


def test_search_and_center_filter(api_as):
    inside = PatientCenterFactory(patient=PatientFactory(name_ko="최수아")).patient
    PatientFactory(name_ko="최수민")
    client = api_as("nurse")
    assert len(client.get("/api/patients/", {"q": "최수"}).json()) == 2
    rows = client.get("/api/patients/", {"q": "최수", "center": "radonc"}).json()
    assert [r["mrn"] for r in rows] == [inside.mrn]
    bad = client.get("/api/patients/", {"center": "mars"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "center"


def test_contacts_only_for_permitted_roles(api_as):
    patient = PatientFactory(phone="010-1111-2222")
    assert (
        "phone" not in api_as("hospital_school_teacher").get(f"/api/patients/{patient.mrn}").json()
    )
    assert api_as("nurse").get(f"/api/patients/{patient.mrn}").json()["phone"] == "010-1111-2222"


def test_unknown_patient_404_json(api_as):
    response = api_as("nurse").get("/api/patients/99999999")
    assert response.status_code == 404 and "99999999" in response.json()["detail"]


@pytest.mark.parametrize(
    ("method", "path", "allowed", "denied"),
    [
        ("post", "/api/patients/", "scheduler", "dietitian"),
        ("patch", "/api/patients/{mrn}", "nurse", "hospital_school_teacher"),
        ("post", "/api/patients/{mrn}/verify-rrn", "radiation_therapist", "social_worker"),
        ("post", "/api/patients/{mrn}/centers", "nurse", "research_coordinator"),
    ],
)
def test_write_endpoints_allow_and_deny(api_as, method, path, allowed, denied):
    patient = PatientFactory()
    url = path.format(mrn=patient.mrn)
    payload = {"post": {"/api/patients/": NEW}}.get(method, {}).get(
        path, {"rrn": "600517-1234567", "center": "radonc"}
    )
    denied_response = getattr(api_as(denied), method)(url, payload, content_type="application/json")
    assert denied_response.status_code == 403
    assert "permission" in denied_response.json()["detail"]
    allowed_response = getattr(api_as(allowed), method)(
        url, payload, content_type="application/json"
    )
    assert allowed_response.status_code in (200, 201)


def test_verify_rrn_api(api_as):
    client = api_as("nurse")
    mrn = client.post("/api/patients/", NEW, content_type="application/json").json()["mrn"]
    assert client.post(
        f"/api/patients/{mrn}/verify-rrn",
        {"rrn": "150701-3123456"},
        content_type="application/json",
    ).json() == {"matches": True}
    assert client.post(
        f"/api/patients/{mrn}/verify-rrn",
        {"rrn": "150701-3123457"},
        content_type="application/json",
    ).json() == {"matches": False}


def test_patch_null_clears_a_contact_field_and_refuses_clearing_the_name(api_as):
    """Issue 17: `{"postal_code": null}` was a 500 (NOT NULL)."""
    from oncocenter.patients.tests.factories import PatientFactory

    patient = PatientFactory(postal_code="04510")
    client = api_as("nurse")
    response = client.patch(
        f"/api/patients/{patient.mrn}", {"postal_code": None}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    patient.refresh_from_db()
    assert patient.postal_code == ""
    response = client.patch(
        f"/api/patients/{patient.mrn}",
        {"name_ko": None, "birth_date": None},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["birth_date", "name_ko"]


def test_verify_rrn_is_not_an_oracle(api_as, settings, caplog):
    """Issue 17: 200 wrong guesses were answered at 15.6/s. Now the limit per user and per
    patient refuses further checks (429), and reaching it raises an alert."""
    settings.RRN_CHECK_MAX_MISSES = 5
    client = api_as("nurse")
    mrn = client.post("/api/patients/", NEW, content_type="application/json").json()["mrn"]
    url = f"/api/patients/{mrn}/verify-rrn"
    codes = [
        client.post(url, {"rrn": f"150701-31234{n:02d}"}, content_type="application/json")
        for n in range(10, 30)
    ]
    assert [c.status_code for c in codes] == [200] * 5 + [429] * 15
    assert "security alert" in caplog.text
    assert AuditEvent.objects.filter(detail__alert="rrn_check_misses").count() == 1
    assert AuditEvent.objects.filter(detail__rrn_check_refused=True).count() == 15
    # The right number is refused too while the limit holds (no oracle), for anyone.
    other = api_as("nurse")
    right = other.post(url, {"rrn": "150701-3123456"}, content_type="application/json")
    assert right.status_code == 429
