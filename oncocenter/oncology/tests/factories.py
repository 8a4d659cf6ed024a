from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from oncocenter.oncology.models import Diagnosis, TreatmentEpisode, WorkupOrder
from oncocenter.patients.tests.factories import PatientFactory


def child(**kwargs):
    """A patient aged about 4 (pediatric rules apply)."""
    return PatientFactory(
        birth_date=timezone.localdate() - dt.timedelta(days=4 * 365 + 30), **kwargs
    )


class DiagnosisFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Diagnosis

    patient = factory.SubFactory(PatientFactory)
    icd10_code = "C15.4"
    icdo3_topography = "C15.4"
    icdo3_morphology = "8070/3"
    diagnosed_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))


class TreatmentEpisodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TreatmentEpisode

    patient = factory.SubFactory(PatientFactory)
    modality = "chemotherapy"
    started_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=10))


class WorkupOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkupOrder

    patient = factory.SubFactory(PatientFactory)
    department = "radiology"
    test_name = "CT chest"
    ordered_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=2))
