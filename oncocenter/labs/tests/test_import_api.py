"""The laboratory CSV import over the API runs as the same job as the upload page: POST the file
-> 202 with the job's status URL; GET the status, then the result (the counts, or 422 naming
each refused row's field). Allowed for the pathologist and the administrator only; a file that is
too large or not a CSV is refused at once (422 naming `file`) and queues nothing; audited."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from oncocenter.audit.models import AuditEvent
from oncocenter.core.permissions import roles_with
from oncocenter.core.roles import Role
from oncocenter.jobs.models import Job
from oncocenter.jobs.services import job_execute
from oncocenter.labs import services
from oncocenter.labs.models import LabResult
from oncocenter.labs.tests.test_services import _csv

pytestmark = pytest.mark.django_db
URL = "/api/labs/import"


def _file(content: str | bytes, name: str = "labs.csv") -> SimpleUploadedFile:
    data = content.encode() if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="text/csv")


def _good(adult) -> str:
    return _csv(adult, [("751-8", "2.1", "10*9/L", "A1"), ("777-3", "15", "10*9/L", "A2")])


@pytest.mark.parametrize("role", sorted(roles_with("lab.import")))
def test_allowed_roles_queue_a_job_and_read_its_status_and_result(api_as, adult, role):
    api = api_as(role)
    r = api.post(URL, {"file": _file(_good(adult))})
    assert r.status_code == 202, r.content
    body = r.json()
    job = Job.objects.get()
    assert body["job_id"] == job.pk and body["status"] == "queued"
    assert body["status_url"] == f"/api/jobs/{job.pk}" and body["page_url"] == f"/jobs/{job.pk}/"
    assert LabResult.objects.count() == 0  # nothing imported in the request itself
    assert api.get(body["result_url"]).status_code == 409  # not ready yet
    assert job_execute(job_id=job.pk) == "succeeded"
    status = api.get(body["status_url"]).json()
    assert status["status"] == "succeeded" and status["kind"] == "labs.import_csv"
    result = api.get(body["result_url"])
    assert result.status_code == 200
    assert result.json()["created"] == 2 and result.json()["critical"] == 1
    assert LabResult.objects.count() == 2
    assert AuditEvent.objects.filter(action="create", object_type="labs.import").exists()
    assert AuditEvent.objects.filter(
        action="create", object_type="jobs.job", object_id=str(job.pk)
    ).exists()
    assert AuditEvent.objects.filter(
        action="read", object_type="jobs.job", object_id=str(job.pk)
    ).exists()


@pytest.mark.parametrize("role", sorted(r.value for r in Role if r not in roles_with("lab.import")))
def test_other_roles_are_refused_and_queue_nothing(api_as, adult, role):
    assert api_as(role).post(URL, {"file": _file(_good(adult))}).status_code == 403
    assert not Job.objects.exists()


def test_others_may_not_read_the_import_job(api_as, adult):
    api_as("pathologist").post(URL, {"file": _file(_good(adult))})
    job = Job.objects.get()
    nurse = api_as("nurse")
    assert nurse.get(f"/api/jobs/{job.pk}").status_code == 403
    assert nurse.get(f"/api/jobs/{job.pk}/result").status_code == 403
    assert api_as("administrator").get(f"/api/jobs/{job.pk}").status_code == 200
    assert api_as("pathologist").get("/api/jobs/999999").status_code == 404


def test_bad_rows_fail_the_job_and_the_result_names_each_row_field(api_as, adult):
    api = api_as("pathologist")
    bad = _csv(adult, [("718-7", "12", "g/dL", "A3"), ("718-7", "lots", "g/dL", "A4")])
    body = api.post(URL, {"file": _file(bad)}).json()
    assert job_execute(job_id=body["job_id"]) == "failed"
    status = api.get(body["status_url"]).json()
    assert status["status"] == "failed" and status["error_rule"] == "validation"
    r = api.get(body["result_url"])
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["row 3.value"]
    assert LabResult.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"%PDF-1.7\x00\xff\xfe binary", "is not a CSV file"),
        ("just some words\nand more", "missing columns: mrn, loinc"),
        ("mrn;loinc;value\n1;2;3", "missing columns"),
    ],
)
def test_not_a_csv_is_refused_naming_the_file(api_as, content, fragment):
    r = api_as("pathologist").post(URL, {"file": _file(content, "labs.pdf")})
    assert r.status_code == 422
    error = r.json()["errors"][0]
    assert error["field"] == "file" and fragment in error["message"]
    assert not Job.objects.exists()


def test_too_large_and_missing_file_are_refused(api_as, adult, monkeypatch):
    api = api_as("pathologist")
    monkeypatch.setattr(services, "IMPORT_MAX_BYTES", 10)
    r = api.post(URL, {"file": _file(_good(adult))})
    assert r.status_code == 422
    assert (
        r.json()["errors"][0]["field"] == "file" and "at most" in r.json()["errors"][0]["message"]
    )
    r = api.post(URL, {})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "file"
    assert not Job.objects.exists()


def test_refusals_in_korean(api_as):
    api = api_as("pathologist")
    r = api.post(URL, {"file": _file("words\n1")}, HTTP_ACCEPT_LANGUAGE="ko")
    assert r.status_code == 422 and "빠진 열" in r.json()["errors"][0]["message"]
