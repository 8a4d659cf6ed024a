"""DVH from an RT Structure Set and an RT Dose built here with pydicom, against answers worked
out by hand: a 10 x 10 mm square on four 2 mm planes in a dose that rises 0.1 Gy per mm in x."""

import numpy as np
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from oncocenter.radiotherapy.dicom_dvh import compute_dvhs
from oncocenter.radiotherapy.dicom_rtobjects import RT_DOSE_STORAGE, RT_STRUCT_STORAGE
from oncocenter.radiotherapy.dicom_rtplan import RTPlanParseError


def square(x0, x1, y0, y1, z):
    c = Dataset()
    c.ContourGeometricType = "CLOSED_PLANAR"
    pts = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    c.NumberOfContourPoints = len(pts)
    c.ContourData = [v for x, y in pts for v in (x, y, z)]
    return c


def rtstruct(rois):
    ds = Dataset()
    ds.SOPClassUID, ds.SOPInstanceUID, ds.Modality = RT_STRUCT_STORAGE, generate_uid(), "RTSTRUCT"
    ds.StructureSetROISequence = Sequence()
    ds.ROIContourSequence = Sequence()
    for number, (name, contours) in enumerate(rois, start=1):
        s = Dataset()
        s.ROINumber, s.ROIName = number, name
        ds.StructureSetROISequence.append(s)
        c = Dataset()
        c.ReferencedROINumber = number
        c.ContourSequence = Sequence(contours)
        ds.ROIContourSequence.append(c)
    return ds


def rtdose(units="GY", orientation=(1, 0, 0, 0, 1, 0)):
    """A 20 x 20 x 6 grid, 2 mm spacing from (0, 0, 0): dose = 0.1 Gy per mm of x."""
    ds = Dataset()
    ds.SOPClassUID, ds.SOPInstanceUID, ds.Modality = RT_DOSE_STORAGE, generate_uid(), "RTDOSE"
    ds.DoseUnits, ds.DoseType, ds.DoseSummationType = units, "PHYSICAL", "PLAN"
    xs = np.arange(20) * 2.0
    grid = np.broadcast_to(xs * 0.1 * 1000, (6, 20, 20)).astype(np.uint32)
    ds.Rows, ds.Columns, ds.NumberOfFrames = 20, 20, 6
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 32, 32, 31, 0
    ds.PixelSpacing = [2.0, 2.0]
    ds.ImagePositionPatient = [0.0, 0.0, 0.0]
    ds.ImageOrientationPatient = list(orientation)
    ds.GridFrameOffsetVector = [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
    ds.DoseGridScaling = 0.001
    ds.PixelData = np.ascontiguousarray(grid).tobytes()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    return ds


def test_square_prism_in_a_dose_gradient():
    # Edges at 9 and 19 mm: voxel centres 10, 12, 14, 16, 18 in x and y (25 voxels per plane).
    ptv = [square(9, 19, 9, 19, z) for z in (0.0, 2.0, 4.0, 6.0)]
    (dvh,) = compute_dvhs(rtstruct([("PTV", ptv)]), rtdose())
    assert dvh.name == "PTV"
    assert dvh.volume_cc == pytest.approx(4 * 25 * 2 * 2 * 2 / 1000)  # 0.8 cm3
    assert (dvh.min_gy, dvh.max_gy) == (pytest.approx(1.0), pytest.approx(1.8))
    assert dvh.mean_gy == pytest.approx(1.4)
    # Five columns of equal volume at 1.0, 1.2, 1.4, 1.6, 1.8 Gy.
    assert dvh.d95_gy == pytest.approx(1.0)
    assert dvh.d50_gy == pytest.approx(1.4)
    assert dvh.d2_gy == pytest.approx(1.8)
    assert dvh.v(1.0) == 100.0
    assert dvh.v(1.5) == pytest.approx(40.0)
    assert dvh.v(1.9) == 0.0
    assert dvh.volume_pct == sorted(dvh.volume_pct, reverse=True)
    # The curve drops to 0% on the first edge past Dmax (1.8 Gy) instead of ending at 20%.
    assert dvh.bins_gy[-2:] == [pytest.approx(1.8), pytest.approx(1.9)]
    assert dvh.volume_pct[-2:] == [pytest.approx(20.0), 0.0]


def test_inner_contour_is_a_hole_and_planes_outside_the_grid_are_left_out():
    outer = square(1, 39, 1, 39, 2.0)  # centres 2..38: 19 x 19
    hole = square(9, 19, 9, 19, 2.0)  # 5 x 5 removed
    beyond = square(1, 39, 1, 39, 30.0)  # above the dose grid (z 0..10)
    (dvh,) = compute_dvhs(rtstruct([("Body", [outer, hole, beyond])]), rtdose())
    voxels = 19 * 19 - 25
    # The thickness is the structure's plane spacing (28 mm here): each voxel weighs 4 x 28 mm3.
    assert dvh.volume_cc == pytest.approx(voxels * 4 * 28 / 1000)
    assert dvh.max_gy == pytest.approx(3.8)


def test_structures_without_contours_in_the_grid_get_no_dvh():
    far = [square(100, 110, 100, 110, 0.0)]
    assert compute_dvhs(rtstruct([("Far", far), ("Empty", [])]), rtdose()) == []


@pytest.mark.parametrize(
    ("dose", "words"),
    [
        (rtdose(units="RELATIVE"), "absolute dose"),
        (rtdose(orientation=(0, 1, 0, 0, 0, -1)), "only axial"),
    ],
)
def test_refusals_name_the_reason(dose, words):
    with pytest.raises(RTPlanParseError, match=words):
        compute_dvhs(rtstruct([("PTV", [square(9, 19, 9, 19, 0.0)])]), dose)
