import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.operationoutcome import OperationOutcome

from oncocenter.audit.models import AuditEvent
from oncocenter.patients.services import patient_identifier_add
from oncocenter.patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db
FHIR = "application/fhir+json"


def get(client, url, **headers):
    response = client.get(url, **headers)
    assert response["Content-Type"].startswith(FHIR), response.content[:200]
    return response


def test_capability_statement_lists_what_is_served(client):
    body = get(client, "/fhir/metadata").json()
    cs = CapabilityStatement.model_validate(body)
    types = {r.type for r in cs.rest[0].resource}
    assert {
        "Patient",
        "Condition",
        "Observation",
        "Procedure",
        "Practitioner",
        "Appointment",
    } <= types
    patient = next(r for r in body["rest"][0]["resource"] if r["type"] == "Patient")
    assert {"identifier", "birthdate", "name"} <= {p["name"] for p in patient["searchParam"]}


def test_unauthenticated_and_denied_get_operation_outcomes(api_as, client, record):
    r = get(client, "/fhir/Patient")
    assert r.status_code == 401 and r["WWW-Authenticate"].startswith("Bearer")
    OperationOutcome.model_validate(r.json())
    r = get(api_as("hospital_school_teacher"), "/fhir/Condition")
    assert r.status_code == 403
    assert "oncology.view" in r.json()["issue"][0]["diagnostics"]
    # Issue 17: teachers see their students only on the school pages, not patient records.
    assert (
        get(api_as("hospital_school_teacher"), f"/fhir/Patient/{record['patient'].mrn}").status_code
        == 403
    )
    assert get(api_as("scheduler"), f"/fhir/Patient/{record['patient'].mrn}").status_code == 200


def test_read_with_etag_and_vread_and_audit(api_as, record):
    api = api_as("radiation_oncologist")
    mrn = record["patient"].mrn
    r = get(api, f"/fhir/Condition/diagnosis-{record['diagnosis'].pk}")
    assert r.status_code == 200
    condition = Condition.model_validate(r.json())
    assert condition.stage[0].assessment[0].reference == f"Observation/tnm-{record['staging'].pk}"
    vid = r.json()["meta"]["versionId"]
    assert r["ETag"] == f'W/"{vid}"'
    assert (
        api.get(
            f"/fhir/Condition/diagnosis-{record['diagnosis'].pk}", HTTP_IF_NONE_MATCH=f'W/"{vid}"'
        ).status_code
        == 304
    )
    assert (
        get(api, f"/fhir/Condition/diagnosis-{record['diagnosis'].pk}/_history/{vid}").status_code
        == 200
    )
    old = get(api, f"/fhir/Condition/diagnosis-{record['diagnosis'].pk}/_history/1")
    assert old.status_code == 404 and "has no version 1" in old.json()["issue"][0]["diagnostics"]
    assert get(api, "/fhir/Condition/diagnosis-999999").status_code == 404
    assert (
        AuditEvent.objects.filter(
            action="read", patient_mrn=mrn, object_type="fhir.Condition"
        ).count()
        == 2
    )


def test_secondary_condition_points_to_the_primary(api_as, record):
    body = get(
        api_as("radiation_oncologist"), f"/fhir/Condition/diagnosis-{record['secondary'].pk}"
    ).json()
    ext = {e["url"].rsplit("/", 1)[1]: e for e in body["extension"]}
    assert (
        ext["mcode-related-primary-cancer-condition"]["valueReference"]["reference"]
        == f"Condition/diagnosis-{record['diagnosis'].pk}"
    )


def test_tnm_categories_are_their_own_observations(api_as, record):
    api = api_as("radiation_oncologist")
    mrn = record["patient"].mrn
    body = get(
        api,
        f"/fhir/Observation?patient={mrn}&code=http://snomed.info/sct|399537006&_include=Observation:has-member",
    ).json()
    Bundle.model_validate(body)
    matches = [e["resource"] for e in body["entry"] if e["search"]["mode"] == "match"]
    included = [e["resource"] for e in body["entry"] if e["search"]["mode"] == "include"]
    assert [m["id"] for m in matches] == [f"tnm-{record['staging'].pk}"]
    assert sorted(i["valueCodeableConcept"]["coding"][0]["code"] for i in included) == [
        "cM0",
        "cN1",
        "cT3",
    ]
    assert all(
        e["fullUrl"].endswith(f"/fhir/Observation/{e['resource']['id']}") for e in body["entry"]
    )


def test_observation_search_by_code_category_and_date(api_as, record):
    api = api_as("nurse")
    mrn = record["patient"].mrn
    ecog = get(api, f"/fhir/Observation?subject=Patient/{mrn}&code=http://loinc.org|89247-1").json()
    assert [e["resource"]["valueInteger"] for e in ecog["entry"]] == [1]
    labs = get(api, f"/fhir/Observation?patient={mrn}&category=laboratory").json()
    assert {e["resource"]["id"] for e in labs["entry"]} == {f"marker-{record['marker'].pk}"}
    day = record["status"].observed_on
    recent = get(api, f"/fhir/Observation?patient={mrn}&date=ge{day.isoformat()}").json()
    assert [e["resource"]["id"] for e in recent["entry"]] == [f"status-{record['status'].pk}"]
    older = get(api, f"/fhir/Observation?patient={mrn}&date=lt{day.isoformat()}").json()
    assert older["total"] == 4 + 1 + 1  # TNM (4) + ECOG + CEA
    assert get(api, f"/fhir/Observation?patient={mrn}&date=2024-13").status_code == 400


