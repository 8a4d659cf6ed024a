"""Synthetic DICOM RT files for the import tests (built with pydicom; no patient data).

One plan in one frame of reference: the RT Plan is pydicom's sample plan re-labelled for the
test patient; the structure set has a PTV, a spinal cord, a heart and the lungs as 4-plane prisms
(edges half-way between voxel centres, so each plane holds whole voxels); the dose rises 0.8 Gy
per mm along x on a 2.5 mm grid. Worked by hand: PTV x 55-75 mm -> 44-60 Gy; cord x 60-70 mm ->
48-56 Gy (Dmax 56 > 50: violated); heart x 5-25 mm -> 4-20 Gy (Dmean 12 < 26: met); lungs x
20-40 mm -> 16-32 Gy (V20: 7 of 9 columns, 77.8 % > 30: violated).
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pydicom
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.filebase import DicomBytesIO
from pydicom.filewriter import write_dataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from oncocenter.radiotherapy.dicom_rtobjects import RT_DOSE_STORAGE, RT_STRUCT_STORAGE
from oncocenter.radiotherapy.dicom_rtplan import RT_ION_PLAN_STORAGE

FRAME = "1.2.826.0.1.3680043.8.498.1001"
OTHER_FRAME = "1.2.826.0.1.3680043.8.498.2002"
STRUCT_UID = "1.2.826.0.1.3680043.8.498.3003"
PLANES = (2.5, 5.0, 7.5, 10.0)
SPACING = 2.5
GY_PER_MM = 0.8

# name, RT ROI interpreted type, x range, y range (mm): centres of whole voxels inside.
ROIS = (
    ("PTV", "PTV", (53.75, 76.25), (3.75, 31.25)),
    ("SpinalCord", "ORGAN", (58.75, 71.25), (31.25, 36.25)),
    ("Heart", "ORGAN", (3.75, 26.25), (3.75, 16.25)),
    ("Lungs", "ORGAN", (18.75, 41.25), (18.75, 31.25)),
)


def _write(ds: Dataset, *, meta: bool) -> bytes:
    if not meta:
        # No preamble, no meta header: implicit VR little endian, as many exports are written.
        buf = DicomBytesIO()
        buf.is_little_endian, buf.is_implicit_VR = True, True
        write_dataset(buf, ds)
        return buf.getvalue()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    out = io.BytesIO()
    pydicom.dcmwrite(out, ds, enforce_file_format=True)
    return out.getvalue()


def rtplan_bytes(mrn: str, *, frame: str = FRAME, structure_set: str = STRUCT_UID) -> bytes:
    """pydicom's sample RT Plan (30 x 1.0275 Gy, 3D, machine 'unit001') for patient `mrn`."""
    ds = pydicom.dcmread(get_testdata_file("rtplan.dcm"))
    ds.PatientID = mrn
    ds.FrameOfReferenceUID = frame
    ds.ReferencedStructureSetSequence[0].ReferencedSOPInstanceUID = structure_set
    out = io.BytesIO()
    ds.save_as(out)
    return out.getvalue()


def ion_plan_bytes(mrn: str) -> bytes:
    ds = Dataset()
    ds.SOPClassUID, ds.SOPInstanceUID, ds.Modality = RT_ION_PLAN_STORAGE, generate_uid(), "RTPLAN"
    ds.PatientID, ds.FrameOfReferenceUID = mrn, FRAME
    ds.IonBeamSequence = Sequence([Dataset()])
    return _write(ds, meta=True)


def ct_image_bytes(mrn: str) -> bytes:
    ds = Dataset()
    ds.SOPClassUID, ds.SOPInstanceUID, ds.Modality = (
        "1.2.840.10008.5.1.4.1.1.2",
        generate_uid(),
        "CT",
    )
    ds.PatientID, ds.FrameOfReferenceUID = mrn, FRAME
    return _write(ds, meta=True)


def _square(x: tuple[float, float], y: tuple[float, float], z: float) -> Dataset:
    c = Dataset()
    c.ContourGeometricType = "CLOSED_PLANAR"
    pts = [(x[0], y[0]), (x[1], y[0]), (x[1], y[1]), (x[0], y[1])]
    c.NumberOfContourPoints = len(pts)
    c.ContourData = [v for px, py in pts for v in (px, py, z)]
    return c


