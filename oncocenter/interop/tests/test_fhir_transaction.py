"""FHIR writes: transaction and batch Bundles (POST /fhir), through the services, all or nothing."""

import json
import uuid

import pytest
from django.test import Client
from fhir.resources.R4B.bundle import Bundle

from oncocenter.accounts.services import token_issue
from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.audit.models import AuditEvent
from oncocenter.interop.fhir import resources as R
from oncocenter.labs.models import LabResult
from oncocenter.oncology.models import Diagnosis, PerformanceStatus, TnmStaging
from oncocenter.patients.models import Patient, PatientIdentifier

pytestmark = pytest.mark.django_db
FHIR = "application/fhir+json"
HOSP = "urn:oncocenter:authority:HOSP"
SNOMED = "http://snomed.info/sct"
AJCC = "http://cancerstaging.org"
ICDO3 = "http://terminology.hl7.org/CodeSystem/icd-o-3"


def urn() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def post(client, bundle, path="/fhir"):
    r = client.post(path, data=json.dumps(bundle), content_type=FHIR)
    assert r["Content-Type"].startswith(FHIR), r.content[:300]
    return r


def entry(resource, full_url=None, if_none_exist=None):
    request = {"method": "POST", "url": resource["resourceType"]}
    if if_none_exist:
        request["ifNoneExist"] = if_none_exist
    out = {"resource": resource, "request": request}
    if full_url:
        out["fullUrl"] = full_url
    return out


def patient_res(value="H900", family="KIM"):
    return {
        "resourceType": "Patient",
        "identifier": [{"system": HOSP, "value": value}],
        "name": [{"family": family, "given": ["Jisoo"]}],
        "gender": "female",
        "birthDate": "1970-05-01",
    }


def condition_res(subject):
    return {
        "resourceType": "Condition",
        "meta": {"profile": [f"{R.MCODE}/mcode-primary-cancer-condition"]},
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": "active",
                }
            ]
        },
        "verificationStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                    "code": "confirmed",
                }
            ]
        },
        "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10", "code": "C15.4"}]},
        "bodySite": [{"coding": [{"system": ICDO3, "code": "C15.4"}]}],
        "extension": [
            {
                "url": f"{R.MCODE}/mcode-histology-morphology-behavior",
                "valueCodeableConcept": {"coding": [{"system": ICDO3, "code": "8070/3"}]},
            }
        ],
        "subject": {"reference": subject},
        "onsetDateTime": "2026-10-01",
    }


def axis_res(profile, code, subject, focus):
    return {
        "resourceType": "Observation",
        "meta": {"profile": [f"{R.MCODE}/{profile}"]},
        "status": "final",
        "code": {"coding": [{"system": SNOMED, "code": "399504009"}]},
        "subject": {"reference": subject},
        "focus": [{"reference": focus}],
        "effectiveDateTime": "2026-10-05",
        "valueCodeableConcept": {"coding": [{"system": AJCC, "code": code}]},
    }


def tnm_entries(subject, focus):
    t, n, m = urn(), urn(), urn()
    group = {
        "resourceType": "Observation",
        "meta": {"profile": [f"{R.MCODE}/mcode-tnm-stage-group"]},
        "status": "final",
        "code": {"coding": [{"system": SNOMED, "code": "399537006"}]},
        "subject": {"reference": subject},
        "focus": [{"reference": focus}],
        "effectiveDateTime": "2026-10-05",
        "valueCodeableConcept": {"coding": [{"system": AJCC, "code": "III"}]},
        "hasMember": [{"reference": t}, {"reference": n}, {"reference": m}],
    }
    return [
        entry(group, urn()),
        entry(axis_res("mcode-tnm-primary-tumor-category", "cT3", subject, focus), t),
        entry(axis_res("mcode-tnm-regional-nodes-category", "cN1", subject, focus), n),
        entry(axis_res("mcode-tnm-distant-metastases-category", "cM0", subject, focus), m),
    ]


def ecog_res(subject, score=1):
    return {
        "resourceType": "Observation",
        "meta": {"profile": [f"{R.MCODE}/mcode-ecog-performance-status"]},
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "89247-1"}]},
        "subject": {"reference": subject},
        "effectiveDateTime": "2026-10-06",
        "valueInteger": score,
    }


