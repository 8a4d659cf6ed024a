"""Lab services: coded results, flags by age and sex, units, idempotent accession, corrections,
CSV import (all or nothing), critical acknowledgement, transfusions with a two-person check."""

import datetime as dt
from decimal import Decimal as D

import pytest

from oncocenter.core.errors import Conflict, ValidationFailed
from oncocenter.labs import services
from oncocenter.labs.models import Analyte, CriticalAcknowledgement, LabResult, Transfusion

pytestmark = pytest.mark.django_db


def test_catalogue_loaded_with_loinc_and_ucum():
    assert Analyte.objects.count() >= 20
    anc = Analyte.objects.get(code="anc")
    assert (anc.loinc, anc.unit) == ("751-8", "10*9/L")
    assert set(Analyte.objects.filter(trend=True).values_list("code", flat=True)) == {
        "anc",
        "plt",
        "hgb",
        "creat",
        "tbil",
        "alb",
    }


def test_adult_and_child_creatinine_flag_differently(adult, child, make_user, now):
    by = make_user("nurse")
    a = services.lab_result_record(
        patient=adult, by=by, loinc="2160-0", value="0.9", unit="mg/dL", collected_at=now
    ).result
    c = services.lab_result_record(
        patient=child, by=by, loinc="2160-0", value="0.9", unit="mg/dL", collected_at=now
    ).result
    assert a.flag == "normal" and c.flag == "high"
    assert (c.ref_low, c.ref_high) == (D("0.3"), D("0.7"))


def test_unit_conversion_and_wrong_unit(adult, make_user, now):
    by = make_user("nurse")
    r = services.lab_result_record(
        patient=adult, by=by, loinc="2160-0", value="88.4", unit="umol/L", collected_at=now
    ).result
    assert r.value == D("0.9998") and r.reported_unit == "umol/L"
    with pytest.raises(ValidationFailed) as exc:
        services.lab_result_record(
            patient=adult, by=by, loinc="2160-0", value="1", unit="mmol/L", collected_at=now
        )
    assert exc.value.problems[0].field == "unit" and "mg/dL" in exc.value.problems[0].message
    assert LabResult.objects.count() == 1


def test_critical_value_and_acknowledgement(adult, make_user, now):
    by = make_user("nurse")
    r = services.lab_result_record(
        patient=adult, by=by, loinc="751-8", value="0.3", unit="10*9/L", collected_at=now
    ).result
    assert r.critical and r.flag == "critical_low"
    with pytest.raises(ValidationFailed):
        services.lab_critical_acknowledge(result=r, by=by, communicated_to="", action="")
    ack = services.lab_critical_acknowledge(
        result=r, by=by, communicated_to="Dr Kim", action="Neutropenic precautions"
    )
    assert ack.result == r
    with pytest.raises(Conflict):
        services.lab_critical_acknowledge(result=r, by=by, communicated_to="Dr Kim", action="again")
    normal = services.lab_result_record(
        patient=adult, by=by, loinc="751-8", value="3", unit="10*9/L", collected_at=now
    ).result
    with pytest.raises(Conflict):
        services.lab_critical_acknowledge(result=normal, by=by, communicated_to="x", action="y")
    assert CriticalAcknowledgement.objects.count() == 1


def test_accession_is_idempotent_and_corrections_supersede(adult, make_user, now):
    by = make_user("pathologist")
    kw = dict(
        patient=adult, by=by, loinc="777-3", unit="10*9/L", collected_at=now, accession="LAB-1"
    )
    first = services.lab_result_record(value="150", **kw)
    again = services.lab_result_record(value="150", **kw)
    assert first.created and not again.created and again.result.pk == first.result.pk
    with pytest.raises(Conflict) as exc:
        services.lab_result_record(value="15", **kw)
    assert exc.value.rule == "labs_accession_differs"
    fixed = services.lab_result_record(value="15", correction=True, **kw)
    first.result.refresh_from_db()
    assert first.result.status == "superseded" and fixed.result.replaces == first.result
    assert fixed.result.status == "corrected" and fixed.result.critical
    assert LabResult.objects.filter(status__in=["final", "corrected"]).count() == 1


def test_lab_range_from_message_used_for_flag(adult, make_user, now):
    by = make_user("nurse")
    r = services.lab_result_record(
        patient=adult,
        by=by,
        loinc="1751-7",
        value="34",
        unit="g/L",
        ref_low="35",
        ref_high="52",
        collected_at=now,
    ).result
    assert (
        r.value == D("3.4") and (r.ref_low, r.ref_high) == (D("3.5"), D("5.2")) and r.flag == "low"
    )


@pytest.mark.parametrize(
    "change,field",
    [
        ({"loinc": "9999-9"}, "loinc"),
        ({"value": "abc"}, "value"),
        ({"value": "-1"}, "value"),
        ({"collected_at": None}, "collected_at"),
        ({"resulted_at": "2000-01-01T00:00"}, "resulted_at"),
        ({"ref_low": "10", "ref_high": "1"}, "ref_low"),
    ],
)
def test_bad_results_name_the_field(adult, make_user, now, change, field):
    kw = dict(
        patient=adult,
        by=make_user("nurse"),
        loinc="718-7",
        value="12",
        unit="g/dL",
        collected_at=now,
    )
    kw.update(change)
    with pytest.raises(ValidationFailed) as exc:
        services.lab_result_record(**kw)
    assert exc.value.problems[0].field == field
    assert LabResult.objects.count() == 0


