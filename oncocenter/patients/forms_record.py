from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from oncocenter.core.forms import DATE, DomainForm, today
from oncocenter.core.roles import Role
from oncocenter.patients.models import CenterCode
from oncocenter.patients.models_record import ConsentGiver, ConsentKind, GuardianRelationship


class GuardianForm(DomainForm):
    name_ko = forms.CharField(label=_("Name (Hangul)"), max_length=40)
    relationship = forms.ChoiceField(label=_("Relationship"), choices=GuardianRelationship.choices)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    birth_date = forms.DateField(
        label=_("Birth date"),
        widget=DATE,
        required=False,
        help_text=_("Required for a legal representative (an adult, 19 or older)."),
    )
    is_legal_representative = forms.BooleanField(
        label=_("Legal representative"), required=False, initial=True
    )


class ConsentForm(DomainForm):
    kind = forms.ChoiceField(label=_("Consent for"), choices=ConsentKind.choices)
    given_by = forms.ChoiceField(label=_("Given by"), choices=ConsentGiver.choices)
    guardian = forms.TypedChoiceField(
        label=_("Guardian"), coerce=int, required=False, empty_value=None
    )
    signed_on = forms.DateField(label=_("Signed on"), widget=DATE, initial=today)
    scope = forms.CharField(label=_("Scope"), max_length=300, required=False)


class CareTeamForm(DomainForm):
    field_aliases = {"user": "username", "center": "center_code"}

    username = forms.CharField(label=_("Staff username"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    center_code = forms.ChoiceField(
        label=_("Center"), choices=[("", "—"), *CenterCode.choices], required=False
    )
    is_lead = forms.BooleanField(label=_("Lead clinician"), required=False)


class CenterForm(DomainForm):
    field_aliases = {"center": "center_code"}

    center_code = forms.ChoiceField(label=_("Center"), choices=CenterCode.choices)
    since = forms.DateField(label=_("Since"), widget=DATE, initial=today)