def rtstruct(mrn: str, *, frame: str = FRAME, uid: str = STRUCT_UID) -> Dataset:
    ds = Dataset()
    ds.SOPClassUID, ds.SOPInstanceUID, ds.Modality = RT_STRUCT_STORAGE, uid, "RTSTRUCT"
    ds.PatientID, ds.StructureSetLabel = mrn, "SYNTH-HN"
    ref = Dataset()
    ref.FrameOfReferenceUID = frame
    ds.ReferencedFrameOfReferenceSequence = Sequence([ref])
    ds.StructureSetROISequence = Sequence()
    ds.ROIContourSequence = Sequence()
    ds.RTROIObservationsSequence = Sequence()
    for number, (name, kind, xs, ys) in enumerate(ROIS, start=1):
        s = Dataset()
        s.ROINumber, s.ROIName, s.ReferencedFrameOfReferenceUID = number, name, frame
        ds.StructureSetROISequence.append(s)
        c = Dataset()
        c.ReferencedROINumber = number
        c.ContourSequence = Sequence([_square(xs, ys, z) for z in PLANES])
        ds.ROIContourSequence.append(c)
        o = Dataset()
        o.ObservationNumber, o.ReferencedROINumber, o.RTROIInterpretedType = number, number, kind
        ds.RTROIObservationsSequence.append(o)
    return ds


def rtdose(mrn: str, plan_uid: str, *, frame: str = FRAME) -> Dataset:
    """A 32 x 16 x 6 grid, 2.5 mm apart from (0, 0, 0): dose = 0.8 Gy per mm of x."""
    ds = Dataset()
    ds.SOPClassUID, ds.SOPInstanceUID, ds.Modality = RT_DOSE_STORAGE, generate_uid(), "RTDOSE"
    ds.PatientID, ds.FrameOfReferenceUID = mrn, frame
    ds.DoseUnits, ds.DoseType, ds.DoseSummationType = "GY", "PHYSICAL", "PLAN"
    xs = np.arange(32) * SPACING
    grid = np.broadcast_to(xs * GY_PER_MM * 1000, (6, 16, 32)).astype(np.uint32)
    ds.Rows, ds.Columns, ds.NumberOfFrames = 16, 32, 6
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 32, 32, 31, 0
    ds.PixelSpacing = [SPACING, SPACING]
    ds.ImagePositionPatient = [0.0, 0.0, 0.0]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.GridFrameOffsetVector = [SPACING * k for k in range(6)]
    ds.DoseGridScaling = 0.001
    ds.PixelData = np.ascontiguousarray(grid).tobytes()
    ref = Dataset()
    ref.ReferencedSOPClassUID = "1.2.840.10008.5.1.4.1.1.481.5"
    ref.ReferencedSOPInstanceUID = plan_uid
    ds.ReferencedRTPlanSequence = Sequence([ref])
    return ds


def rtstruct_bytes(mrn: str, *, meta: bool = True, **kw: str) -> bytes:
    return _write(rtstruct(mrn, **kw), meta=meta)


def rtdose_bytes(mrn: str, plan_uid: str, *, meta: bool = True, **kw: str) -> bytes:
    return _write(rtdose(mrn, plan_uid, **kw), meta=meta)


def write_files(folder: Path, mrn: str, plan_uid: str) -> tuple[Path, Path]:
    """The structure set and dose as files (for the browser test's upload)."""
    struct, dose = folder / "rtstruct.dcm", folder / "rtdose.dcm"
    struct.write_bytes(rtstruct_bytes(mrn))
    dose.write_bytes(rtdose_bytes(mrn, plan_uid))
    return struct, dose


def import_plan(w, **kw: str):
    """The synthetic RT Plan imported for the world's patient (30 x 1.03 Gy, 3D), as `w.plan`."""
    from oncocenter.radiotherapy import services as s
    from oncocenter.radiotherapy.models import DicomMachineName

    DicomMachineName.objects.create(dicom_name="unit001", machine=w.linac)
    rx = w.make_rx(dose_per_fraction_gy="1.03", number_of_fractions=30, technique="3D")
    w.plan = s.plan_import_dicom(
        prescription=rx, by=w.dosimetrist, content=rtplan_bytes(w.patient.mrn, **kw)
    )
    return w.plan
