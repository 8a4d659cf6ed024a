from __future__ import annotations

import factory

from oncocenter.aid.models import AidOrganisation


class AidOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AidOrganisation

    name = factory.Sequence(lambda n: f"Foundation {n}")
