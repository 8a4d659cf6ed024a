import json

import pytest
from django.core.management import call_command

from oncocenter.audit.models import AuditEvent
from oncocenter.patients.services import patient_join_center
from oncocenter.patients.tests.factories import PatientFactory


@pytest.mark.django_db(transaction=True)
def test_group_export_writes_ndjson_for_the_center(api_as, record, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    patient_join_center(patient=record["patient"], by=record["by"], center_code="esophageal")
    PatientFactory()  # not in the center: not exported
    admin = api_as("administrator", "radiation_oncologist")
    assert (
        api_as("nurse")
        .get("/fhir/Group/esophageal/$export", HTTP_PREFER="respond-async")
        .status_code
        == 403
    )
    assert admin.get("/fhir/Group/esophageal/$export").status_code == 400  # synchronous refused
    assert admin.get("/fhir/Group/moon/$export", HTTP_PREFER="respond-async").status_code == 404
    kick = admin.get(
        "/fhir/Group/esophageal/$export?_type=Patient,Observation", HTTP_PREFER="respond-async"
    )
    assert kick.status_code == 202
    status_url = kick["Content-Location"].split("testserver")[1]
    assert admin.get(status_url).status_code == 202
    assert api_as("administrator").get(status_url).status_code == 404  # another user's export
    call_command("db_worker", batch=True, queue_name="exports", no_startup_delay=True, verbosity=0)
    manifest = admin.get(status_url).json()
    assert manifest["requiresAccessToken"] is True
    files = {o["type"]: o for o in manifest["output"]}
    assert set(files) == {"Patient", "Observation"}
    lines = admin.get(files["Patient"]["url"].split("testserver")[1]).content.decode().splitlines()
    assert [json.loads(x)["id"] for x in lines] == [record["patient"].mrn]
    obs = (
        admin.get(files["Observation"]["url"].split("testserver")[1]).content.decode().splitlines()
    )
    assert len(obs) == files["Observation"]["count"] == 7
    assert AuditEvent.objects.filter(
        action="export", object_type="fhir.Group", object_id="esophageal"
    ).exists()
