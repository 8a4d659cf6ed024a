"""DVH text export reader (synthetic export in the Eclipse layout)."""

import pytest

from oncocenter.radiotherapy.dvh import DvhParseError, parse_dvh_export

EXPORT = """Patient Name         : TEST^PATIENT
Plan: LUNG1

Structure: SpinalCord
Approval Status: Approved
Volume [cm³]: 40.1
Min Dose [Gy]: 0.2
Max Dose [Gy]: 44.6
Mean Dose [Gy]: 18.3

                  Dose [Gy]        Relative dose [%]  Ratio of Total Structure Volume [%]
                          0                        0                       100
                         20                     33.3                        50
                         40                     66.7                        10
                       44.6                     74.3                         0

Structure: Lung_Total
Min Dose [cGy]: 10
Max Dose [cGy]: 6500
Mean Dose [cGy]: 1420

                  Dose [cGy]       Relative dose [%]  Ratio of Total Structure Volume [%]
                          0                        0                       100
                       1000                     16.7                        40
                       3000                     50.0                        20
                       6500                    108.3                         0

Structure: Parotid_L
Max Dose [Gy]: 50
Mean Dose [Gy]: 22.5

Structure: Parotid_R
Max Dose [Gy]: 48
Mean Dose [Gy]: 26.1
"""


def test_reads_statistics_units_and_vx():
    rows = {(m.organ, m.metric): m for m in parse_dvh_export(EXPORT, volume_metrics=["V20", "V5"])}
    assert rows[("Spinal cord", "Dmax")].value == pytest.approx(44.6)
    assert rows[("Spinal cord", "Dmean")].value == pytest.approx(18.3)
    # cGy converted: 6500 cGy -> 65 Gy, 1420 cGy -> 14.2 Gy
    assert rows[("Lungs", "Dmax")].value == pytest.approx(65.0)
    assert rows[("Lungs", "Dmean")].value == pytest.approx(14.2)
    # V20 on the lung curve: between (10 Gy, 40 %) and (30 Gy, 20 %): 40 + (20-40) * (20-10)/(30-10) = 30 %
    assert rows[("Lungs", "V20")].value == pytest.approx(30.0)
    assert rows[("Lungs", "V20")].unit == "%"
    # V5: between (0, 100) and (10, 40): 100 - 60 * 5/10 = 70 %
    assert rows[("Lungs", "V5")].value == pytest.approx(70.0)
    # two parotids map to one organ: the higher mean (26.1) is kept
    assert rows[("Parotid", "Dmean")].value == pytest.approx(26.1)


def test_custom_alias_and_unknown_structure_kept():
    rows = parse_dvh_export(
        "Structure: PRV_cord_5mm\nMax Dose [Gy]: 47.0\n", aliases={"PRV_cord_5mm": "Spinal cord"}
    )
    assert [(m.organ, m.metric, m.value) for m in rows] == [("Spinal cord", "Dmax", 47.0)]
    rows = parse_dvh_export("Structure: Femoral head L\nMax Dose [Gy]: 30\n")
    assert rows[0].organ == "Femoral head L"


@pytest.mark.parametrize(
    "text", ["", "Patient: x\nno blocks here", "Structure: Heart\nVolume [cm³]: 500\n"]
)
def test_unreadable_exports_are_rejected(text):
    with pytest.raises(DvhParseError):
        parse_dvh_export(text)
