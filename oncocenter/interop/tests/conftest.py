import datetime as dt

import pytest
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.oncology import services as onc
from oncocenter.patients.tests.factories import PatientFactory


@pytest.fixture
def record(db):
    """One patient with a primary and a secondary cancer, a clinical TNM staging, ECOG, a marker
    and a disease status."""
    by = UserFactory(roles=["radiation_oncologist"])
    patient = PatientFactory(family_name_en="PARK", given_name_en="J. Minsu")
    today = timezone.localdate()
    d = onc.diagnosis_create(
        by=by,
        patient=patient,
        icd10_code="C15.4",
        icdo3_topography="C15.4",
        icdo3_morphology="8070/3",
        laterality="not-applicable",
        diagnosed_on=today - dt.timedelta(days=60),
    )
    secondary = onc.diagnosis_create(
        by=by,
        patient=patient,
        icd10_code="C78.0",
        is_primary=False,
        diagnosed_on=today - dt.timedelta(days=30),
    )
    staging = onc.staging_record(
        by=by,
        diagnosis=d,
        classification="clinical",
        t_category="T3",
        n_category="N1",
        m_category="M0",
        staged_on=today - dt.timedelta(days=55),
    )
    ps = onc.performance_record(
        patient=patient, by=by, scale="ecog", score=1, observed_on=today - dt.timedelta(days=50)
    )
    marker = onc.tumor_marker_record(
        patient=patient,
        by=by,
        marker="CEA",
        value="4.2",
        unit="ng/mL",
        observed_on=today - dt.timedelta(days=40),
        diagnosis=d,
    )
    status = onc.disease_status_record(
        diagnosis=d, by=by, status="responding", observed_on=today - dt.timedelta(days=5)
    )
    return {
        "patient": patient,
        "diagnosis": d,
        "secondary": secondary,
        "staging": staging,
        "ps": ps,
        "marker": marker,
        "status": status,
        "by": by,
    }