def transaction(*entries):
    return {"resourceType": "Bundle", "type": "transaction", "entry": list(entries)}


def full_record():
    p, c = urn(), urn()
    return transaction(
        entry(patient_res(), p, if_none_exist=f"identifier={HOSP}|H900"),
        entry(condition_res(p), c),
        *tnm_entries(p, c),
        entry(ecog_res(p), urn()),
    )


def test_transaction_creates_a_record_with_references_resolved(api_as):
    api = api_as("radiation_oncologist")
    r = post(api, full_record())
    assert r.status_code == 200, r.json()
    body = r.json()
    Bundle.model_validate(body)
    assert body["type"] == "transaction-response"
    statuses = [e["response"]["status"] for e in body["entry"]]
    assert statuses == ["201 Created"] * 7
    patient = Patient.objects.get(identifiers__authority="HOSP", identifiers__value="H900")
    d = Diagnosis.objects.get(patient=patient)
    s = TnmStaging.objects.get(diagnosis=d)
    assert (s.t_category, s.n_category, s.m_category) == ("T3", "N1", "M0")
    assert PerformanceStatus.objects.get(patient=patient).score == 1
    locations = [e["response"]["location"].split("/_history/")[0] for e in body["entry"]]
    assert locations[:6] == [
        f"Patient/{patient.mrn}",
        f"Condition/diagnosis-{d.pk}",
        f"Observation/tnm-{s.pk}",
        f"Observation/tnm-{s.pk}-t",
        f"Observation/tnm-{s.pk}-n",
        f"Observation/tnm-{s.pk}-m",
    ]
    # The created resources read back with the version the response named.
    read = api.get(f"/fhir/{locations[1]}")
    assert read.status_code == 200
    assert body["entry"][1]["response"]["etag"] == read["ETag"]
    assert read.json()["subject"]["reference"] == f"Patient/{patient.mrn}"
    # Each write through its service is audited, and the bundle as a whole.
    assert AuditEvent.objects.filter(action="create", patient_mrn=patient.mrn).count() >= 4
    bundle_event = AuditEvent.objects.get(object_type="fhir.Bundle")
    assert bundle_event.detail["created"] == 7


def test_conditional_create_reuses_the_patient_kept_here(api_as):
    api = api_as("radiation_oncologist")
    assert post(api, full_record()).status_code == 200
    p = urn()
    again = transaction(
        entry(patient_res(), p, if_none_exist=f"identifier={HOSP}|H900"),
        entry(ecog_res(p, score=2), urn()),
    )
    r = post(api, again)
    assert r.status_code == 200, r.json()
    assert [e["response"]["status"] for e in r.json()["entry"]] == ["200 OK", "201 Created"]
    assert Patient.objects.count() == 1
    assert sorted(PerformanceStatus.objects.values_list("score", flat=True)) == [1, 2]


def test_a_failing_entry_rolls_back_the_whole_transaction(api_as):
    api = api_as("radiation_oncologist")
    bundle = full_record()
    bundle["entry"][6]["resource"]["valueInteger"] = 9  # ECOG is 0-5
    r = post(api, bundle)
    assert r.status_code == 422
    issue = r.json()["issue"][0]
    assert issue["expression"] == ["Bundle.entry[6].resource"]
    assert "score" in issue["diagnostics"]
    assert Patient.objects.count() == 0 and Diagnosis.objects.count() == 0
    assert TnmStaging.objects.count() == 0
    refused = AuditEvent.objects.get(object_type="fhir.Bundle")
    assert "entry 6" in refused.detail["refused"]


