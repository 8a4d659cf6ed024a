"""Form shapes only; the rules live in the services and come back as field errors."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from oncocenter.clinics.models import AppointmentType, Urgency
from oncocenter.core.errors import ValidationFailed


class DomainForm(forms.Form):
    def add_domain_errors(self, exc: ValidationFailed) -> None:
        for problem in exc.problems:
            field = problem.field if problem.field in self.fields else None
            self.add_error(
                field, f"{problem.message}" if field else f"{problem.field}: {problem.message}"
            )


class BookForm(DomainForm):
    slot = forms.IntegerField(widget=forms.HiddenInput)
    mrn = forms.CharField(label=_("Patient MRN"), max_length=10)
    appointment_type = forms.ChoiceField(label=_("Type"), choices=AppointmentType.choices)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)


class CancelForm(DomainForm):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=200)


class RescheduleForm(DomainForm):
    slot = forms.IntegerField(label=_("New slot"))


class TemplateForm(DomainForm):
    physician = forms.CharField(label=_("Physician (username)"), max_length=150)
    center = forms.ChoiceField(
        label=_("Center"),
        choices=[
            ("esophageal", _("Esophageal Cancer Center")),
            ("radonc", _("Radiation Oncology Center")),
            ("pediatric", _("Pediatric Hematology-Oncology")),
        ],
    )
    name = forms.CharField(label=_("Clinic name"), max_length=120)
    weekday = forms.TypedChoiceField(
        label=_("Weekday"),
        coerce=int,
        choices=[
            (0, _("Monday")),
            (1, _("Tuesday")),
            (2, _("Wednesday")),
            (3, _("Thursday")),
            (4, _("Friday")),
            (5, _("Saturday")),
            (6, _("Sunday")),
        ],
    )
    start_time = forms.TimeField(label=_("Start"), widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label=_("End"), widget=forms.TimeInput(attrs={"type": "time"}))
    slot_minutes = forms.IntegerField(label=_("Slot length (min)"), initial=15)
    appointment_types = forms.MultipleChoiceField(
        label=_("Appointment types"),
        choices=AppointmentType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    generate_weeks = forms.IntegerField(
        label=_("Generate sessions for weeks"), initial=8, min_value=0, max_value=52
    )


class WaitlistForm(DomainForm):
    mrn = forms.CharField(label=_("Patient MRN"), max_length=10)
    center = forms.ChoiceField(
        label=_("Center"),
        choices=[
            ("esophageal", _("Esophageal Cancer Center")),
            ("radonc", _("Radiation Oncology Center")),
            ("pediatric", _("Pediatric Hematology-Oncology")),
        ],
    )
    appointment_type = forms.ChoiceField(label=_("Type"), choices=AppointmentType.choices)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class PolicyForm(DomainForm):
    prior_treatment_points = forms.DecimalField(
        label=_("Points for prior treatment here"), max_digits=6, decimal_places=2
    )
    urgency_routine_points = forms.DecimalField(
        label=_("Points: routine"), max_digits=6, decimal_places=2
    )
    urgency_soon_points = forms.DecimalField(
        label=_("Points: soon"), max_digits=6, decimal_places=2
    )
    urgency_urgent_points = forms.DecimalField(
        label=_("Points: urgent"), max_digits=6, decimal_places=2
    )
    waiting_points_per_day = forms.DecimalField(
        label=_("Points per day waiting"), max_digits=6, decimal_places=2
    )
    waiting_points_cap = forms.DecimalField(
        label=_("Cap on waiting points"), max_digits=6, decimal_places=2
    )
    reserved_share_percent = forms.IntegerField(label=_("Reserved share of clinic slots (%)"))
    release_days_before = forms.IntegerField(label=_("Release reserved slots days before"))


class AdmitForm(DomainForm):
    mrn = forms.CharField(label=_("Patient MRN"), max_length=10)
    bed = forms.CharField(label=_("Bed (empty: first free)"), required=False, max_length=20)
    admitted_at = forms.DateTimeField(
        label=_("Admitted at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)
    request = forms.IntegerField(required=False, widget=forms.HiddenInput)


class DischargeForm(DomainForm):
    discharged_at = forms.DateTimeField(
        label=_("Discharged at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class TransferForm(DomainForm):
    to_bed = forms.CharField(label=_("To bed"), max_length=20)


class ReadmissionForm(DomainForm):
    mrn = forms.CharField(label=_("Patient MRN"), max_length=10)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    reason = forms.CharField(label=_("Reason"), max_length=200)
