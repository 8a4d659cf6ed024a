from __future__ import annotations

import factory

from oncocenter.school.models import SchoolClass


class SchoolClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolClass

    name = factory.Sequence(lambda n: f"Class {n}")
    level = "elementary"