@pytest.mark.parametrize(
    ("mutate", "status", "where", "words"),
    [
        # A reference to a patient that is nowhere.
        (
            lambda b: b["entry"][1]["resource"].update(subject={"reference": "Patient/NOPE1"}),
            400,
            "Bundle.entry[1].resource.subject",
            "not a resource kept here",
        ),
        # A urn:uuid that is no entry's fullUrl.
        (
            lambda b: b["entry"][1]["resource"].update(subject={"reference": urn()}),
            400,
            "Bundle.entry[1].resource.subject",
            "not the fullUrl of an entry",
        ),
        # The subject points to the Condition entry: wrong type.
        (
            lambda b: b["entry"][6]["resource"].update(
                subject={"reference": b["entry"][1]["fullUrl"]}
            ),
            400,
            "Bundle.entry[6].resource.subject",
            "must reference a Patient",
        ),
        # request.url says Condition, the resource is a Patient.
        (
            lambda b: b["entry"][0]["request"].update(url="Condition"),
            400,
            "Bundle.entry[0].request.url",
            "does not match",
        ),
        # A FHIR datatype violation (birthDate is a date).
        (
            lambda b: b["entry"][0]["resource"].update(birthDate="yesterday"),
            400,
            "Bundle.entry[0].resource.birthDate",
            "",
        ),
        # Missing required: a Condition without onset.
        (
            lambda b: b["entry"][1]["resource"].pop("onsetDateTime"),
            422,
            "Bundle.entry[1].resource",
            "onsetDateTime",
        ),
        # A T category alone, not a member of any stage group.
        (
            lambda b: b["entry"][2]["resource"].update(
                hasMember=b["entry"][2]["resource"]["hasMember"][:2]
            ),
            422,
            "Bundle.entry[2].resource",
            "T, N and M",
        ),
        # Updates and deletes are not taken.
        (
            lambda b: b["entry"][6]["request"].update(method="DELETE"),
            405,
            "Bundle.entry[6].request.method",
            "only POST",
        ),
        # Two entries with one fullUrl.
        (
            lambda b: b["entry"][6].update(fullUrl=b["entry"][1]["fullUrl"]),
            400,
            "Bundle.entry[6].fullUrl",
            "also entry 1",
        ),
        # A type with no home here.
        (
            lambda b: b["entry"].append(
                entry({"resourceType": "Specimen", "subject": {"reference": "urn:x"}})
            ),
            422,
            "Bundle.entry[7].resource",
            "Specimen",
        ),
    ],
)
def test_bad_entries_are_refused_naming_entry_and_field(api_as, mutate, status, where, words):
    api = api_as("radiation_oncologist")
    bundle = full_record()
    mutate(bundle)
    r = post(api, bundle)
    assert r.status_code == status, r.json()
    issue = r.json()["issue"][0]
    assert issue["expression"] == [where], issue
    assert words in issue["diagnostics"]
    assert Patient.objects.count() == 0


def test_duplicate_conditional_creates(api_as):
    api = api_as("radiation_oncologist")
    # The same conditional create twice in one transaction.
    bundle = full_record()
    bundle["entry"].append(entry(patient_res(), urn(), if_none_exist=f"identifier={HOSP}|H900"))
    r = post(api, bundle)
    assert r.status_code == 400
    assert r.json()["issue"][0]["expression"] == ["Bundle.entry[7].request.ifNoneExist"]
    # A condition that matches two patients kept here: 412, nothing written.
    assert post(api, full_record()).status_code == 200
    assert post(api, transaction(entry(patient_res("H901", "LEE"), urn()))).status_code == 200
    r = post(api, transaction(entry(patient_res("H902"), urn(), if_none_exist="gender=female")))
    assert r.status_code == 412
    assert "matches 2" in r.json()["issue"][0]["diagnostics"]
    # A plain create of an identifier already kept here is a conflict, not a silent merge.
    r = post(api, transaction(entry(patient_res(), urn())))
    assert r.status_code == 422
    assert "ifNoneExist" in r.json()["issue"][0]["diagnostics"]
    assert PatientIdentifier.objects.filter(value="H902").count() == 0
    # A conditional that is not a search of this server.
    r = post(api, transaction(entry(patient_res("H903"), urn(), if_none_exist="shoe=42")))
    assert r.status_code == 400 and "shoe" in r.json()["issue"][0]["diagnostics"]


