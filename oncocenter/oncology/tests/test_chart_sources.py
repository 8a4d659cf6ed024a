"""The chart timeline is assembled from the sources each app registers (issue 14): oncology's
own, referrals, tumor boards and trials. Each source reads its tables once, whatever the number
of events, so the timeline's cost does not grow with the record."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.core.registry import registry
from oncocenter.labs.services import lab_result_record
from oncocenter.mdt.models import BoardCase
from oncocenter.mdt.tests.factories import MeetingFactory
from oncocenter.oncology.chart import patient_timeline
from oncocenter.oncology.models import (
    DiseaseStatus,
    PerformanceStatus,
    TnmStaging,
    TumorMarker,
)
from oncocenter.oncology.tests.factories import (
    DiagnosisFactory,
    TreatmentEpisodeFactory,
    WorkupOrderFactory,
)
from oncocenter.patients.tests.factories import PatientFactory
from oncocenter.referrals.models import Referral
from oncocenter.surgery.models import Complication, Operation, ResponseAssessment
from oncocenter.systemic import services as systemic
from oncocenter.systemic.models import Regimen
from oncocenter.trials.models import Enrollment, ScreeningEntry
from oncocenter.trials.tests.factories import StudyFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _record(patient, n):
    """`n` events of every kind for one patient."""
    diagnosis = DiagnosisFactory(patient=patient)
    nurse = UserFactory(roles=["nurse"])
    systemic.measurement_record(
        patient=patient, by=nurse, height_cm=Decimal("170"), weight_kg=Decimal("70")
    )
    # A chemotherapy order (the systemic source charts orders; one cycle is enough), per m2.
    systemic.order_create(
        patient=patient,
        by=UserFactory(roles=["medical_oncologist"]),
        regimen=Regimen.objects.get(code="flot"),
        diagnosis=diagnosis,
        start_date=TODAY,
    )
    for i in range(n):
        day = TODAY - dt.timedelta(days=i)
        TnmStaging.objects.create(
            diagnosis=diagnosis,
            classification="clinical",
            site="esophagus",
            t_category="T3",
            n_category="N1",
            m_category="M0",
            stage_group="III",
            staged_on=day,
        )
        DiseaseStatus.objects.create(
            patient=patient, diagnosis=diagnosis, status="stable", observed_on=day
        )
        PerformanceStatus.objects.create(patient=patient, scale="ecog", score=1, observed_on=day)
        TumorMarker.objects.create(
            patient=patient, marker="CEA", value=3, unit="ng/mL", observed_on=day
        )
        TreatmentEpisodeFactory(patient=patient, started_on=day)
        WorkupOrderFactory(patient=patient)
        Referral.objects.create(
            patient=patient,
            from_department="surgery",
            to_department="radiology",
            reason="?",
            requested_at=timezone.now() - dt.timedelta(days=i),
        )
        BoardCase.objects.create(meeting=MeetingFactory(), patient=patient, question="?")
        study = StudyFactory()
        ScreeningEntry.objects.create(
            study=study, patient=patient, screened_on=day, overall="eligible"
        )
        Enrollment.objects.create(
            study=study,
            patient=patient,
            consent_on=day,
            enrolled_on=day,
            eligibility_overall="eligible",
        )
        op = Operation.objects.create(
            patient=patient,
            diagnosis=diagnosis,
            procedure="ivor_lewis",
            approach="mis",
            operated_on=day,
            duration_min=300,
            blood_loss_ml=100,
            residual_tumor="R0",
            surgeon=UserFactory(),
        )
        Complication.objects.create(
            operation=op, operated_on=day, kind="pneumonia", clavien_dindo="II", occurred_on=day
        )
        ResponseAssessment.objects.create(
            patient=patient, diagnosis=diagnosis, criteria="recist11", assessed_on=day
        )
        # A critical neutrophil count (the labs source charts critical values).
        lab_result_record(
            patient=patient,
            by=UserFactory(),
            loinc="751-8",
            value="0.3",
            unit="10*9/L",
            collected_at=timezone.now() - dt.timedelta(days=i, hours=1),
        )


def test_every_app_registers_its_own_source():
    keys = {s.key for s in registry.chart_sources}
    assert {"oncology.diagnosis", "oncology.workup", "referrals", "mdt", "trials"} <= keys
    labels = registry.chart_kind_labels()
    assert {"diagnosis", "treatment", "referral", "board", "trial"} <= set(labels)


def test_each_source_reads_once_whatever_the_number_of_events():
    few, many = PatientFactory(), PatientFactory()
    _record(few, 1)
    _record(many, 6)
    for source in registry.chart_sources:
        counts = []
        for patient in (few, many):
            with CaptureQueriesContext(connection) as ctx:
                events = list(source.events(patient))
            counts.append(len(ctx.captured_queries))
            assert events, source.key
        assert counts[0] == counts[1], (source.key, counts)


def test_timeline_merges_the_sources_newest_first_with_labels():
    patient = PatientFactory()
    _record(patient, 2)
    events = patient_timeline(patient=patient)
    assert {e.kind for e in events} >= {"diagnosis", "referral", "board", "trial", "workup"}
    assert [e.on for e in events] == sorted((e.on for e in events), reverse=True)
    enrolled = next(e for e in events if e.kind == "trial" and e.status == "enrolled")
    assert enrolled.status_label == "On study" and enrolled.kind_label == "Trial"
