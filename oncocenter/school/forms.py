"""Shapes of the hospital-school forms. The rules live in services and come back as field errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oncocenter.core.forms import DATE, DomainForm
from oncocenter.core.limits import TEXT_MAX
from oncocenter.pediatrics.forms import ChildMrnForm, set_queryset
from oncocenter.school.models import (
    AttendanceSetting,
    AttendanceStatus,
    ReturnPlanStatus,
    SchoolClass,
    SchoolLevel,
)


class SchoolClassForm(DomainForm):
    name = forms.CharField(label=_("Name"), max_length=80)
    level = forms.ChoiceField(label=_("Level"), choices=SchoolLevel.choices)
    room = forms.CharField(label=_("Room"), required=False, max_length=40)
    schedule = forms.CharField(label=_("Schedule"), required=False, max_length=120)


class EnrollForm(ChildMrnForm):
    school_class = forms.ModelChoiceField(label=_("Class"), queryset=SchoolClass.objects.none())
    enrolled_on = forms.DateField(label=_("Enrolled on"), widget=DATE)
    home_school = forms.CharField(label=_("Home school"), required=False, max_length=120)
    home_grade = forms.CharField(label=_("Grade at home school"), required=False, max_length=20)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "school_class", SchoolClass.objects.filter(active=True))


class AttendanceForm(DomainForm):
    on = forms.DateField(label=_("Date"), widget=DATE)
    status = forms.ChoiceField(label=_("Status"), choices=AttendanceStatus.choices)
    setting = forms.ChoiceField(label=_("Setting"), choices=AttendanceSetting.choices)
    during_admission = forms.BooleanField(
        label=_("During admission"),
        required=False,
        help_text=_("Left empty, it is taken from the admission records."),
    )
    minutes = forms.IntegerField(label=_("Minutes"), min_value=0, initial=0)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def data_for_service(self) -> dict[str, Any]:
        # An unticked box means "not given": the service then reads the admission records.
        return {
            **self.cleaned_data,
            "during_admission": self.cleaned_data["during_admission"] or None,
        }


class ReturnPlanForm(DomainForm):
    planned_return_on = forms.DateField(label=_("Planned return"), required=False, widget=DATE)
    school_contact = forms.CharField(label=_("School contact"), required=False, max_length=120)
    accommodations = forms.CharField(
        max_length=TEXT_MAX,
        label=_("Accommodations"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    status = forms.ChoiceField(label=_("Status"), choices=ReturnPlanStatus.choices)
