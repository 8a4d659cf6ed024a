"""RT Plan parsing and plan-versus-prescription comparison on pydicom's bundled rtplan.dcm.

The sample plan: label 'Plan1', one fraction group of 30 fractions, one STATIC 6 MV photon
beam 'Field 1' on machine 'unit001', meterset 116.0037 MU and beam dose 1.02754 Gy per
fraction, Target Prescription Dose 30.826203 Gy (= 30 x 1.02754), approval UNAPPROVED.
"""

import copy
from pathlib import Path

import pydicom
import pytest
from pydicom.data import get_testdata_file

from oncocenter.radiotherapy.dicom_rtplan import (
    MachineSpec,
    PrescriptionSpec,
    RTPlanParseError,
    compare_plan_with_prescription,
    parse_rtplan,
)

SAMPLE = get_testdata_file("rtplan.dcm")

UNIT001 = MachineSpec(code="unit001", name="Sample unit", techniques=frozenset({"3D", "IMRT"}))
LINAC1 = MachineSpec(code="LINAC-1", techniques=frozenset({"3D", "IMRT", "VMAT", "SBRT"}))
# 30 x 1.03 Gy = 30.9 Gy; the plan's 30.826 Gy is 0.24 % lower: inside the 1 % tolerance.
MATCHING = PrescriptionSpec(
    technique="3D",
    fractions=30,
    dose_per_fraction_gy=1.03,
    total_dose_gy=30.9,
    patient_id="id00001",
)


@pytest.fixture
def plan():
    return parse_rtplan(SAMPLE)


def codes(mismatches):
    return sorted(m.code for m in mismatches)


def test_sample_is_available_offline():
    assert SAMPLE is not None and SAMPLE.endswith("rtplan.dcm")


def test_parse_sample(plan):
    assert plan.plan_label == "Plan1"
    assert plan.patient_id == "id00001"
    assert plan.approval_status == "UNAPPROVED"
    assert plan.fractions_planned == 30
    assert len(plan.fraction_groups) == 1
    assert plan.fraction_groups[0].beam_numbers == (1,)
    assert plan.fraction_groups[0].dose_per_fraction_gy == pytest.approx(1.0275401)
    (beam,) = plan.beams
    assert beam.name == "Field 1"
    assert beam.machine_name == "unit001"
    assert beam.radiation_type == "PHOTON"
    assert beam.nominal_energy == 6.0
    assert beam.meterset == pytest.approx(116.0036697)
    assert beam.dosimeter_unit == "MU"
    assert plan.machine_names == ("unit001",)
    assert plan.target_prescription_dose_gy == pytest.approx(30.826203)
    assert plan.total_meterset == pytest.approx(116.0036697)
    assert plan.technique_hint == "3D"
    assert not plan.is_brachytherapy
    data = plan.as_dict()
    assert data["beams"][0]["meterset"] == pytest.approx(116.0036697)
    assert data["machine_names"] == ["unit001"]


def test_parse_accepts_bytes_and_dataset():
    raw = Path(SAMPLE).read_bytes()
    assert parse_rtplan(raw).plan_label == "Plan1"
    assert parse_rtplan(pydicom.dcmread(SAMPLE)).plan_label == "Plan1"


def test_non_rtplan_is_rejected():
    with pytest.raises(RTPlanParseError, match="not an RT Plan"):
        parse_rtplan(get_testdata_file("CT_small.dcm"))


def test_file_without_meta_header_is_read():
    from pydicom.filebase import DicomBytesIO
    from pydicom.filewriter import write_dataset

    ds = pydicom.dcmread(SAMPLE)
    del ds.file_meta
    # The bare data set, implicit VR little endian, without preamble or meta header, as some
    # systems export it.
    buf = DicomBytesIO()
    buf.is_little_endian, buf.is_implicit_VR = True, True
    write_dataset(buf, ds)
    raw = buf.getvalue()
    assert b"DICM" not in raw[:200]
    assert parse_rtplan(raw).plan_label == "Plan1"


def test_ion_plan_is_refused_in_plain_words():
    ds = pydicom.dcmread(SAMPLE)
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.481.8"
    with pytest.raises(RTPlanParseError, match="ion plans are not supported"):
        parse_rtplan(ds)


def test_structure_set_is_named_not_called_unreadable():
    ds = pydicom.Dataset()
    ds.Modality = "RTSTRUCT"
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.481.3"
    with pytest.raises(RTPlanParseError, match="an RTSTRUCT object, not an RT Plan"):
        parse_rtplan(ds)


def test_garbage_is_rejected():
    with pytest.raises(RTPlanParseError, match="not a readable DICOM"):
        parse_rtplan(b"this is not dicom")


def test_matching_prescription_has_no_mismatch(plan):
    assert compare_plan_with_prescription(plan, MATCHING, [LINAC1, UNIT001]) == []


