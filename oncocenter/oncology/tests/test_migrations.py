"""The co-payment registration moved from `patients` to `oncology` (issue 14) without losing a
row: migrate a database holding registrations back to before the move, then forward again."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.oncology.models import CopayRegistration
from oncocenter.oncology.services import copay_register
from oncocenter.oncology.tests.factories import DiagnosisFactory
from oncocenter.patients.tests.factories import PatientFactory

BEFORE_MOVE = [
    ("oncology", "0002_treatment_episode_entered_in_error"),
    ("patients", "0004_guardian_birth_date"),
]


def _rows(model):
    return sorted(
        model.objects.values_list(
            "id", "patient_id", "diagnosis_id", "registered_on", "expires_on", "special_code"
        )
    )


def _content_type_apps():
    ContentType.objects.clear_cache()
    return sorted(
        ContentType.objects.filter(model="copayregistration").values_list("app_label", flat=True)
    )


@pytest.mark.django_db(transaction=True)
def test_copay_registrations_survive_the_move_back_and_forth():
    by = UserFactory()
    diagnosis = DiagnosisFactory()
    copay_register(
        patient=diagnosis.patient, by=by, registered_on=diagnosis.diagnosed_on, diagnosis=diagnosis
    )
    for _ in range(2):
        patient = PatientFactory()
        copay_register(patient=patient, by=by, registered_on=patient.birth_date.replace(year=2020))
    rows = _rows(CopayRegistration)
    assert len(rows) == 3 and _content_type_apps() == ["oncology"]

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_MOVE)
    old = executor.loader.project_state(BEFORE_MOVE).apps.get_model("patients", "CopayRegistration")
    assert old._meta.db_table == "patients_copayregistration"
    assert _rows(old) == rows
    assert _content_type_apps() == ["patients"]

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert _rows(CopayRegistration) == rows
    assert _content_type_apps() == ["oncology"]
    # The moved table takes new rows (its id sequence followed the rename).
    copay_register(patient=PatientFactory(), by=by, registered_on=rows[1][3])
    assert CopayRegistration.objects.count() == 4
