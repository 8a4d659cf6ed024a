import csv
import datetime as dt

import pytest
from django.utils import timezone

from oncocenter.audit.models import AuditEvent
from oncocenter.core.errors import NotPermitted
from oncocenter.interop.exports.registry import build, check_record, registry_export
from oncocenter.oncology.models import Diagnosis, TreatmentEpisode

pytestmark = pytest.mark.django_db

GOOD = {
    "hospital_id": "10000016",
    "sex": "1",
    "birth_date": "19600101",
    "diagnosis_date": "20260105",
    "age_at_diagnosis": "66",
    "topography": "C154",
    "morphology": "8070",
    "behaviour": "3",
    "grade": "9",
    "laterality": "0",
    "basis_of_diagnosis": "9",
    "icd10": "C15.4",
    "stage": "IIIA",
    "first_treatment": "radiotherapy",
    "first_treatment_date": "20260201",
}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"topography": "C999"}, "topography"),
        ({"morphology": "12"}, "morphology"),
        ({"behaviour": "6"}, "behaviour"),
        ({"laterality": "2"}, "laterality"),  # oesophagus is not paired
        ({"topography": "C509", "laterality": "0"}, "laterality"),  # breast is
        ({"diagnosis_date": "19590101"}, "diagnosis_date"),
        ({"diagnosis_date": "29990101"}, "diagnosis_date"),
        ({"age_at_diagnosis": "130"}, "age_at_diagnosis"),
    ],
)
def test_field_rules(change, field):
    today = dt.date(2026, 12, 7)
    assert check_record(GOOD, today=today) == []
    assert field in {f for f, _ in check_record({**GOOD, **change}, today=today)}


def test_abstract_of_a_year_with_first_treatment(record):
    d = record["diagnosis"]
    TreatmentEpisode.objects.create(
        patient=d.patient,
        diagnosis=d,
        modality="surgery",
        started_on=d.diagnosed_on + dt.timedelta(days=3),
    )
    abstract = build(year=d.diagnosed_on.year)
    rows = [r for r in abstract.records if r["hospital_id"] == d.patient.mrn]
    assert len(rows) == 1  # the secondary condition is not registered
    row = rows[0]
    assert (row["topography"], row["morphology"], row["behaviour"], row["laterality"]) == (
        "C154",
        "8070",
        "3",
        "0",
    )
    assert row["first_treatment"] == "surgery" and row["stage"] == record["staging"].stage_group


def test_a_record_breaking_a_rule_is_listed_not_written(record, make_user, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    Diagnosis.objects.filter(pk=record["diagnosis"].pk).update(laterality="left")
    out = registry_export(
        by=make_user("research_coordinator"), year=record["diagnosis"].diagnosed_on.year
    )
    with (out / "abstract.csv").open() as fh:
        assert list(csv.DictReader(fh)) == []
    with (out / "refused.csv").open() as fh:
        refused = list(csv.DictReader(fh))
    assert refused[0]["field"] == "laterality" and "not a paired organ" in refused[0]["rule"]
    assert AuditEvent.objects.filter(object_type="interop.registry_abstract").exists()
    with pytest.raises(NotPermitted):
        registry_export(by=make_user("nurse"), year=timezone.localdate().year)