def _csv(patient, rows):
    head = ",".join(services.CSV_COLUMNS)
    return (
        head
        + "\n"
        + "\n".join(
            f"{patient.mrn},{loinc},{value},{unit},,,2026-01-05T08:00,2026-01-05T10:00,{acc}"
            for loinc, value, unit, acc in rows
        )
    )


def test_csv_import_all_or_nothing_and_idempotent(adult, make_user):
    by = make_user("pathologist")
    good = _csv(adult, [("751-8", "2.1", "10*9/L", "A1"), ("777-3", "15", "10*9/L", "A2")])
    report = services.lab_results_import_csv(by=by, content=good)
    assert (report.rows, report.created, report.unchanged, report.critical) == (2, 2, 0, 1)
    report = services.lab_results_import_csv(by=by, content=good)
    assert (report.created, report.unchanged) == (0, 2)
    bad = _csv(adult, [("718-7", "12", "g/dL", "A3"), ("718-7", "12", "mmol/L", "A4")])
    with pytest.raises(ValidationFailed) as exc:
        services.lab_results_import_csv(by=by, content=bad)
    assert exc.value.problems[0].field == "row 3.unit"
    assert LabResult.objects.count() == 2  # the good row of the bad file was not kept
    with pytest.raises(ValidationFailed) as exc:
        services.lab_results_import_csv(by=by, content="mrn,value\n1,2")
    assert exc.value.problems[0].field == "file"


def test_transfusion_threshold_and_two_person_check(adult, make_user, now):
    doc, nurse1, nurse2 = make_user("pediatric_oncologist"), make_user("nurse"), make_user("nurse")
    services.lab_result_record(
        patient=adult, by=nurse1, loinc="718-7", value="8.5", unit="g/dL", collected_at=now
    )
    with pytest.raises(ValidationFailed) as exc:
        services.transfusion_order(
            patient=adult,
            by=doc,
            product="rbc",
            irradiated=True,
            leukoreduced=True,
            units=1,
            indication="anemia",
        )
    assert exc.value.problems[0].field == "above_threshold_reason"
    tx = services.transfusion_order(
        patient=adult,
        by=doc,
        product="rbc",
        irradiated=True,
        leukoreduced=True,
        units=1,
        indication="anemia",
        above_threshold_reason="symptomatic, cardiac disease",
    )
    assert tx.trigger_value == D("8.5") and tx.trigger_threshold == D("7.0")
    with pytest.raises(ValidationFailed) as exc:
        services.transfusion_record_given(transfusion=tx, by=nurse1, checked_by=nurse1)
    assert exc.value.problems[0].field == "checked_by"
    services.transfusion_record_given(
        transfusion=tx, by=nurse1, checked_by=nurse2, reaction="fever", reaction_grade=1
    )
    with pytest.raises(Conflict):
        services.transfusion_record_given(transfusion=tx, by=nurse1, checked_by=nurse2)
    assert Transfusion.objects.get().status == "given"


def test_order_then_results_mark_it_resulted(adult, make_user, now):
    doc = make_user("medical_oncologist")
    order = services.lab_order_create(patient=adult, by=doc, analyte_codes=["anc", "plt"])
    with pytest.raises(ValidationFailed):
        services.lab_order_create(patient=adult, by=doc, analyte_codes=["nope"])
    nurse = make_user("nurse")
    services.lab_result_record(
        patient=adult,
        by=nurse,
        loinc="751-8",
        value="2",
        unit="10*9/L",
        collected_at=now,
        order=order,
    )
    order.refresh_from_db()
    assert order.status == "partial"
    services.lab_result_record(
        patient=adult,
        by=nurse,
        loinc="777-3",
        value="200",
        unit="10*9/L",
        collected_at=now,
        order=order,
    )
    order.refresh_from_db()
    assert order.status == "resulted"


def test_engraftment_computed_from_counts(child, make_user):
    from django.utils import timezone

    from oncocenter.pediatrics.models import HSCTEpisode

    day0 = timezone.localdate() - dt.timedelta(days=20)
    e = HSCTEpisode.objects.create(
        patient=child, indication="ALL CR2", donor_type="unrelated", day0=day0, status="infused"
    )
    nurse = make_user("nurse")
    for i, (anc, plt) in enumerate(
        [
            (0.1, 5),
            (0.2, 8),
            (0.6, 22),
            (0.7, 25),
            (0.8, 27),
            (1.0, 30),
            (1.2, 32),
            (1.5, 40),
            (1.8, 45),
            (2.0, 50),
        ]
    ):
        at = timezone.make_aware(dt.datetime.combine(day0 + dt.timedelta(days=10 + i), dt.time(7)))
        services.lab_result_record(
            patient=child, by=nurse, loinc="751-8", value=str(anc), unit="10*9/L", collected_at=at
        )
        services.lab_result_record(
            patient=child, by=nurse, loinc="777-3", value=str(plt), unit="10*9/L", collected_at=at
        )
    e.refresh_from_db()
    assert e.neutrophil_engraftment_on == day0 + dt.timedelta(days=12)
    assert e.platelet_engraftment_on == day0 + dt.timedelta(days=12)
    assert e.status == "engrafted"
