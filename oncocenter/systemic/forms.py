"""Shapes of the systemic therapy forms. Rules live in services and come back beside the field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oncocenter.core.forms import DATE, DATETIME, DomainForm, today
from oncocenter.core.limits import PASSWORD_MAX
from oncocenter.oncology.models import Diagnosis
from oncocenter.patients.models import Patient
from oncocenter.radiotherapy.models import Course
from oncocenter.systemic.models import Regimen, ReviewStatus, Route
from oncocenter.trials.models import Enrollment

IDENTIFIERS = [
    ("name", _("Full name")),
    ("birth_date", _("Birth date")),
    ("mrn", _("MRN on the wristband")),
]


class MeasurementForm(DomainForm):
    height_cm = forms.DecimalField(label=_("Height (cm)"), decimal_places=1)
    weight_kg = forms.DecimalField(label=_("Weight (kg)"), decimal_places=2)
    measured_on = forms.DateField(label=_("Measured on"), widget=DATE, initial=today)


class OrderForm(DomainForm):
    regimen = forms.ModelChoiceField(label=_("Regimen"), queryset=Regimen.objects.none())
    diagnosis = forms.ModelChoiceField(label=_("Diagnosis"), queryset=Diagnosis.objects.none())
    start_date = forms.DateField(label=_("Day 1"), widget=DATE, initial=today)
    cycle = forms.IntegerField(label=_("Cycle"), min_value=1, initial=1)
    creatinine_mg_dl = forms.DecimalField(
        label=_("Creatinine (mg/dL)"),
        required=False,
        decimal_places=2,
        help_text=_("For AUC dosing; empty: the latest result of the last 7 days."),
    )
    rt_course = forms.ModelChoiceField(
        label=_("Concurrent RT course"), queryset=Course.objects.none(), required=False
    )
    trial_enrollment = forms.ModelChoiceField(
        label=_("Trial arm"), queryset=Enrollment.objects.none(), required=False
    )

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["regimen"].queryset = Regimen.objects.exclude(review_status=ReviewStatus.RETIRED)
        fields["diagnosis"].queryset = Diagnosis.objects.filter(patient=patient)
        fields["rt_course"].queryset = Course.objects.filter(patient=patient).exclude(
            status__in=["completed", "stopped", "entered-in-error"]
        )
        fields["trial_enrollment"].queryset = Enrollment.objects.filter(
            patient=patient, status="enrolled"
        ).select_related("study")


class ModifyForm(DomainForm):
    dose = forms.IntegerField(widget=forms.HiddenInput)
    percent = forms.DecimalField(label=_("Percent of the template dose"), decimal_places=1)
    reason = forms.CharField(label=_("Reason for the modification"), max_length=200, required=False)


class EmptyForm(DomainForm):
    pass


class CancelForm(DomainForm):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class ReleaseForm(DomainForm):
    day = forms.IntegerField(widget=forms.HiddenInput)
    override_reason = forms.CharField(
        label=_("Override reason (physician, when labs do not meet the hold parameters)"),
        max_length=300,
        required=False,
    )


class HoldForm(DomainForm):
    day = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason to hold"), max_length=300, required=False)


class AdministerForm(DomainForm):
    field_aliases = {"checker": "witness_username"}

    dose = forms.IntegerField(widget=forms.HiddenInput)
    identifiers = forms.MultipleChoiceField(
        label=_("Patient identifiers confirmed"),
        choices=IDENTIFIERS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    given_mg = forms.DecimalField(label=_("Dose given (mg)"), decimal_places=2)
    route = forms.ChoiceField(label=_("Route"), choices=[("", "—"), *Route.choices])
    rate_ml_h = forms.DecimalField(label=_("Rate (mL/h)"), required=False, decimal_places=1)
    product_expiry = forms.DateField(label=_("Product expiry"), widget=DATE)
    started_at = forms.DateTimeField(label=_("Started at"), widget=DATETIME)
    stopped_at = forms.DateTimeField(label=_("Stopped at"), widget=DATETIME)
    reaction = forms.CharField(label=_("Infusion reaction"), max_length=120, required=False)
    reaction_grade = forms.IntegerField(label=_("Reaction grade (CTCAE v5)"), required=False)
    extravasation = forms.BooleanField(label=_("Extravasation"), required=False)
    witness_username = forms.CharField(
        label=_("Second nurse: user name"), max_length=150, required=False
    )
    witness_password = forms.CharField(
        max_length=PASSWORD_MAX,
        label=_("Second nurse: password"),
        widget=forms.PasswordInput,
        required=False,
    )
