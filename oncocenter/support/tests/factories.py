from __future__ import annotations

import datetime as dt

import factory

from oncocenter.patients.tests.factories import PatientFactory
from oncocenter.support.models import (
    AidOrganisation,
    HSCTEpisode,
    SchoolClass,
    ShelterHouse,
    ShelterRoom,
)


class ChildFactory(PatientFactory):
    birth_date = dt.date(2016, 4, 2)


class HSCTEpisodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HSCTEpisode

    patient = factory.SubFactory(ChildFactory)
    indication = "ALL, second CR"
    donor_type = "unrelated"
    hla_match = "10/10"
    conditioning_regimen = "tbi_vp16"
    day0 = dt.date(2026, 3, 10)
    status = "infused"


class SchoolClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolClass

    name = factory.Sequence(lambda n: f"Class {n}")
    level = "elementary"


class AidOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AidOrganisation

    name = factory.Sequence(lambda n: f"Foundation {n}")


class ShelterHouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShelterHouse

    name = factory.Sequence(lambda n: f"House {n}")


class ShelterRoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShelterRoom

    house = factory.SubFactory(ShelterHouseFactory)
    number = factory.Sequence(lambda n: f"{100 + n}")
    capacity = 3
