"""Every role against every clinical-core (issue 3) page and endpoint: allowed exactly when the
permission table grants it, 403 otherwise, never a 500. Writes: every POST endpoint refuses a
role without its permission before reading the body."""

import pytest
from django.test import Client

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.core.permissions import roles_with
from oncocenter.core.roles import Role
from oncocenter.mdt.tests.factories import MeetingFactory
from oncocenter.oncology.tests.factories import DiagnosisFactory, WorkupOrderFactory
from oncocenter.referrals.services import referral_create
from oncocenter.trials.tests.factories import StudyFactory

pytestmark = pytest.mark.django_db

SURFACE = [
    ("ui", "/oncology/patients/{mrn}/", "oncology.view"),
    ("ui", "/oncology/patients/{mrn}/chart/", "oncology.view"),
    ("ui", "/oncology/patients/{mrn}/record/", "record.view"),
    ("ui", "/oncology/workup/", "workup.view"),
    ("ui", "/oncology/codes/?list=icd10&q=C1", "oncology.view"),
    ("ui", "/oncology/copay-expiring/", "copay.manage"),
    ("ui", "/referrals/", "referral.view"),
    ("ui", "/referrals/patients/{mrn}/new/", "referral.create"),
    ("ui", "/mdt/", "mdt.view"),
    ("ui", "/mdt/meetings/{meeting}/", "mdt.view"),
    ("ui", "/trials/", "trial.view"),
    ("ui", "/trials/{study}/", "trial.view"),
    ("api", "/api/oncology/codes/icd10?q=C1", "oncology.view"),
    ("api", "/api/oncology/patients/{mrn}/diagnoses", "oncology.view"),
    ("api", "/api/oncology/patients/{mrn}/timeline", "oncology.view"),
    ("api", "/api/oncology/patients/{mrn}/performance", "oncology.view"),
    ("api", "/api/oncology/patients/{mrn}/markers", "oncology.view"),
    ("api", "/api/oncology/patients/{mrn}/treatments", "oncology.view"),
    ("api", "/api/oncology/patients/{mrn}/workup", "workup.view"),
    ("api", "/api/oncology/diagnoses/{diagnosis}/fhir", "oncology.view"),
    ("api", "/api/oncology/workup?department=radiology", "workup.view"),
    ("api", "/api/oncology/workup/turnaround", "workup.view"),
    ("api", "/api/referrals/worklist/nutrition", "referral.view"),
    ("api", "/api/referrals/turnaround", "referral.view"),
    ("api", "/api/mdt/meetings/{meeting}", "mdt.view"),
    ("api", "/api/mdt/board-to-treatment", "mdt.view"),
    ("api", "/api/trials/studies", "trial.view"),
    ("api", "/api/trials/studies/{study}/prescreen", "trial.screen"),
    ("api", "/api/trials/studies/{study}/screening-log", "trial.screen"),
    ("api", "/api/patients/copay/expiring", "copay.manage"),
]

WRITES = [
    ("/api/oncology/patients/{mrn}/diagnoses", "diagnosis.edit"),
    ("/api/oncology/diagnoses/{diagnosis}/stagings", "staging.edit"),
    ("/api/oncology/diagnoses/{diagnosis}/statuses", "observation.record"),
    ("/api/oncology/patients/{mrn}/performance", "observation.record"),
    ("/api/oncology/patients/{mrn}/markers", "observation.record"),
    ("/api/oncology/patients/{mrn}/treatments", "treatment.record"),
    ("/api/oncology/patients/{mrn}/workup", "workup.order"),
    ("/api/oncology/workup/{order}/advance", "workup.result"),
    ("/api/referrals/patients/{mrn}", "referral.create"),
    ("/api/referrals/{referral}/advance", "referral.respond"),
    ("/api/mdt/meetings", "mdt.manage"),
    ("/api/mdt/meetings/{meeting}/attendance", "mdt.manage"),
    ("/api/mdt/meetings/{meeting}/cases", "mdt.manage"),
    ("/api/mdt/cases/1/recommendation", "mdt.recommend"),
    ("/api/trials/studies", "trial.manage"),
    ("/api/trials/studies/{study}/screening-log", "trial.screen"),
    ("/api/trials/studies/{study}/enrollments", "trial.enroll"),
    ("/api/trials/enrollments/1/withdraw", "trial.enroll"),
    ("/api/patients/{mrn}/guardians", "record.edit"),
    ("/api/patients/{mrn}/consents", "consent.record"),
    ("/api/patients/{mrn}/care-team", "record.edit"),
    ("/api/patients/{mrn}/copay", "copay.manage"),
]


