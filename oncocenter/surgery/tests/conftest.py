"""A small esophageal world: a surgeon, a patient with squamous cell carcinoma, CROSS completed,
and the tumor board's recommendation of surgery."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.mdt.models import BoardCase, Recommendation
from oncocenter.mdt.tests.factories import MeetingFactory
from oncocenter.oncology.tests.factories import DiagnosisFactory, TreatmentEpisodeFactory
from oncocenter.patients.tests.factories import PatientFactory
from oncocenter.surgery import services


@dataclass
class World:
    surgeon: Any
    pathologist: Any
    radiologist: Any
    patient: Any
    diagnosis: Any
    cross: Any
    recommendation: Any
    today: dt.date

    def operation(self, **kw: Any):
        args: dict[str, Any] = {
            "by": self.surgeon,
            "patient": self.patient,
            "diagnosis": self.diagnosis,
            "procedure": "ivor_lewis",
            "approach": "mis",
            "anastomosis": "intrathoracic",
            "operated_on": self.today - dt.timedelta(days=40),
            "duration_min": 330,
            "blood_loss_ml": 250,
            "residual_tumor": "R0",
            "nodes_harvested": 32,
            "recommendation": self.recommendation,
            "neoadjuvant_episode": self.cross,
            "neoadjuvant": "cross",
            "feeding_jejunostomy": True,
        }
        args.update(kw)
        return services.operation_record(**args)


@pytest.fixture
def world(db) -> World:
    today = timezone.localdate()
    patient = PatientFactory()
    dx = DiagnosisFactory(patient=patient, diagnosed_on=today - dt.timedelta(days=200))
    cross = TreatmentEpisodeFactory(
        patient=patient,
        diagnosis=dx,
        modality="radiotherapy",
        started_on=today - dt.timedelta(days=150),
        ended_on=today - dt.timedelta(days=115),
        description="CROSS: carboplatin/paclitaxel + 41.4 Gy/23 fx",
    )
    meeting = MeetingFactory(held_on=today - dt.timedelta(days=190))
    case = BoardCase.objects.create(
        meeting=meeting, patient=patient, diagnosis=dx, question="Treatment?"
    )
    rec = Recommendation.objects.create(
        case=case, intent="curative", modalities=["chemotherapy", "radiotherapy", "surgery"]
    )
    return World(
        surgeon=UserFactory(roles=["surgeon"]),
        pathologist=UserFactory(roles=["pathologist"]),
        radiologist=UserFactory(roles=["radiologist"]),
        patient=patient,
        diagnosis=dx,
        cross=cross,
        recommendation=rec,
        today=today,
    )
