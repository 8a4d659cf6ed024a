import csv
import datetime as dt

import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.utils import timezone

from oncocenter.audit.models import AuditEvent
from oncocenter.core.errors import NotPermitted
from oncocenter.interop.exports.research import (
    DICTIONARY,
    build,
    research_export,
    research_export_task,
)
from oncocenter.patients.models import Patient

pytestmark = pytest.mark.django_db


def test_dataset_is_deidentified_and_relative_to_diagnosis(record):
    Patient.objects.filter(pk=record["patient"].pk).update(deceased_on=timezone.localdate())
    tables = build(icd10_prefix="C15", key=b"k" * 32)
    cohort = tables["cohort"]
    assert len(cohort) == 1
    row = cohort[0]
    p = record["patient"]
    flat = repr(tables)
    for secret in (p.mrn, p.family_name_en, p.given_name_en, p.name_ko):
        assert secret and secret not in flat
    assert row["stage_group"] == record["staging"].stage_group and row["vital_status"] == "dead"
    assert row["days_to_death"] == (timezone.localdate() - record["diagnosis"].diagnosed_on).days
    assert [s["status"] for s in tables["disease_status"]] == ["responding"]
    assert (
        tables["disease_status"][0]["day"]
        == (record["status"].observed_on - record["diagnosis"].diagnosed_on).days
    )
    other = build(icd10_prefix="C15", key=b"j" * 32)
    assert other["cohort"][0]["pid"] != row["pid"]  # exports cannot be linked
    assert build(icd10_prefix="C50")["cohort"] == []


def test_courses_carry_doses_and_fractions(record):
    from oncocenter.radiotherapy.tests.factories import make_world

    world = make_world()
    world.patient = record["patient"]
    world.ready()
    courses = build(icd10_prefix="C15")["courses"]
    assert courses[0]["fractions_prescribed"] == 5 and courses[0]["total_dose_gy"] == 10.0
    assert build(icd10_prefix="C15", treated_with="VMAT")["cohort"] == []


def test_files_and_dictionary_are_written_and_the_export_audited(
    record, make_user, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    out = research_export(by=make_user("research_coordinator"), icd10_prefix="C15")
    names = sorted(f.name for f in out.iterdir())
    assert names == sorted(
        f"{t}.{ext}" for t in [*DICTIONARY, "dictionary"] for ext in ("csv", "parquet")
    )
    table = pq.read_table(out / "cohort.parquet")
    assert table.num_rows == 1 and table.schema.field("age_at_diagnosis").type == "int64"
    with (out / "dictionary.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert {r["table"] for r in rows} == set(DICTIONARY)
    assert AuditEvent.objects.filter(
        action="export", object_type="interop.research_dataset"
    ).exists()


def test_only_research_and_administration_may_export(record, make_user):
    with pytest.raises(NotPermitted):
        research_export(by=make_user("nurse"))
    research_export(by=make_user("administrator"), diagnosed_from=dt.date(2000, 1, 1))


@pytest.mark.django_db(transaction=True)
def test_export_runs_as_a_job_on_the_exports_queue(make_user, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    user = make_user("research_coordinator")
    result = research_export_task.enqueue(user.pk, icd10_prefix="C")
    call_command("db_worker", batch=True, queue_name="exports", no_startup_delay=True, verbosity=0)
    result.refresh()
    assert result.status == "SUCCESSFUL"
    assert (tmp_path / "exports").exists() and result.return_value.startswith(str(tmp_path))
