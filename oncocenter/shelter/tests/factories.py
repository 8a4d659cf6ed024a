from __future__ import annotations

import factory

from oncocenter.shelter.models import ShelterHouse, ShelterRoom


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
