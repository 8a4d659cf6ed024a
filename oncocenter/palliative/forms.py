"""Shapes of the palliative-care forms. The rules live in services and come back as field errors."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from oncocenter.core.forms import DATE, DomainForm
from oncocenter.core.limits import TEXT_MAX
from oncocenter.palliative.models import BereavementKind, PalliativeStatus, PlaceOfCare
from oncocenter.pediatrics.forms import ChildMrnForm


class ReferForm(ChildMrnForm):
    referred_on = forms.DateField(label=_("Referred on"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class PalliativeUpdateForm(DomainForm):
    status = forms.ChoiceField(label=_("Status"), choices=PalliativeStatus.choices)
    goals_of_care = forms.CharField(
        max_length=TEXT_MAX,
        label=_("Goals of care"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    symptom_plan = forms.CharField(
        max_length=TEXT_MAX,
        label=_("Symptom plan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    advance_care_planning = forms.CharField(
        max_length=TEXT_MAX,
        label=_("Advance care planning notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    place_of_care = forms.ChoiceField(
        label=_("Place-of-care preference"), choices=PlaceOfCare.choices
    )
    decline_reason = forms.CharField(label=_("Reason declined"), required=False, max_length=300)


class BereavementForm(DomainForm):
    planned_on = forms.DateField(label=_("Planned on"), widget=DATE)
    kind = forms.ChoiceField(label=_("Contact"), choices=BereavementKind.choices)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=300)
