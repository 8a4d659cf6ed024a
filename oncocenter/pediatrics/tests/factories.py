from __future__ import annotations

import datetime as dt

import factory

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.patients.tests.factories import PatientFactory
from oncocenter.pediatrics.models import HSCTEpisode


def staff():
    """A member of staff to act as `by=` in service calls (services check no role)."""
    return UserFactory(roles=["pediatric_oncologist"])


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