def test_machine_matched_by_name_or_alias_case_insensitive(plan):
    aliased = MachineSpec(code="LINAC-9", techniques=frozenset({"3D"}), aliases=("UNIT001",))
    assert compare_plan_with_prescription(plan, MATCHING, [aliased]) == []


def test_fraction_count_mismatch(plan):
    rx = PrescriptionSpec(
        technique="3D", fractions=25, dose_per_fraction_gy=1.03, total_dose_gy=25.75
    )
    found = compare_plan_with_prescription(plan, rx, [UNIT001])
    assert "fractions" in codes(found)
    m = next(m for m in found if m.code == "fractions")
    assert (m.field, m.expected, m.found) == ("number_of_fractions", "25", "30")


def test_unknown_machine(plan):
    found = compare_plan_with_prescription(plan, MATCHING, [LINAC1])
    assert codes(found) == ["machine_unknown"]
    assert found[0].found == "unit001"


def test_machine_not_capable_of_technique(plan):
    rx = PrescriptionSpec(
        technique="VMAT", fractions=30, dose_per_fraction_gy=1.03, total_dose_gy=30.9
    )
    found = compare_plan_with_prescription(plan, rx, [UNIT001])
    assert codes(found) == ["machine_incapable"]
    assert "VMAT" in found[0].message


def test_machine_out_of_service(plan):
    down = MachineSpec(code="unit001", techniques=frozenset({"3D"}), in_service=False)
    assert codes(compare_plan_with_prescription(plan, MATCHING, [down])) == [
        "machine_out_of_service"
    ]


def test_dose_mismatch_total_and_per_fraction(plan):
    rx = PrescriptionSpec(
        technique="3D", fractions=30, dose_per_fraction_gy=2.0, total_dose_gy=60.0
    )
    found = compare_plan_with_prescription(plan, rx, [UNIT001])
    assert codes(found) == ["dose_per_fraction", "dose_total"]
    total = next(m for m in found if m.code == "dose_total")
    assert (total.expected, total.found) == ("60", "30.8262")


def test_dose_tolerance_is_configurable(plan):
    # 30.826 vs 30.9 is 0.24 % off: rejected at a 0.1 % tolerance.
    found = compare_plan_with_prescription(plan, MATCHING, [UNIT001], dose_tolerance=0.001)
    assert codes(found) == ["dose_per_fraction", "dose_total"]


def test_patient_mismatch(plan):
    rx = PrescriptionSpec(
        technique="3D", fractions=30, dose_per_fraction_gy=1.03, total_dose_gy=30.9, patient_id="X"
    )
    assert codes(compare_plan_with_prescription(plan, rx, [UNIT001])) == ["patient"]


def test_electron_prescription_against_photon_plan(plan):
    e_machine = MachineSpec(code="unit001", techniques=frozenset({"ELECTRON"}))
    rx = PrescriptionSpec(
        technique="ELECTRON", fractions=30, dose_per_fraction_gy=1.03, total_dose_gy=30.9
    )
    found = compare_plan_with_prescription(plan, rx, [e_machine])
    assert codes(found) == ["technique"]
    assert found[0].field == "radiation_type"


def test_hdr_prescription_against_external_plan(plan):
    hdr = MachineSpec(code="unit001", techniques=frozenset({"HDR"}))
    rx = PrescriptionSpec(
        technique="HDR", fractions=30, dose_per_fraction_gy=1.03, total_dose_gy=30.9
    )
    assert "technique" in codes(compare_plan_with_prescription(plan, rx, [hdr]))


def test_several_fraction_groups_need_a_choice():
    ds = pydicom.dcmread(SAMPLE)
    second = copy.deepcopy(ds.FractionGroupSequence[0])
    second.FractionGroupNumber = 2
    second.NumberOfFractionsPlanned = 5
    ds.FractionGroupSequence.append(second)
    plan = parse_rtplan(ds)
    assert plan.fractions_planned is None
    assert codes(compare_plan_with_prescription(plan, MATCHING, [UNIT001])) == ["fraction_group"]
    assert compare_plan_with_prescription(plan, MATCHING, [UNIT001], fraction_group=1) == []
    found = compare_plan_with_prescription(plan, MATCHING, [UNIT001], fraction_group=2)
    assert codes(found) == ["fractions"]
    assert codes(compare_plan_with_prescription(plan, MATCHING, [UNIT001], fraction_group=7)) == [
        "fraction_group"
    ]


def test_arc_plan_hints_vmat_and_missing_machine_name():
    ds = pydicom.dcmread(SAMPLE)
    beam = ds.BeamSequence[0]
    beam.BeamType = "DYNAMIC"
    beam.ControlPointSequence[0].GantryRotationDirection = "CW"
    del beam.TreatmentMachineName
    plan = parse_rtplan(ds)
    assert plan.technique_hint == "VMAT"
    assert "machine_unknown" in codes(compare_plan_with_prescription(plan, MATCHING, [UNIT001]))
