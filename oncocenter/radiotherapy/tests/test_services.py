"""Service tests: one or more per interlock; each failure also checks nothing was written."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from pydicom.data import get_testdata_file

from oncocenter.core.errors import Conflict, NotPermitted, ValidationFailed
from oncocenter.machines.models import MachineKind
from oncocenter.radiotherapy import selectors
from oncocenter.radiotherapy import services as s
from oncocenter.radiotherapy.models import (
    ChecklistKind,
    CourseStatus,
    Delivery,
    DicomMachineName,
    Fraction,
    FractionStatus,
    Plan,
    PlanStatus,
    Prescription,
    PrescriptionStatus,
    PriorOrganDose,
    Signature,
)
from oncocenter.radiotherapy.tests.factories import (
    all_pass,
    machine,
    make_world,
    past,
    signed_days_ago,
    staff,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world()


def counts():
    return (
        Signature.objects.count(),
        Delivery.objects.count(),
        Plan.objects.count(),
        Prescription.objects.filter(fractions_delivered__gt=0).count(),
    )


# --- prescription signature ---------------------------------------------------------------------------


def test_prescription_signed_records_who_when_meaning_and_credential(w):
    rx = w.make_rx()
    assert rx.total_dose_gy == Decimal("10.000")
    sig = s.prescription_sign(prescription=rx, by=w.ro)
    rx.refresh_from_db()
    assert rx.status == PrescriptionStatus.SIGNED
    assert sig.signer == w.ro and sig.meaning == "prescription-signed" and sig.signed_at is not None
    assert sig.credential_number.startswith("specialist_radiation_oncology:")
    assert sig.signed_version == 1


def test_prescription_sign_wrong_role_refused(w):
    rx = w.make_rx()
    with pytest.raises(NotPermitted, match=r"rt\.prescription\.sign"):
        s.prescription_sign(prescription=rx, by=w.dosimetrist)
    assert not Signature.objects.exists()


def test_prescription_sign_expired_credential_refused(w):
    rx = w.make_rx()
    expired = staff("radiation_oncologist", expired=True)
    with pytest.raises(NotPermitted, match="current credential"):
        s.prescription_sign(prescription=rx, by=expired)
    rx.refresh_from_db()
    assert rx.status == PrescriptionStatus.DRAFT and not Signature.objects.exists()


def test_prescription_bad_input_names_fields(w):
    w.make_course()
    with pytest.raises(ValidationFailed) as exc:
        s.prescription_create(
            course=w.course,
            by=w.ro,
            **{
                "site": "",
                "technique": "GAMMA",
                "dose_per_fraction_gy": "-2",
                "number_of_fractions": 0,
                "pattern": "weekly",
                "intent": "curative",
            },
        )
    fields = {p.field for p in exc.value.problems}
    assert {"site", "technique", "dose_per_fraction_gy", "number_of_fractions", "pattern"} <= fields
    assert not Prescription.objects.exists()


def test_prescription_total_must_match(w):
    w.make_course()
    with pytest.raises(ValidationFailed) as exc:
        s.prescription_create(
            course=w.course,
            by=w.ro,
            **{
                "site": "Lung",
                "technique": "3D",
                "dose_per_fraction_gy": "2",
                "number_of_fractions": 30,
                "total_dose_gy": "66",
                "intent": "curative",
            },
        )
    assert exc.value.problems[0].field == "total_dose_gy"


def test_gap_sensitive_site_from_diagnosis_codes(w):
    rx = w.make_rx(icd10_code="C10.9", icdo3_morphology="8070/3")
    assert rx.gap_sensitive_site == "head-neck"


# --- plan approval, physics check, PSQA -------------------------------------------------------------------


def test_plan_approval_needs_signed_prescription(w):
    w.make_rx()
    w.make_plan()
    with pytest.raises(Conflict) as exc:
        s.plan_approve(plan=w.plan, by=w.ro)
    assert exc.value.rule == "prescription_not_signed"
    assert not Signature.objects.exists()


def test_plan_must_match_prescription_and_capable_machine(w):
    w.make_rx(technique="VMAT")
    old = machine("LINAC-OLD", ("3D",))
    with pytest.raises(Conflict) as exc:
        s.plan_create(
            prescription=w.rx,
            by=w.dosimetrist,
            label="P",
            machine=old,
            fractions_planned=4,
            dose_per_fraction_gy="2",
        )
    assert exc.value.rule == "plan_mismatch"
    assert {p.field for p in exc.value.problems} == {"fractions_planned", "machine"}
    assert not Plan.objects.exists()


def test_physicist_who_planned_cannot_check(w):
    w.make_rx()
    s.prescription_sign(prescription=w.rx, by=w.ro)
    plan = s.plan_create(
        prescription=w.rx,
        by=w.physicist,
        label="P",
        machine=w.linac,
        fractions_planned=5,
        dose_per_fraction_gy="2",
    )
    s.plan_approve(plan=plan, by=w.ro)
    with pytest.raises(Conflict) as exc:
        s.physics_check_record(plan=plan, by=w.physicist, results=all_pass())
    assert exc.value.rule == "physicist_is_planner"
    check = s.physics_check_record(plan=plan, by=w.physicist2, results=all_pass())
    assert check.passed and Plan.objects.get(pk=plan.pk).status == PlanStatus.CHECKED


def test_physics_check_needs_every_item_and_comment_on_fail(w):
    w.make_rx()
    s.prescription_sign(prescription=w.rx, by=w.ro)
    w.make_plan()
    s.plan_approve(plan=w.plan, by=w.ro)
    results = all_pass()
    missing = results.pop("IP-05")
    assert missing == "pass"
    results["IP-01"] = "fail"
    with pytest.raises(ValidationFailed) as exc:
        s.physics_check_record(plan=w.plan, by=w.physicist, results=results)
    assert {p.field for p in exc.value.problems} == {"results.IP-05", "results.IP-01"}
    results["IP-05"] = "pass"
    results["IP-01"] = {"result": "fail", "comment": "energy differs from the directive"}
    check = s.physics_check_record(plan=w.plan, by=w.physicist, results=results)
    assert not check.passed
    assert Plan.objects.get(pk=w.plan.pk).status == PlanStatus.APPROVED


def test_physics_check_before_approval_refused(w):
    w.make_rx()
    w.make_plan()
    with pytest.raises(Conflict) as exc:
        s.physics_check_record(plan=w.plan, by=w.physicist, results=all_pass())
    assert exc.value.rule == "plan_not_approved"


# --- delivery interlocks ---------------------------------------------------------------------------------


def test_delivery_before_approval_refused(w):
    w.make_rx()
    s.prescription_sign(prescription=w.rx, by=w.ro)
    w.make_plan()
    (first, *_) = w.schedule()
    before = counts()
    with pytest.raises(Conflict) as exc:
        w.deliver(first, past(3))
    assert exc.value.rule == "plan_not_approved"
    s.plan_approve(plan=w.plan, by=w.ro)
    with pytest.raises(Conflict) as exc:
        w.deliver(first, past(3))
    assert exc.value.rule == "physics_check_missing"
    assert counts()[1:] == before[1:]


def test_delivery_needs_psqa_for_imrt(w):
    with signed_days_ago(30):
        w.make_rx(technique="IMRT")
        s.prescription_sign(prescription=w.rx, by=w.ro)
        w.make_plan()
        s.plan_approve(plan=w.plan, by=w.ro)
        s.physics_check_record(plan=w.plan, by=w.physicist, results=all_pass())
    (first, *_) = w.schedule()
    with pytest.raises(Conflict) as exc:
        w.deliver(first, past(3))
    assert exc.value.rule == "psqa_missing"
    with signed_days_ago(20):
        s.psqa_record(
            plan=w.plan,
            by=w.physicist,
            method="gamma 3%/2mm",
            passing_rate_pct=91,
            action_limit_pct=95,
        )
    with pytest.raises(Conflict):
        w.deliver(first, past(3))  # a failed PSQA does not count
    with signed_days_ago(10):
        s.psqa_record(plan=w.plan, by=w.physicist, method="gamma 3%/2mm", passing_rate_pct=97.2)
    assert w.deliver(first, past(3)).status == "recorded"


def test_delivery_by_wrong_role_or_expired_therapist(w):
    w.ready()
    (first, *_) = w.schedule()
    with pytest.raises(NotPermitted):
        w.deliver(first, past(3), by=w.physicist)
    with pytest.raises(NotPermitted, match="current credential"):
        w.deliver(first, past(3), by=staff("radiation_therapist", expired=True))
    assert not Delivery.objects.exists()


@pytest.mark.parametrize(
    "identifiers",
    [
        {"mrn": "SELF"},  # one identifier only
        {"mrn": "SELF", "birth_date": "1999-01-01"},  # second does not match
        {"mrn": "SELF", "mrn_again": "SELF"},  # unknown kind
    ],
)
def test_two_patient_identifiers_required(w, identifiers):
    w.ready()
    (first, *_) = w.schedule()
    ids = {k: (w.patient.mrn if v == "SELF" else v) for k, v in identifiers.items()}
    with pytest.raises(ValidationFailed) as exc:
        w.deliver(first, past(3), identifiers=ids)
    assert any(p.field.startswith("identifiers") for p in exc.value.problems)
    assert not Delivery.objects.exists()


def test_name_in_hangul_counts_as_identifier(w):
    w.ready()
    (first, *_) = w.schedule()
    d = w.deliver(
        first, past(3), identifiers={"name": w.patient.name_ko, "birth_date": w.patient.birth_date}
    )
    assert d.identifiers_confirmed == ["birth_date", "name"]


def test_machine_out_of_service_or_incapable_refused(w):
    w.ready()
    (first, *_) = w.schedule()
    down = machine("LINAC-DOWN", ("3D",), in_service=False)
    electrons_only = machine("LINAC-E", ("ELECTRON",))
    with pytest.raises(Conflict) as exc:
        w.deliver(first, past(3), machine=down)
    assert exc.value.rule == "machine_out_of_service"
    with pytest.raises(Conflict) as exc:
        w.deliver(first, past(3), machine=electrons_only)
    assert exc.value.rule == "machine_incapable"
    assert not Delivery.objects.exists()


def test_never_more_fractions_than_prescribed(w):
    w.ready()
    sessions = w.schedule()
    for i, f in enumerate(sessions):
        w.deliver(f, past(10 - i))
    w.rx.refresh_from_db()
    assert w.rx.fractions_delivered == 5
    extra = Fraction.objects.create(prescription=w.rx, plan=w.plan, sequence=99)
    # The last fraction completed the course: nothing more is recorded on it.
    with pytest.raises(Conflict) as exc:
        w.deliver(extra, past(1))
    assert exc.value.rule == "course_closed"
    assert Delivery.objects.count() == 5
    assert sorted(
        Fraction.objects.exclude(delivered_number=None).values_list("delivered_number", flat=True)
    ) == [1, 2, 3, 4, 5]


def test_completed_course_still_shows_its_signed_prescription_but_is_not_ready(w):
    w.ready()
    for i, f in enumerate(w.schedule()):
        w.deliver(f, past(10 - i))
    w.rx.refresh_from_db()
    assert w.rx.status == PrescriptionStatus.COMPLETED
    w.plan.refresh_from_db()  # drops the cached prescription read before completion
    readiness = selectors.plan_readiness(plan=w.plan)
    # The prescription was signed (the page keeps the tick), but nothing more may be treated.
    assert readiness["prescription_signed"] is True
    assert readiness["ready"] is False


def test_database_refuses_over_delivery_even_without_the_service(w):
    w.make_rx()
    with pytest.raises(IntegrityError), transaction.atomic():
        Prescription.objects.filter(pk=w.rx.pk).update(fractions_delivered=6)


def test_twice_daily_six_hours_apart(w):
    w.ready(pattern="bid", number_of_fractions=4)
    a, b, c, _d = w.schedule()
    assert a.scheduled_date == b.scheduled_date
    w.deliver(a, past(3, 8))
    with pytest.raises(Conflict) as exc:
        w.deliver(b, past(3, 13, 30))
    assert exc.value.rule == "bid_interval"
    w.deliver(b, past(3, 14))
    with pytest.raises(Conflict) as exc:
        w.deliver(c, past(3, 20, 30))
    assert exc.value.rule == "fractions_per_day"


def test_daily_course_one_fraction_a_day(w):
    w.ready()
    a, b, *_ = w.schedule()
    w.deliver(a, past(3, 8))
    with pytest.raises(Conflict) as exc:
        w.deliver(b, past(3, 16))
    assert exc.value.rule == "fractions_per_day"


def test_partial_treatment_then_completion(w):
    w.ready()
    (first, *_) = w.schedule()
    d = w.deliver(first, past(3, 9), meterset_delivered="80", partial=True)
    first.refresh_from_db()
    assert first.status == FractionStatus.PARTIAL and first.delivered_number == 1
    assert d.dose_delivered_gy == Decimal("0.800")  # 2 Gy x 80/200 MU
    with pytest.raises(Conflict) as exc:
        w.deliver(first, past(3, 10), meterset_delivered="130")
    assert exc.value.rule == "meterset_exceeds_plan"
    w.deliver(first, past(3, 10), meterset_delivered="120")
    first.refresh_from_db()
    w.rx.refresh_from_db()
    assert first.status == FractionStatus.TREATED and first.dose_delivered_gy == Decimal("2.000")
    assert w.rx.fractions_delivered == 1


def test_partial_requires_meterset(w):
    w.ready()
    (first, *_) = w.schedule()
    with pytest.raises(ValidationFailed) as exc:
        w.deliver(first, past(3), partial=True)
    assert exc.value.problems[0].field == "meterset_delivered"


def test_delivery_in_future_or_naive_refused(w):
    w.ready()
    (first, *_) = w.schedule()
    with pytest.raises(ValidationFailed):
        w.deliver(first, timezone.now() + dt.timedelta(hours=2))
    with pytest.raises(ValidationFailed):
        w.deliver(first, dt.datetime(2026, 1, 1, 9))


def test_correction_marks_entered_in_error_never_deletes(w):
    w.ready()
    a, b, *_ = w.schedule()
    d1 = w.deliver(a, past(4))
    w.deliver(b, past(3))
    with pytest.raises(ValidationFailed):
        s.delivery_mark_entered_in_error(delivery=d1, by=w.therapist, reason="")
    s.delivery_mark_entered_in_error(
        delivery=d1, by=w.therapist, reason="recorded on the wrong patient"
    )
    d1.refresh_from_db()
    a.refresh_from_db()
    w.rx.refresh_from_db()
    assert d1.status == "entered-in-error" and d1.errored_by == w.therapist and d1.error_reason
    assert a.status == FractionStatus.SCHEDULED and a.delivered_number is None
    assert w.rx.fractions_delivered == 1
    assert Delivery.objects.count() == 2
    # Delivered again later: takes the free fraction number 1.
    w.deliver(a, past(2))
    a.refresh_from_db()
    assert a.delivered_number == 1


def test_correction_of_meterset_creates_a_new_record(w):
    w.ready()
    (a, *_) = w.schedule()
    d1 = w.deliver(a, past(4), meterset_delivered="100", partial=True)
    new = s.delivery_correct(
        delivery=d1,
        by=w.therapist,
        reason="typing error at the console",
        meterset_delivered="200",
        partial=False,
    )
    d1.refresh_from_db()
    a.refresh_from_db()
    assert d1.status == "entered-in-error" and new.replaces == d1
    assert a.status == FractionStatus.TREATED and a.meterset_delivered == Decimal("200.00")


# --- edits after signature --------------------------------------------------------------------------------


def test_prescription_edit_voids_signatures_and_blocks_delivery(w):
    w.ready()
    (a, b, *_) = w.schedule()
    w.deliver(a, past(4))
    s.prescription_update(prescription=w.rx, by=w.ro, number_of_fractions=6)
    w.rx.refresh_from_db()
    w.plan.refresh_from_db()
    assert w.rx.status == PrescriptionStatus.DRAFT and w.rx.version == 2
    assert w.plan.status == PlanStatus.DRAFT
    voided = Signature.objects.filter(voided_at__isnull=False)
    assert set(voided.values_list("meaning", flat=True)) == {
        "prescription-signed",
        "plan-approved",
        "physics-check",
    }
    assert all(v.voided_reason for v in voided)
    with pytest.raises(Conflict) as exc:
        w.deliver(b, past(3))
    assert exc.value.rule == "prescription_not_signed"


def test_prescription_cannot_go_below_delivered(w):
    w.ready()
    sessions = w.schedule()
    for i, f in enumerate(sessions[:3]):
        w.deliver(f, past(6 - i))
    with pytest.raises(ValidationFailed) as exc:
        s.prescription_update(prescription=w.rx, by=w.ro, number_of_fractions=2)
    assert exc.value.problems[0].field == "number_of_fractions"


def test_plan_edit_voids_approval_check_and_psqa(w):
    w.ready(technique="VMAT")
    s.plan_update(plan=w.plan, by=w.dosimetrist, meterset_per_fraction="210")
    w.plan.refresh_from_db()
    assert w.plan.status == PlanStatus.DRAFT and w.plan.version == 2
    assert not Signature.objects.filter(plan=w.plan, voided_at__isnull=True).exists()
    assert not selectors.plan_readiness(plan=w.plan)["ready"]


# --- dose limits and overrides ----------------------------------------------------------------------------


def test_dose_over_limit_needs_override_with_justification(w):
    w.make_rx()
    s.prescription_sign(prescription=w.rx, by=w.ro)
    w.make_plan()
    s.plan_set_organ_doses(
        plan=w.plan,
        by=w.dosimetrist,
        doses=[
            {"organ": "Spinal cord", "metric": "Dmax", "value": 52, "unit": "Gy"},
            {"organ": "Lungs", "metric": "V20", "value": 22, "unit": "%"},
        ],
    )
    with pytest.raises(Conflict) as exc:
        s.plan_approve(plan=w.plan, by=w.ro)
    assert exc.value.rule == "dose_limit_without_override"
    assert "Spinal cord" in str(exc.value)
    with pytest.raises(ValidationFailed) as exc:
        s.dose_override_sign(
            plan=w.plan, by=w.ro, organ="Spinal cord", metric="Dmax", justification="ok"
        )
    assert exc.value.problems[0].field == "justification"
    with pytest.raises(NotPermitted):
        s.dose_override_sign(
            plan=w.plan,
            by=w.dosimetrist,
            organ="Spinal cord",
            metric="Dmax",
            justification="palliative re-treatment, cord dose accepted",
        )
    ov = s.dose_override_sign(
        plan=w.plan,
        by=w.ro,
        organ="Spinal cord",
        metric="Dmax",
        justification="Tumour abuts the cord; 52 Gy accepted after discussion with patient",
    )
    assert ov.value == Decimal("52.00") and ov.limit == Decimal("50.00")
    # The database keeps the override as signed (append-only; voided through its signature).
    from django.db import DatabaseError

    from oncocenter.radiotherapy.models import DoseOverride

    with pytest.raises(DatabaseError), transaction.atomic():
        DoseOverride.objects.filter(pk=ov.pk).update(justification="edited afterwards")
    s.plan_approve(plan=w.plan, by=w.ro)


def test_cumulative_eqd2_for_reirradiation_needs_override(w):
    PriorOrganDose.objects.create(
        patient=w.patient,
        organ="Spinal cord",
        total_dose_gy=40,
        fractions=20,
        treated_year=2021,
        source="summary from another hospital",
        entered_by=w.ro,
    )
    course = w.make_course()
    assert course.is_reirradiation
    w.make_rx(dose_per_fraction_gy="4", number_of_fractions=5)
    s.prescription_sign(prescription=w.rx, by=w.ro)
    w.make_plan()
    # cord 20 Gy / 5 fx: under the 50 Gy physical limit, but cumulative EQD2 (a/b 2) is
    # 40 + 20 * (4 + 2) / (2 + 2) = 40 + 30 = 70 Gy > 50 Gy
    s.plan_set_organ_doses(
        plan=w.plan,
        by=w.dosimetrist,
        doses=[{"organ": "Spinal cord", "metric": "Dmax", "value": 20, "unit": "Gy"}],
    )
    failures = selectors.plan_constraint_failures(plan=w.plan)
    assert [(f["organ"], f["cumulative"], f["value"]) for f in failures] == [
        ("Spinal cord", True, 70.0)
    ]
    with pytest.raises(Conflict):
        s.plan_approve(plan=w.plan, by=w.ro)
    s.dose_override_sign(
        plan=w.plan,
        by=w.ro,
        organ="Spinal cord",
        metric="Dmax",
        cumulative=True,
        justification="Re-irradiation for recurrence; 70 Gy EQD2 cumulative cord dose accepted",
    )
    s.plan_approve(plan=w.plan, by=w.ro)


def test_editing_organ_doses_after_approval_voids_it(w):
    w.ready()
    s.plan_set_organ_doses(
        plan=w.plan,
        by=w.dosimetrist,
        doses=[{"organ": "Heart", "metric": "Dmean", "value": 5, "unit": "Gy"}],
    )
    w.plan.refresh_from_db()
    assert w.plan.status == PlanStatus.DRAFT


# --- DICOM RT Plan import (acceptance) ----------------------------------------------------------------------


def _sample_bytes():
    return Path(get_testdata_file("rtplan.dcm")).read_bytes()


def _sample_world(w):
    # The sample plan is for Patient ID 'id00001' on machine 'unit001', 30 x 1.0275 Gy (3D, 6 MV).
    w.patient.mrn = "id00001"
    w.patient.save(update_fields=["mrn"])
    DicomMachineName.objects.create(dicom_name="unit001", machine=w.linac)
    return w.make_rx(dose_per_fraction_gy="1.03", number_of_fractions=30, technique="3D")


def test_sample_rtplan_imports_into_matching_prescription(w):
    rx = _sample_world(w)
    plan = s.plan_import_dicom(prescription=rx, by=w.dosimetrist, content=_sample_bytes())
    assert plan.label == "Plan1" and plan.machine == w.linac and plan.fractions_planned == 30
    assert plan.meterset_per_fraction == Decimal("116.00")
    assert plan.dicom_summary["target_prescription_dose_gy"] == pytest.approx(30.826203)
    assert plan.beams[0]["machine_name"] == "unit001"
    with pytest.raises(Conflict) as exc:
        s.plan_import_dicom(prescription=rx, by=w.dosimetrist, content=_sample_bytes())
    assert exc.value.rule == "rtplan_duplicate"


def test_sample_rtplan_rejected_against_mismatching_prescription(w):
    _sample_world(w)
    rx = w.make_rx(dose_per_fraction_gy="2", number_of_fractions=25, technique="VMAT")
    DicomMachineName.objects.all().delete()
    with pytest.raises(Conflict) as exc:
        s.plan_import_dicom(prescription=rx, by=w.dosimetrist, content=_sample_bytes())
    assert exc.value.rule == "rtplan_mismatch"
    codes = {p.message.split(":")[0] for p in exc.value.problems}
    assert {"fractions", "machine_unknown", "dose_total", "dose_per_fraction"} <= codes
    assert not Plan.objects.exists()


def test_rtplan_import_machine_not_capable(w):
    rx = _sample_world(w)
    DicomMachineName.objects.all().delete()
    machine("unit001", ("ELECTRON",))
    with pytest.raises(Conflict) as exc:
        s.plan_import_dicom(prescription=rx, by=w.dosimetrist, content=_sample_bytes())
    assert "machine_incapable" in str(exc.value)


def test_rtplan_import_bad_file(w):
    rx = w.make_rx()
    with pytest.raises(ValidationFailed) as exc:
        s.plan_import_dicom(prescription=rx, by=w.dosimetrist, content=b"not dicom")
    assert exc.value.problems[0].field == "file"


# --- HDR brachytherapy ----------------------------------------------------------------------------------


def test_hdr_needs_team_present(w):
    hdr = machine("HDR-1", ("HDR",), kind=MachineKind.AFTERLOADER)
    w.make_rx(
        technique="HDR",
        dose_per_fraction_gy="7",
        number_of_fractions=4,
        energy="Ir-192",
        icd10_code="C53.9",
    )
    with signed_days_ago(30):
        s.prescription_sign(prescription=w.rx, by=w.ro)
        w.make_plan(machine=hdr, meterset_per_fraction=None)
        s.plan_approve(plan=w.plan, by=w.ro)
        s.physics_check_record(plan=w.plan, by=w.physicist, results=all_pass())
    (first, *_) = w.schedule()
    with pytest.raises(Conflict) as exc:
        w.deliver(first, past(3), machine=hdr)
    assert exc.value.rule == "hdr_team_absent"
    with pytest.raises(ValidationFailed) as exc:
        s.brachy_session_set(
            fraction=first,
            by=w.physicist,
            applicator="tandem and ovoids",
            room="B1",
            afterloader=hdr,
            anesthesia=True,
            physician_present=w.ro,
            physicist_present=w.physicist,
        )
    assert exc.value.problems[0].field == "anesthesiologist"
    s.brachy_session_set(
        fraction=first,
        by=w.physicist,
        applicator="tandem and ovoids",
        room="B1",
        afterloader=hdr,
        anesthesia=True,
        physician_present=w.ro,
        physicist_present=w.physicist,
        anesthesiologist=staff("anesthesiologist"),
    )
    assert w.deliver(first, past(3), machine=hdr).dose_delivered_gy == Decimal("7.000")


# --- on-treatment care, interruptions, closing ------------------------------------------------------------


def test_weekly_review_with_ctcae_grades(w):
    w.ready()
    with pytest.raises(ValidationFailed) as exc:
        s.weekly_review_record(
            course=w.course,
            by=w.ro,
            reviewed_on=timezone.localdate(),
            grades={"fatigue": 4, "nonsense": 1},
        )
    assert {p.field for p in exc.value.problems} == {"grades.fatigue", "grades.nonsense"}
    review = s.weekly_review_record(
        course=w.course,
        by=w.ro,
        reviewed_on=timezone.localdate(),
        grades={"fatigue": 1, "dermatitis-radiation": 2, "mucositis-oral": 0},
    )
    assert {g.term.code: g.grade for g in review.grades.all()}["dermatitis-radiation"] == 2
    assert review.signature.meaning == "weekly-review"


def test_interruption_flagged_for_gap_sensitive_site(w):
    w.ready(icd10_code="C32.1", number_of_fractions=10)
    sessions = w.schedule(start=timezone.localdate() - dt.timedelta(days=21))
    cal = selectors.treatment_calendar()
    days = cal.open_days(
        timezone.localdate() - dt.timedelta(days=21), timezone.localdate() - dt.timedelta(days=1)
    )
    # treat on the 1st, 2nd and 4th open day: one day lost, then the course keeps going
    for f, day in zip(sessions, [days[0], days[1], days[3]], strict=False):
        w.deliver(f, timezone.make_aware(dt.datetime.combine(day, dt.time(9))))
    items = selectors.worklist_interruptions()
    assert len(items) == 1
    report = items[0]["report"]
    assert report.gap_sensitive_site == "head-neck" and report.compensation_needed
    assert report.days_lost >= 1


def test_course_close_and_end_of_treatment_check(w):
    w.ready()
    for i, f in enumerate(w.schedule()):
        w.deliver(f, past(8 - i))
    # The last fraction completes the course, with its real first and last treatment days.
    w.course.refresh_from_db()
    assert w.course.status == CourseStatus.COMPLETED
    assert (w.course.started_on, w.course.ended_on) == (past(8).date(), past(4).date())
    with pytest.raises(Conflict) as exc:
        s.course_close(course=w.course, by=w.ro, status=CourseStatus.COMPLETED)
    assert exc.value.rule == "course_closed"
    assert any(i["kind"] == "end" for i in selectors.worklist_physics_checks_due())
    s.chart_check_record(
        course=w.course, by=w.physicist, kind=ChecklistKind.END, results=all_pass("end")
    )
    assert not any(i["kind"] == "end" for i in selectors.worklist_physics_checks_due())


def test_worklists(w):
    w.make_rx()
    assert list(selectors.worklist_prescriptions_to_sign()) == [w.rx]
    s.prescription_sign(prescription=w.rx, by=w.ro)
    w.make_plan()
    assert list(selectors.worklist_plans_to_approve()) == [w.plan]
    s.plan_approve(plan=w.plan, by=w.ro)
    assert [i["kind"] for i in selectors.worklist_physics_checks_due()] == ["initial"]


# --- links to the oncology record ---------------------------------------------------------------------------


def test_prescription_linked_to_diagnosis_copies_codes(w):
    from oncocenter.oncology.tests.factories import DiagnosisFactory

    dx = DiagnosisFactory(
        patient=w.patient, icd10_code="C34.1", icdo3_topography="C34.1", icdo3_morphology="8070/3"
    )
    rx = w.make_rx(diagnosis=dx.pk)
    assert rx.diagnosis == dx and rx.icd10_code == "C34.1" and rx.gap_sensitive_site == "lung-scc"
    other = DiagnosisFactory()
    with pytest.raises(ValidationFailed) as exc:
        w.make_rx(diagnosis=other.pk)
    assert exc.value.problems[0].field == "diagnosis"


def test_course_start_and_end_recorded_as_treatment_episode(w):
    from oncocenter.oncology.models import TreatmentEpisode
    from oncocenter.oncology.tests.factories import DiagnosisFactory

    dx = DiagnosisFactory(patient=w.patient)
    w.ready(diagnosis=dx.pk)
    sessions = w.schedule()
    for i, f in enumerate(sessions[:-1]):
        w.deliver(f, past(9 - i))
    episode = TreatmentEpisode.objects.get(patient=w.patient)
    assert (
        episode.modality == "radiotherapy" and episode.diagnosis == dx and episode.ended_on is None
    )
    assert episode.source == f"radiotherapy.course:{w.course.pk}"
    w.deliver(sessions[-1], past(5))  # the last fraction closes the course and the episode
    episode.refresh_from_db()
    assert episode.ended_on == w.course.__class__.objects.get(pk=w.course.pk).ended_on


def test_machine_out_of_service_cannot_be_booked(w):
    w.ready()
    down = machine("LINAC-OFF", ("3D",), in_service=False)
    with pytest.raises(Conflict) as exc:
        s.fractions_schedule(
            plan=w.plan, by=w.scheduler, start_date=timezone.localdate(), machine=down
        )
    assert exc.value.rule == "machine_out_of_service"
    assert not Fraction.objects.exists()


def test_missed_session_gets_a_replacement(w):
    w.ready()
    sessions = w.schedule()
    s.fraction_mark_missed(fraction=sessions[0], by=w.scheduler, reason="patient unwell")
    assert Fraction.objects.filter(prescription=w.rx, status="scheduled").count() == 5
    assert Fraction.objects.get(pk=sessions[0].pk).status == "missed"


def test_database_keeps_signatures_and_deliveries_append_only(w):
    from django.db import DatabaseError

    w.ready()
    (a, *_) = w.schedule()
    d = w.deliver(a, past(3))
    sig = Signature.objects.filter(meaning="plan-approved").first()
    with pytest.raises(DatabaseError), transaction.atomic():
        Signature.objects.filter(pk=sig.pk).update(signer=w.dosimetrist)
    with pytest.raises(DatabaseError), transaction.atomic():
        Delivery.objects.filter(pk=d.pk).update(meterset_delivered=Decimal("1"))
    # Voiding once, and marking entered-in-error once, are the allowed changes.
    Signature.objects.filter(pk=sig.pk).update(voided_at=timezone.now(), voided_reason="test")
    with pytest.raises(DatabaseError), transaction.atomic():
        Signature.objects.filter(pk=sig.pk).update(voided_reason="changed my mind")
    s.delivery_mark_entered_in_error(delivery=d, by=w.therapist, reason="test correction")
    with pytest.raises(DatabaseError), transaction.atomic():
        Delivery.objects.filter(pk=d.pk).update(status="recorded", errored_at=None, error_reason="")


def test_plan_no_longer_matching_edited_prescription_cannot_be_approved(w):
    w.ready()
    s.prescription_update(prescription=w.rx, by=w.ro, dose_per_fraction_gy="2.5")
    s.prescription_sign(prescription=w.rx, by=w.ro)
    with pytest.raises(Conflict) as exc:
        s.plan_approve(plan=w.plan, by=w.ro)
    assert exc.value.rule == "plan_mismatch"
    assert exc.value.problems[0].field == "dose_per_fraction_gy"
    s.plan_update(plan=w.plan, by=w.dosimetrist, dose_per_fraction_gy="2.5")
    s.plan_approve(plan=w.plan, by=w.ro)


def test_interruption_review_takes_it_off_the_worklist_until_more_days_are_lost(w):
    w.ready(icd10_code="C53.9", number_of_fractions=10)
    start = timezone.localdate() - dt.timedelta(days=21)
    sessions = w.schedule(start=start)
    days = selectors.treatment_calendar().open_days(
        start, timezone.localdate() - dt.timedelta(days=1)
    )
    for f, day in zip(sessions, [days[0], days[2]], strict=False):
        w.deliver(f, timezone.make_aware(dt.datetime.combine(day, dt.time(9))))
    assert len(selectors.worklist_interruptions()) == 1
    with pytest.raises(ValidationFailed) as exc:
        s.interruption_review_record(prescription=w.rx, by=w.ro, decision="maybe", note="")
    assert {p.field for p in exc.value.problems} == {"decision", "note"}
    with pytest.raises(NotPermitted):
        s.interruption_review_record(
            prescription=w.rx, by=w.therapist, decision="compensate", note="x"
        )
    review = s.interruption_review_record(
        prescription=w.rx, by=w.ro, decision="compensate", note="Two fractions 6 h apart on Friday"
    )
    assert review.days_lost >= 1
    assert selectors.worklist_interruptions() == []
