"""Research and registry exports as jobs: the exports page queues one and goes to its page;
the zip is downloadable by who may export, refused to others, and every download audited."""

import io
import zipfile

import pytest
from django.urls import reverse

from oncocenter.audit.models import AuditEvent
from oncocenter.jobs.models import Job
from oncocenter.jobs.services import job_execute

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


@pytest.mark.parametrize("role", ["research_coordinator", "administrator"])
def test_the_exports_page_is_for_who_may_export(client_as, role):
    page = client_as(role).get(reverse("exports:index"))
    assert page.status_code == 200 and 'id="research-form"' in page.content.decode()


@pytest.mark.parametrize("role", ["radiation_oncologist", "nurse", "scheduler"])
def test_the_exports_page_and_its_posts_refuse_others(client_as, role):
    c = client_as(role)
    assert c.get(reverse("exports:index")).status_code == 403
    assert c.post(reverse("exports:research"), {}).status_code == 403
    assert c.post(reverse("exports:registry"), {"year": 2025}).status_code == 403
    assert not Job.objects.exists()


def test_research_export_runs_as_a_job_and_its_zip_is_downloaded_by_exporters_only(client_as):
    c = client_as("research_coordinator")
    r = c.post(reverse("exports:research"), {"icd10_prefix": "C15", "treated_with": ""})
    job = Job.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.kind == "interop.research_export" and job.params["icd10_prefix"] == "C15"
    assert job_execute(job_id=job.pk) == "succeeded"
    page = c.get(r["Location"]).content.decode()
    (name,) = [f.name for f in job.files.filter(purpose="output")]
    url = reverse("jobs:file", args=[job.pk, name])
    assert url in page and "Research dataset" in page
    before = AuditEvent.objects.filter(action="export").count()
    got = c.get(url)
    assert got.status_code == 200 and got["Content-Type"] == "application/zip"
    assert got["Cache-Control"] == "no-store"
    names = zipfile.ZipFile(io.BytesIO(got.content)).namelist()
    assert any(n.endswith("dictionary.csv") for n in names), names
    assert AuditEvent.objects.filter(action="export").count() == before + 1
    event = AuditEvent.objects.filter(action="export").order_by("-seq").first()
    assert event.object_type == "jobs.job" and event.detail["file"] == name
    # Another exporter may fetch it; a physician may neither see the job nor take the file.
    assert client_as("administrator").get(url).status_code == 200
    other = client_as("radiation_oncologist")
    assert other.get(url).status_code == 403
    assert other.get(reverse("jobs:detail", args=[job.pk])).status_code == 403
    assert c.get(reverse("jobs:file", args=[job.pk, "nope.zip"])).status_code == 404


def test_registry_export_runs_as_a_job(client_as):
    c = client_as("research_coordinator")
    c.post(reverse("exports:registry"), {"year": 2025})
    job = Job.objects.get()
    assert job_execute(job_id=job.pk) == "succeeded"
    assert "Registry abstract for 2025" in job.__class__.objects.get(pk=job.pk).result["summary"]
    (f,) = job.files.all()
    names = zipfile.ZipFile(io.BytesIO(bytes(f.data))).namelist()
    assert sorted(n.split("/")[1] for n in names) == ["abstract.csv", "refused.csv"]


@pytest.mark.parametrize(
    "url,data,field",
    [
        ("exports:research", {"icd10_prefix": "c15"}, "icd10_prefix"),
        ("exports:research", {"treated_with": "laser"}, "treated_with"),
        (
            "exports:research",
            {"diagnosed_from": "2025-05-01", "diagnosed_to": "2025-04-01"},
            "diagnosed_to",
        ),
        ("exports:registry", {"year": "1999"}, "year"),
        ("exports:registry", {"year": "3000"}, "year"),
        ("exports:registry", {"year": "abc"}, "year"),
    ],
)
def test_bad_input_is_422_beside_the_field_and_queues_nothing(client_as, url, data, field):
    r = client_as("research_coordinator").post(reverse(url), data)
    assert r.status_code == 422 and f'data-field="{field}"' in r.content.decode()
    assert not Job.objects.exists()
