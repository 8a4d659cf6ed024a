"""Synthetic DICOM RT Beams Treatment Records, built with pydicom for the tests."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from oncocenter.radiotherapy.dicom_rtrecord import RT_BEAMS_TREATMENT_RECORD_STORAGE

#: The beams the tests give an imported plan (200 MU per fraction).
PLAN_BEAMS = [
    {"number": 1, "name": "AP", "delivery_type": "TREATMENT", "meterset": 120.0},
    {"number": 2, "name": "PA", "delivery_type": "TREATMENT", "meterset": 80.0},
]


def record_bytes(
    *,
    plan_uid: str,
    patient_id: str,
    birth_date: dt.date | None,
    machine: str,
    fraction: int,
    treated_at: dt.datetime | None,
    beams: dict[int, float] | None = None,
    sop_uid: str | None = None,
    sop_class: str = RT_BEAMS_TREATMENT_RECORD_STORAGE,
) -> bytes:
    beams = {1: 120.0, 2: 80.0} if beams is None else beams
    ds = Dataset()
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = sop_uid or generate_uid()
    ds.Modality = "RTRECORD"
    ds.PatientID = patient_id
    ds.PatientName = "TEST^PATIENT"
    if birth_date is not None:
        ds.PatientBirthDate = birth_date.strftime("%Y%m%d")
    if treated_at is not None:
        local = timezone.localtime(treated_at)
        ds.TreatmentDate = local.strftime("%Y%m%d")
        ds.TreatmentTime = local.strftime("%H%M%S")
    ref = Dataset()
    ref.ReferencedSOPClassUID = "1.2.840.10008.5.1.4.1.1.481.5"
    ref.ReferencedSOPInstanceUID = plan_uid
    ds.ReferencedRTPlanSequence = [ref]
    m = Dataset()
    m.TreatmentMachineName = machine
    ds.TreatmentMachineSequence = [m]
    items = []
    for number, mu in beams.items():
        b = Dataset()
        b.ReferencedBeamNumber = number
        b.CurrentFractionNumber = fraction
        b.TreatmentDeliveryType = "TREATMENT"
        b.TreatmentTerminationStatus = "NORMAL"
        b.SpecifiedMeterset = mu
        b.DeliveredMeterset = mu
        items.append(b)
    ds.TreatmentSessionBeamSequence = items
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = meta
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()