def _objects():
    d = DiagnosisFactory()
    return {
        "mrn": d.patient.mrn,
        "diagnosis": d.pk,
        "meeting": MeetingFactory().pk,
        "study": StudyFactory().pk,
        "order": WorkupOrderFactory(patient=d.patient).pk,
        "referral": referral_create(
            by=UserFactory(),
            patient=d.patient,
            from_department="nursing",
            to_department="nutrition",
            reason="x",
        ).pk,
    }


def _clients(role):
    from oncocenter.accounts.services import token_issue

    user = UserFactory(roles=[role])
    ui = Client()
    ui.force_login(user)
    _token, raw = token_issue(user=user, name="matrix")
    return ui, Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.mark.parametrize("role", Role.values)
def test_every_clinical_view_and_endpoint_for_role(role):
    ids = _objects()
    ui, api = _clients(role)
    failures = []
    for kind, template, perm in SURFACE:
        path = template.format(**ids)
        response = (ui if kind == "ui" else api).get(path)
        expected = 200 if role in roles_with(perm) else 403
        if response.status_code != expected:
            failures.append(f"{path}: {response.status_code} (expected {expected} for {perm})")
    assert not failures, failures


@pytest.mark.parametrize(("template", "perm"), WRITES)
def test_every_write_endpoint_denies_roles_without_permission(template, perm):
    ids = _objects()
    denied = next(r for r in Role.values if r not in roles_with(perm))
    _ui, api = _clients(denied)
    response = api.post(template.format(**ids), {}, content_type="application/json")
    assert response.status_code in (403, 422)
    if response.status_code == 422:
        # Schema validation runs before the handler; an empty body must not be accepted either.
        response = api.post(
            template.format(**ids), _minimal_body(template), content_type="application/json"
        )
        assert response.status_code == 403, (template, denied, response.content)


def _minimal_body(template):
    if template.startswith("/api/referrals/patients/"):
        return {"from_department": "nursing", "to_department": "nutrition", "reason": "x"}
    bodies = {
        "diagnoses": {"icd10_code": "D69.6", "diagnosed_on": "2020-01-01"},
        "stagings": {
            "classification": "clinical",
            "t_category": "T1",
            "n_category": "N0",
            "m_category": "M0",
            "staged_on": "2020-01-01",
        },
        "statuses": {"status": "stable", "observed_on": "2020-01-01"},
        "performance": {"scale": "ecog", "score": 1, "observed_on": "2020-01-01"},
        "markers": {"marker": "CEA", "value": "1", "unit": "ng/mL", "observed_on": "2020-01-01"},
        "treatments": {"modality": "surgery", "started_on": "2020-01-01"},
        "workup": {"department": "pathology", "test_name": "x"},
        "advance": {"status": "accepted"},
        "meetings": {"board_type": "pediatric", "held_on": "2026-12-01"},
        "attendance": {"username": "x", "discipline": "radiology"},
        "cases": {"mrn": "x", "question": "x"},
        "recommendation": {"intent": "curative", "modalities": [], "from_department": "surgery"},
        "studies": {"code": "x", "title": "x", "phase": "II"},
        "screening-log": {"mrn": "x"},
        "enrollments": {"mrn": "x", "consent_on": "2020-01-01"},
        "withdraw": {"withdrawn_on": "2020-01-01", "reason": "x"},
        "guardians": {"name_ko": "김", "relationship": "mother"},
        "consents": {"kind": "treatment", "given_by": "patient", "signed_on": "2020-01-01"},
        "care-team": {"username": "x", "role": "nurse"},
        "copay": {"registered_on": "2020-01-01"},
    }
    last = template.rstrip("/").split("/")[-1]
    if last.startswith("{"):
        last = template.split("/")[-2]
    return bodies.get(last, bodies.get(template.split("/")[-1], {}))
