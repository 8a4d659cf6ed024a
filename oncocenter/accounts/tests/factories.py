from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from oncocenter.accounts.models import Credential, CredentialKind, RoleAssignment, User

PASSWORD = "test-pass-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name_ko = "홍길동"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted:
            RoleAssignment.objects.bulk_create(
                [RoleAssignment(user=self, role=r) for r in extracted]
            )
            self.is_staff = "administrator" in extracted
        self.save()  # also stores the password set by the post-generation call above


class CredentialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Credential

    user = factory.SubFactory(UserFactory)
    kind = CredentialKind.SPECIALIST_RADIATION_ONCOLOGY
    number = factory.Sequence(lambda n: f"CR-{n:06d}")
    issued_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=365))
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=365))
