import pytest
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.observation import Observation

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.audit.models import AuditEvent
from oncocenter.oncology.fhir import diagnosis_to_fhir, staging_to_fhir
from oncocenter.oncology.services import diagnosis_create, staging_record
from oncocenter.oncology.tests.factories import child

pytestmark = pytest.mark.django_db


def test_diagnosis_and_staging_are_valid_fhir():
    patient = child()
    d = diagnosis_create(
        by=UserFactory(),
        patient=patient,
        icd10_code="C74.9",
        icdo3_topography="C74.9",
        icdo3_morphology="9500/3",
        laterality="left",
        diagnosed_on=timezone.localdate(),
    )
    condition = Condition.model_validate(diagnosis_to_fhir(d))
    assert condition.code.coding[0].code == "C74.9"
    assert condition.verificationStatus.coding[0].code == "confirmed"
    s = staging_record(
        by=UserFactory(),
        diagnosis=d,
        classification="clinical",
        t_category="T2",
        n_category="N0",
        m_category="M0",
        staged_on=timezone.localdate(),
    )
    obs = Observation.model_validate(staging_to_fhir(s))
    assert [c.valueCodeableConcept.coding[0].code for c in obs.component] == ["cT2", "cN0", "cM0"]


def test_fhir_endpoint_returns_a_bundle_and_is_audited(api_as):
    patient = child()
    d = diagnosis_create(
        by=UserFactory(),
        patient=patient,
        icd10_code="C69.2",
        icdo3_topography="C69.2",
        icdo3_morphology="9510/3",
        diagnosed_on=timezone.localdate(),
    )
    assert (
        api_as("hospital_school_teacher").get(f"/api/oncology/diagnoses/{d.pk}/fhir").status_code
        == 403
    )
    body = api_as("pediatric_oncologist").get(f"/api/oncology/diagnoses/{d.pk}/fhir").json()
    bundle = Bundle.model_validate(body)
    assert bundle.entry[0].resource.get_resource_type() == "Condition"
    assert AuditEvent.objects.filter(action="export", patient_mrn=patient.mrn).exists()
