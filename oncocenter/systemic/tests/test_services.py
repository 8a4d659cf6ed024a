"""The verification chain, rule by rule: each refusal names its field or interlock and leaves
nothing saved; the happy path orders, signs, verifies, releases and gives."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from oncocenter.accounts.models import CredentialKind
from oncocenter.core.errors import Conflict, NotPermitted, ValidationFailed
from oncocenter.oncology.tests.factories import DiagnosisFactory
from oncocenter.patients.tests.factories import PatientFactory
from oncocenter.systemic import selectors, services
from oncocenter.systemic.models import (
    Administration,
    DayRelease,
    DosingMeasurement,
    Regimen,
    TherapyOrder,
)

from .conftest import good_labs, lab, person

pytestmark = pytest.mark.django_db


def _order(chain, **kw):
    kw.setdefault("start_date", timezone.localdate())
    return services.order_create(
        patient=chain.patient, by=chain.doctor, regimen=chain.cross, diagnosis=chain.diagnosis, **kw
    )


def _verified(chain, **kw):
    order = _order(chain, **kw)
    services.order_sign(order=order, by=chain.doctor)
    return services.order_verify(order=order, by=chain.pharmacist)


def _give(chain, dose, **kw):
    start = timezone.make_aware(dt.datetime.combine(dose.on, dt.time(10)))
    data = dict(
        dose=dose,
        by=chain.nurse,
        checker=chain.nurse2,
        given_mg=dose.planned_mg,
        route=dose.drug.route,
        product_expiry=timezone.localdate() + dt.timedelta(days=30),
        started_at=start,
        stopped_at=start + dt.timedelta(hours=1),
        identifiers=["name", "birth_date"],
    )
    data.update(kw)
    return services.administration_record(**data)


def test_library_ships_twelve_examples_awaiting_review():
    assert Regimen.objects.count() == 12
    assert set(Regimen.objects.values_list("review_status", flat=True)) == {"awaiting_review"}
    cross = Regimen.objects.get(code="cross")
    assert [(d.drug, d.basis, d.amount, d.days) for d in cross.drugs.all()] == [
        ("paclitaxel", "mg_m2", D("50.000"), [1, 8, 15, 22, 29]),
        ("carboplatin", "auc", D("2.000"), [1, 8, 15, 22, 29]),
    ]
    assert Regimen.objects.get(code="all-induction").drugs.get(drug="vincristine").cap_mg == D(
        "2.00"
    )


def test_cross_doses_computed_with_formula(chain):
    order = _order(chain, rt_course=chain.course)
    age = chain.patient.age_on(timezone.localdate())
    crcl = (D(140 - age) * 70 / 72).quantize(D("0.1"))
    assert order.bsa_m2 == D("1.82") and order.clearance == crcl
    doses = list(order.doses.select_related("drug"))
    assert len(doses) == 10
    pac = next(d for d in doses if d.drug.drug == "paclitaxel")
    carbo = next(d for d in doses if d.drug.drug == "carboplatin")
    assert pac.planned_mg == D("91.00") and "50 mg/m2 x 1.82 m2" in pac.formula
    expected = (2 * (crcl + 25) / 5).quantize(D("1")) * 5
    assert carbo.planned_mg == expected and carbo.formula.startswith(f"AUC 2 x (GFR {crcl} + 25)")
    assert "Cockcroft" not in order.clearance_formula and "(140 -" in order.clearance_formula


def test_stale_or_missing_measurement_is_refused(chain):
    DosingMeasurement.objects.update(measured_on=timezone.localdate() - dt.timedelta(days=8))
    with pytest.raises(ValidationFailed) as exc:
        _order(chain)
    assert exc.value.problems[0].field == "measurement"
    DosingMeasurement.objects.all().delete()
    with pytest.raises(ValidationFailed) as exc:
        _order(chain)
    assert exc.value.problems[0].field == "measurement"
    assert TherapyOrder.objects.count() == 0


def test_implausible_bsa_for_age_is_refused(db):
    child = PatientFactory(
        birth_date=timezone.localdate() - dt.timedelta(days=5 * 365), sex="female"
    )
    with pytest.raises(ValidationFailed) as exc:
        services.measurement_record(
            patient=child, by=person("nurse"), height_cm=D("110"), weight_kg=D("80")
        )
    assert exc.value.problems[0].field == "weight_kg" and "BSA" in exc.value.problems[0].message
    assert DosingMeasurement.objects.count() == 0


def test_modification_needs_a_reason_and_nothing_is_half_saved(chain):
    with pytest.raises(ValidationFailed) as exc:
        _order(chain, modifications={"paclitaxel": (D("80"), "")})
    assert exc.value.problems[0].field == "modifications.paclitaxel"
    with pytest.raises(ValidationFailed) as exc:
        _order(chain, modifications={"paclitaxel": (D("120"), "")})
    assert exc.value.problems[0].field == "modifications.paclitaxel"
    assert TherapyOrder.objects.count() == 0
    order = _order(chain, modifications={"paclitaxel": (D("80"), "neuropathy grade 2")})
    assert order.doses.filter(drug__drug="paclitaxel").first().planned_mg == D("73.00")
    dose = order.doses.filter(drug__drug="carboplatin").first()
    with pytest.raises(ValidationFailed):
        services.dose_modify(dose=dose, by=chain.doctor, percent=D("75"), reason="")
    services.dose_modify(dose=dose, by=chain.doctor, percent=D("75"), reason="renal function")
    assert set(order.doses.filter(drug=dose.drug).values_list("percent", flat=True)) == {D("75.0")}


def test_cumulative_anthracycline_limit(db):
    child = PatientFactory(birth_date=timezone.localdate() - dt.timedelta(days=8 * 365), sex="male")
    nurse = person("nurse")
    doc = person("pediatric_oncologist", credential=CredentialKind.MEDICAL_LICENSE)
    services.measurement_record(patient=child, by=nurse, height_cm=D("128"), weight_kg=D("26"))
    dx = DiagnosisFactory(patient=child, icd10_code="C74.9")
    cav = Regimen.objects.get(code="nb-cav")
    for _ in range(4):  # 25 mg/m2 x 3 days = 75 mg/m2 each: 300 = the child limit
        services.order_create(
            patient=child, by=doc, regimen=cav, diagnosis=dx, start_date=timezone.localdate()
        )
    assert selectors.cumulative(child)["total"] == D("300.0")
    with pytest.raises(ValidationFailed) as exc:
        services.order_create(
            patient=child, by=doc, regimen=cav, diagnosis=dx, start_date=timezone.localdate()
        )
    assert exc.value.problems[0].field == "cumulative_anthracycline"
    assert TherapyOrder.objects.count() == 4


def test_vincristine_capped_on_the_order(db):
    teen = PatientFactory(birth_date=timezone.localdate() - dt.timedelta(days=15 * 365), sex="male")
    services.measurement_record(
        patient=teen, by=person("nurse"), height_cm=D("175"), weight_kg=D("65")
    )
    order = services.order_create(
        patient=teen,
        by=person("pediatric_oncologist"),
        regimen=Regimen.objects.get(code="all-induction"),
        diagnosis=DiagnosisFactory(patient=teen, icd10_code="C91.0"),
        start_date=timezone.localdate(),
    )
    vcr = order.doses.filter(drug__drug="vincristine").first()
    assert vcr.capped and vcr.planned_mg == D("2.00") and vcr.computed_mg > 2


def test_sign_needs_a_current_licence_and_verify_another_person(chain):
    order = _order(chain)
    unlicensed = person("medical_oncologist")
    with pytest.raises(NotPermitted):
        services.order_sign(order=order, by=unlicensed)
    with pytest.raises(Conflict):
        services.order_verify(order=order, by=chain.pharmacist)  # not signed yet
    both = person("medical_oncologist", "pharmacist", credential=CredentialKind.MEDICAL_LICENSE)
    from oncocenter.accounts.tests.factories import CredentialFactory

    CredentialFactory(user=both, kind=CredentialKind.PHARMACIST)
    own = services.order_create(
        patient=chain.patient,
        by=both,
        regimen=chain.cross,
        diagnosis=chain.diagnosis,
        start_date=timezone.localdate(),
    )
    services.order_sign(order=own, by=both)
    with pytest.raises(Conflict) as exc:
        services.order_verify(order=own, by=both)
    assert exc.value.rule == "sys_same_person"
    with pytest.raises(NotPermitted):
        services.order_verify(order=_signed(chain), by=person("pharmacist"))  # no licence
    # the database refuses it too
    own.refresh_from_db()
    with pytest.raises(IntegrityError), transaction.atomic():
        TherapyOrder.objects.filter(pk=own.pk).update(status="verified", verified_by=both)


def _signed(chain):
    order = _order(chain)
    return services.order_sign(order=order, by=chain.doctor)


def test_release_only_verified_and_when_labs_meet(chain):
    order = _signed(chain)
    with pytest.raises(Conflict) as exc:
        services.day_release(order=order, day=1, by=chain.nurse)
    assert exc.value.rule == "sys_order_not_verified"
    services.order_verify(order=order, by=chain.pharmacist)
    rel = services.day_release(order=order, day=1, by=chain.nurse)
    assert rel.decision == "released" and all(c["met"] for c in rel.checks)
    with pytest.raises(Conflict):
        services.day_release(order=order, day=1, by=chain.nurse)
    with pytest.raises(ValidationFailed):
        services.day_release(order=order, day=2, by=chain.nurse)


def test_low_anc_holds_and_only_a_physician_overrides_with_reason(chain):
    start = timezone.localdate() - dt.timedelta(days=14)
    DosingMeasurement.objects.update(measured_on=start)
    order = _verified(chain, start_date=start)
    # day 15 is today; ANC today 0.8 < 1.0
    lab(chain.patient, chain.nurse, "751-8", "0.8", "10*9/L")
    with pytest.raises(Conflict) as exc:
        services.day_release(order=order, day=15, by=chain.nurse)
    assert exc.value.rule == "sys_hold_parameters" and exc.value.problems[0].field == "anc"
    with pytest.raises(NotPermitted):
        services.day_release(order=order, day=15, by=chain.nurse, override_reason="looks fine")
    held = services.day_hold(order=order, day=15, by=chain.nurse, reason="ANC 0.8")
    assert [h.pk for h in selectors.held_days(timezone.localdate())] == [held.pk]
    course_rows = selectors.concurrent_for_course(chain.course.pk)
    assert course_rows == []  # this order is not linked to the course
    rel = services.day_release(
        order=order, day=15, by=chain.doctor, override_reason="ANC recovering, G-CSF given"
    )
    assert rel.decision == "overridden" and selectors.held_days(timezone.localdate()) == []


def test_missing_labs_block_release(chain):
    order = _verified(chain, start_date=timezone.localdate() + dt.timedelta(days=3))
    with pytest.raises(Conflict) as exc:
        services.day_release(order=order, day=1, by=chain.nurse)
    assert {p.field for p in exc.value.problems} == {"anc", "plt", "creat", "tbil"}


def test_administration_two_person_and_matching_the_release(chain):
    order = _verified(chain)
    dose = order.doses.select_related("drug").get(day=1, drug__drug="paclitaxel")
    with pytest.raises(Conflict) as exc:
        _give(chain, dose)
    assert exc.value.rule == "sys_not_released"
    services.day_release(order=order, day=1, by=chain.nurse)
    for kw, field in [
        ({"checker": chain.nurse}, "witness_username"),
        ({"given_mg": dose.planned_mg + 1}, "given_mg"),
        ({"route": "po"}, "route"),
        ({"identifiers": ["name"]}, "identifiers"),
        ({"product_expiry": timezone.localdate() - dt.timedelta(days=1)}, "product_expiry"),
        ({"reaction": "flushing"}, "reaction_grade"),
    ]:
        with pytest.raises(ValidationFailed) as exc:
            _give(chain, dose, **kw)
        assert exc.value.problems[0].field == field
    assert Administration.objects.count() == 0
    a = _give(chain, dose, reaction="flushing", reaction_grade=1)
    assert a.nurse == chain.nurse and a.checker == chain.nurse2
    with pytest.raises(Conflict):
        _give(chain, dose)
    with pytest.raises(DatabaseError), transaction.atomic():
        Administration.objects.filter(pk=a.pk).update(given_mg=D("1"))
    with pytest.raises(DatabaseError), transaction.atomic():
        DayRelease.objects.update(reason="changed")


def test_cost_with_and_without_the_cancer_registration(chain):
    from oncocenter.oncology.models import CopayRegistration

    order = _order(chain)
    cost = selectors.cost_estimate(order)
    assert cost["rate_percent"] == D("30") and cost["days"] == 5
    CopayRegistration.objects.create(
        patient=chain.patient,
        registered_on=timezone.localdate() - dt.timedelta(days=10),
        expires_on=timezone.localdate() + dt.timedelta(days=5 * 365),
    )
    cost = selectors.cost_estimate(order)
    assert cost["rate_percent"] == D("5")
    assert cost["patient_share"] == (cost["total"] * D("0.05")).quantize(D("1"))
    assert cost["total"] == cost["drug_total"] + cost["fee_total"]


def test_treatment_days_on_lab_trends_and_rt_course(chain):
    order = _verified(chain, rt_course=chain.course)
    days = selectors.treatment_days(
        chain.patient,
        timezone.localdate() - dt.timedelta(days=1),
        timezone.localdate() + dt.timedelta(days=40),
    )
    assert len(days) == 5 and days[0][1] == "cross D1"
    rows = selectors.concurrent_for_course(chain.course.pk)
    assert rows[0]["order"] == order and len(rows[0]["days"]) == 5


def test_today_list_shows_readiness(chain):
    order = _verified(chain)
    rows = selectors.today_list(timezone.localdate())
    assert len(rows) == 1 and rows[0]["order"] == order and rows[0]["ready"]
    good_labs(chain.patient, chain.nurse, anc="0.5")
    rows = selectors.today_list(timezone.localdate())
    assert not rows[0]["ready"]