def test_batch_answers_each_entry(api_as):
    api = api_as("radiation_oncologist")
    assert post(api, transaction(entry(patient_res(), urn()))).status_code == 200
    mrn = Patient.objects.get().mrn
    bundle = {
        "resourceType": "Bundle",
        "type": "batch",
        "entry": [
            entry(ecog_res(f"Patient/{mrn}", 0)),
            entry(ecog_res(f"Patient/{mrn}", 7)),
            entry(ecog_res(urn(), 1)),
            entry(patient_res("H950", "CHOI"), urn()),
        ],
    }
    r = post(api, bundle)
    assert r.status_code == 200
    body = r.json()
    assert body["type"] == "batch-response"
    statuses = [e["response"]["status"] for e in body["entry"]]
    assert statuses == ["201 Created", "422", "400", "201 Created"]
    assert "score" in body["entry"][1]["response"]["outcome"]["issue"][0]["diagnostics"]
    assert (
        "batch entry may not reference"
        in (body["entry"][2]["response"]["outcome"]["issue"][0]["diagnostics"])
    )
    assert PerformanceStatus.objects.count() == 1
    assert Patient.objects.count() == 2


def test_laboratory_result_lands_in_labs(api_as):
    api = api_as("radiation_oncologist", "nurse")
    p = urn()
    lab = {
        "resourceType": "Observation",
        "status": "final",
        "category": [{"coding": [{"system": R.OBS_CATEGORY, "code": "laboratory"}]}],
        "code": {"coding": [{"system": "http://loinc.org", "code": "718-7"}]},
        "subject": {"reference": p},
        "effectiveDateTime": "2026-11-02T08:30:00+09:00",
        "valueQuantity": {
            "value": 10.5,
            "unit": "g/dL",
            "system": "http://unitsofmeasure.org",
            "code": "g/dL",
        },
        "identifier": [{"value": "ACC-77"}],
    }
    r = post(api, transaction(entry(patient_res(), p), entry(lab, urn())))
    assert r.status_code == 200, r.json()
    result = LabResult.objects.get()
    assert result.source == "fhir" and result.accession == "ACC-77"
    assert r.json()["entry"][1]["response"]["location"].startswith(f"Observation/lab-{result.pk}")


def test_permissions_and_scopes(api_as, client):
    bundle = full_record()
    # Not signed in.
    assert post(client, bundle).status_code == 401
    # Reads patients but may not create them.
    r = post(api_as("scheduler"), bundle)
    assert r.status_code == 403
    # Creates patients but may not record a diagnosis: the Condition entry is refused, all rolled back.
    r = post(api_as("nurse"), bundle)
    assert r.status_code == 403 and "diagnosis.edit" in r.json()["issue"][0]["diagnostics"]
    assert Patient.objects.count() == 0
    # A token that may only read.
    user = UserFactory(roles=["radiation_oncologist"])
    _t, raw = token_issue(user=user, name="reader", scopes=["read"])
    reader = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    r = post(reader, bundle)
    assert r.status_code == 403 and "write:fhir" in r.json()["issue"][0]["diagnostics"]
    assert reader.get("/fhir/Patient").status_code == 200
    _t, raw = token_issue(user=user, name="fhir writer", scopes=["write:fhir"])
    assert post(Client(HTTP_AUTHORIZATION=f"Bearer {raw}"), bundle).status_code == 200
    _t, raw = token_issue(user=user, name="other area", scopes=["read:labs"])
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/fhir/Patient").status_code == 403
    # A session write needs the CSRF token.
    session = Client(enforce_csrf_checks=True)
    session.force_login(user)
    assert post(session, bundle).status_code == 403


def test_bad_bodies(api_as):
    api = api_as("radiation_oncologist")
    assert post(api, {"resourceType": "Patient"}).status_code == 400
    assert post(api, {"resourceType": "Bundle", "type": "collection"}).status_code == 400
    assert post(api, {"resourceType": "Bundle", "type": "batch", "entry": {}}).status_code == 400
    r = api.post("/fhir/", data="{not json", content_type=FHIR)
    assert r.status_code == 400
    r = api.post("/fhir", data="x", content_type="text/plain")
    assert r.status_code == 415
    r = post(api, transaction(*[entry(ecog_res("Patient/X"))] * 501))
    assert r.status_code == 400 and "at most 500" in r.json()["issue"][0]["diagnostics"]
    assert post(api, transaction(["not an entry"])).status_code == 400
    assert api.get("/fhir").status_code == 405