def test_patient_search_by_identifier_name_and_paging(api_as, record):
    api = api_as("scheduler")
    p = record["patient"]
    patient_identifier_add(patient=p, by=record["by"], authority="HOSP", value="H-0042")
    body = get(api, "/fhir/Patient?identifier=urn:oncocenter:authority:HOSP|H-0042").json()
    assert [e["resource"]["id"] for e in body["entry"]] == [p.mrn]
    assert get(api, f"/fhir/Patient?identifier=urn:oncocenter:mrn|{p.mrn}").json()["total"] == 1
    assert get(api, "/fhir/Patient?name=minsu").json()["total"] == 1
    for _ in range(4):
        PatientFactory(family_name_en="PARKER")
    page = get(api, "/fhir/Patient?family=PARK&_count=2").json()
    assert page["total"] == 5 and len(page["entry"]) == 2
    nxt = next(link["url"] for link in page["link"] if link["relation"] == "next")
    page2 = get(api, nxt.split("testserver")[1]).json()
    assert len(page2["entry"]) == 2
    assert not {e["resource"]["id"] for e in page["entry"]} & {
        e["resource"]["id"] for e in page2["entry"]
    }
    assert get(api, "/fhir/Patient?shoe-size=12").status_code == 400
    assert get(api, "/fhir/Patient?name:contains=x").status_code == 400


def test_search_is_audited_with_the_patients_shown(api_as, record):
    get(api_as("nurse"), f"/fhir/Observation?patient={record['patient'].mrn}")
    event = AuditEvent.objects.filter(action="search", object_type="fhir.Observation").last()
    assert event.detail["mrns"] == [record["patient"].mrn]


def test_everything_returns_the_record(api_as, record):
    body = get(
        api_as("radiation_oncologist"), f"/fhir/Patient/{record['patient'].mrn}/$everything"
    ).json()
    Bundle.model_validate(body)
    types = sorted(e["resource"]["resourceType"] for e in body["entry"])
    assert (
        types.count("Condition") == 2
        and types.count("Observation") == 7
        and types.count("Patient") == 1
    )
    assert AuditEvent.objects.filter(action="export", patient_mrn=record["patient"].mrn).exists()


@pytest.mark.parametrize("n", [2, 20])
def test_search_queries_do_not_grow_with_rows(api_as, django_assert_max_num_queries, n, record):
    from oncocenter.oncology import services as onc

    for i in range(n):
        onc.performance_record(
            patient=record["patient"],
            by=record["by"],
            scale="ecog",
            score=i % 5,
            observed_on=record["ps"].observed_on,
        )
    api = api_as("radiation_oncologist")
    with django_assert_max_num_queries(40):
        body = get(api, f"/fhir/Observation?patient={record['patient'].mrn}&_count=200").json()
    assert body["total"] == 4 + 1 + n + 1 + 1


@pytest.mark.parametrize(
    "resource_type",
    [
        "Patient",
        "Condition",
        "Observation",
        "Procedure",
        "Appointment",
        "Encounter",
        "CarePlan",
        "Practitioner",
    ],
)
def test_every_role_gets_what_the_permission_table_says(api_as, resource_type):
    from oncocenter.core.permissions import roles_with
    from oncocenter.core.roles import Role
    from oncocenter.interop.fhir import server

    allowed = set().union(*(roles_with(s.permission) for s in server.SOURCES[resource_type]))
    for role in Role.values:
        status = api_as(role).get(f"/fhir/{resource_type}?_count=1").status_code
        assert status == (200 if role in allowed else 403), (role, resource_type, status)


def test_admissions_and_followup_plans_are_encounters_and_careplans(api_as, record):
    import datetime as dt

    from django.utils import timezone

    from oncocenter.clinics.services.admissions import admission_admit, ward_create
    from oncocenter.followup import services as fu
    from oncocenter.followup.models import ProtocolTemplate, TemplateKind

    p = record["patient"]
    ward = ward_create(by=record["by"], code="W5", name="Ward 5", beds=2)
    admission_admit(
        by=record["by"],
        patient=p,
        ward=ward,
        admitted_at=timezone.now() - dt.timedelta(hours=3),
        reason="pain",
    )
    template = ProtocolTemplate.objects.filter(kind=TemplateKind.PROTOCOL).first()
    fu.followup_plan_generate(
        by=record["by"],
        patient=p,
        template=template,
        treatment_end=timezone.localdate() - dt.timedelta(days=1),
    )
    api = api_as("nurse")
    enc = get(api, f"/fhir/Encounter?patient={p.mrn}&status=in-progress").json()
    assert [e["resource"]["class"]["code"] for e in enc["entry"]] == ["IMP"]
    assert enc["entry"][0]["resource"]["location"][0]["location"]["display"] == "Ward 5 01"
    plans = get(api, f"/fhir/CarePlan?patient={p.mrn}&status=active").json()
    assert plans["total"] == 1 and plans["entry"][0]["resource"]["title"] == template.name_en
    everything = get(api_as("radiation_oncologist"), f"/fhir/Patient/{p.mrn}/$everything").json()
    assert {"Encounter", "CarePlan"} <= {e["resource"]["resourceType"] for e in everything["entry"]}
