"""The laboratory CSV import as a job: the upload queues it and goes to its page; the worker
imports all rows or none; the page shows the counts or every refused row."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from oncocenter.audit.models import AuditEvent
from oncocenter.jobs.models import Job, JobFile
from oncocenter.jobs.services import job_execute
from oncocenter.labs.forms import ImportForm
from oncocenter.labs.models import LabResult
from oncocenter.labs.tests.test_services import _csv

pytestmark = pytest.mark.django_db


def _upload(content: str, name: str = "labs.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode(), content_type="text/csv")


def test_upload_queues_a_job_that_imports_and_reports_on_its_page(client_as, adult):
    c = client_as("pathologist")
    good = _csv(adult, [("751-8", "2.1", "10*9/L", "A1"), ("777-3", "15", "10*9/L", "A2")])
    r = c.post(reverse("labs:import"), {"upload": _upload(good)})
    job = Job.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("jobs:detail", args=[job.pk])
    assert LabResult.objects.count() == 0  # nothing in the request itself
    # The upload is kept with the job, not in its (audited) parameters.
    assert job.params == {"file": "labs.csv"}
    assert bytes(JobFile.objects.get(job=job, purpose="input").data) == good.encode()
    assert job_execute(job_id=job.pk) == "succeeded"
    assert LabResult.objects.count() == 2
    page = c.get(r["Location"]).content.decode()
    assert "2 rows: 2 new, 0 already there, 1 critical." in page
    assert AuditEvent.objects.filter(action="create", object_type="labs.import").exists()
    # The upload is never served back.
    assert c.get(reverse("jobs:file", args=[job.pk, "labs.csv"])).status_code == 404


def test_a_refused_file_fails_the_job_naming_each_row_and_keeps_nothing(client_as, adult):
    c = client_as("pathologist")
    bad = _csv(adult, [("718-7", "12", "g/dL", "A3"), ("718-7", "12", "mmol/L", "A4")])
    r = c.post(reverse("labs:import"), {"upload": _upload(bad)})
    job = Job.objects.get()
    assert job_execute(job_id=job.pk) == "failed"
    assert LabResult.objects.count() == 0
    page = c.get(r["Location"]).content.decode()
    assert "row 3.unit" in page and 'data-status="failed"' in page


def test_no_file_and_a_too_large_file_are_422_and_queue_nothing(client_as, monkeypatch):
    c = client_as("pathologist")
    r = c.post(reverse("labs:import"), {})
    assert r.status_code == 422 and 'data-field="upload"' in r.content.decode()
    monkeypatch.setattr(ImportForm, "MAX_BYTES", 10)
    r = c.post(reverse("labs:import"), {"upload": _upload("mrn,loinc\n" + "1" * 20)})
    assert r.status_code == 422 and "at most" in r.content.decode()
    assert not Job.objects.exists()


@pytest.mark.parametrize("role", ["nurse", "radiation_oncologist"])
def test_others_may_neither_import_nor_see_the_import_job(client_as, adult, role):
    good = _csv(adult, [("751-8", "2.1", "10*9/L", "A1")])
    c = client_as(role)
    assert c.post(reverse("labs:import"), {"upload": _upload(good)}).status_code == 403
    client_as("pathologist").post(reverse("labs:import"), {"upload": _upload(good)})
    job = Job.objects.get()
    assert c.get(reverse("jobs:detail", args=[job.pk])).status_code == 403
