"""RT Structure Set and RT Dose reading, on files built here with pydicom (synthetic)."""

import io

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_dataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from oncocenter.radiotherapy.dicom_rtobjects import (
    RT_DOSE_STORAGE,
    RT_STRUCT_STORAGE,
    RTDoseSummary,
    RTStructSummary,
    parse_rtobject,
)
from oncocenter.radiotherapy.dicom_rtplan import RTPlanParseError, RTPlanSummary


def roi(number, name, kind, contours):
    s = Dataset()
    s.ROINumber, s.ROIName = number, name
    c = Dataset()
    c.ReferencedROINumber = number
    c.ContourSequence = Sequence([_contour(n) for n in contours])
    o = Dataset()
    o.ReferencedROINumber, o.RTROIInterpretedType = number, kind
    return s, c, o


def _contour(points):
    c = Dataset()
    c.NumberOfContourPoints = points
    c.ContourData = [0.0] * (3 * points)
    return c


def rtstruct():
    ds = Dataset()
    ds.SOPClassUID, ds.SOPInstanceUID, ds.Modality = RT_STRUCT_STORAGE, generate_uid(), "RTSTRUCT"
    ds.PatientID, ds.StructureSetLabel = "10000016", "HN"
    parts = [roi(1, "PTV70", "PTV", [40, 42]), roi(2, "SpinalCord", "ORGAN", [20, 20, 22])]
    ds.StructureSetROISequence = Sequence([p[0] for p in parts])
    ds.ROIContourSequence = Sequence([p[1] for p in parts])
    ds.RTROIObservationsSequence = Sequence([p[2] for p in parts])
    return ds


def rtdose():
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID, ds.SOPInstanceUID, ds.Modality = RT_DOSE_STORAGE, generate_uid(), "RTDOSE"
    ds.PatientID = "10000016"
    ds.DoseUnits, ds.DoseType, ds.DoseSummationType = "GY", "PHYSICAL", "PLAN"
    grid = np.zeros((3, 4, 5), dtype=np.uint32)
    grid[1, 2, 3] = 70000
    ds.Rows, ds.Columns, ds.NumberOfFrames = 4, 5, 3
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 32, 32, 31, 0
    ds.PixelSpacing = [2.5, 2.5]
    ds.GridFrameOffsetVector = [0.0, 3.0, 6.0]
    ds.DoseGridScaling = 0.001
    ds.PixelData = grid.tobytes()
    ref = Dataset()
    ref.ReferencedSOPInstanceUID = "1.2.3"
    ds.ReferencedRTPlanSequence = Sequence([ref])
    return ds


def bare_bytes(ds):
    """The data set without preamble or meta header (implicit VR little endian)."""
    buf = DicomBytesIO()
    buf.is_little_endian, buf.is_implicit_VR = True, True
    write_dataset(buf, ds)
    return buf.getvalue()


def test_structure_set_lists_structures_even_without_meta_header():
    summary = parse_rtobject(bare_bytes(rtstruct()))
    assert isinstance(summary, RTStructSummary)
    assert [(s.name, s.kind, s.contours, s.points) for s in summary.structures] == [
        ("PTV70", "PTV", 2, 82),
        ("SpinalCord", "ORGAN", 3, 62),
    ]
    assert summary.as_dict()["structures"][0]["name"] == "PTV70"


def test_empty_structure_set_is_refused_with_the_reason():
    ds = rtstruct()
    ds.StructureSetROISequence = Sequence([])
    with pytest.raises(RTPlanParseError, match="without any structure"):
        parse_rtobject(ds)


def test_dose_grid_summary_with_maximum_dose():
    ds = rtdose()
    buf = io.BytesIO()
    pydicom.dcmwrite(buf, ds, enforce_file_format=True)
    summary = parse_rtobject(buf.getvalue())
    assert isinstance(summary, RTDoseSummary)
    assert (summary.rows, summary.columns, summary.frames) == (4, 5, 3)
    assert summary.max_dose == 70.0 and summary.units == "GY"
    assert summary.slice_spacing_mm == 3.0 and summary.referenced_plan_uid == "1.2.3"


def test_dose_without_grid_is_refused_precisely():
    ds = rtdose()
    del ds.PixelSpacing
    with pytest.raises(RTPlanParseError, match="without PixelSpacing"):
        parse_rtobject(ds)


def test_plan_still_reads_and_other_objects_are_named():
    assert isinstance(parse_rtobject(get_testdata_file("rtplan.dcm")), RTPlanSummary)
    with pytest.raises(RTPlanParseError, match="modality 'CT'"):
        parse_rtobject(get_testdata_file("CT_small.dcm"))
    ion = pydicom.dcmread(get_testdata_file("rtplan.dcm"))
    ion.SOPClassUID = "1.2.840.10008.5.1.4.1.1.481.8"
    with pytest.raises(RTPlanParseError, match="ion plans are not supported"):
        parse_rtobject(ion)
