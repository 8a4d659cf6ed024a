"""Form shapes only; the rules live in the services and come back as field errors."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from oncocenter.accounts.models import User
from oncocenter.clinics.models import AppointmentType, Urgency
from oncocenter.core.errors import NotFound
from oncocenter.core.forms import DATETIME, TIME, DomainForm
from oncocenter.patients.models import Patient
from oncocenter.patients.selectors import patient_get

CENTER_CHOICES = [
    ("esophageal", _("Esophageal Cancer Center")),
    ("radonc", _("Radiation Oncology Center")),
    ("pediatric", _("Pediatric Hematology-Oncology")),
]


class PatientMrnForm(DomainForm):
    """A form that names its patient by MRN: `cleaned_data["mrn"]` is the `Patient`.

    An unknown MRN is an error beside the field with the code "not_found", so that the view
    answers 404 and re-renders the form (`not_found(form)`)."""

    mrn = forms.CharField(label=_("Patient MRN"), max_length=10)
    field_aliases = {"patient": "mrn"}

    def clean_mrn(self) -> Patient:
        mrn = self.cleaned_data["mrn"].strip()
        try:
            return patient_get(mrn=mrn, audit=False)
        except NotFound as exc:
            raise forms.ValidationError(exc.message, code="not_found") from exc


def not_found(form: forms.Form) -> bool:
    """Did the form fail only because it names a record that does not exist?"""
    return any(
        error.code == "not_found" for errors in form.errors.as_data().values() for error in errors
    )


class BookForm(PatientMrnForm):
    slot = forms.IntegerField(widget=forms.HiddenInput)
    appointment_type = forms.ChoiceField(label=_("Type"), choices=AppointmentType.choices)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)

    field_order = ["slot", "mrn", "appointment_type", "reason"]


class SessionCloseForm(DomainForm):
    # Optional here: the service says why a reason is needed.
    reason = forms.CharField(label=_("Reason for closing"), required=False, max_length=120)


class CancelForm(DomainForm):
    reason = forms.CharField(label=_("Reason for cancelling"), required=False, max_length=200)


class RescheduleForm(DomainForm):
    slot = forms.IntegerField(label=_("New slot"), required=False)
    field_aliases = {"new_slot": "slot"}


class TemplateForm(DomainForm):
    physician = forms.CharField(label=_("Physician (username)"), max_length=150)
    center = forms.ChoiceField(label=_("Center"), choices=CENTER_CHOICES)
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
    start_time = forms.TimeField(label=_("Start"), widget=TIME)
    end_time = forms.TimeField(label=_("End"), widget=TIME)
    slot_minutes = forms.IntegerField(label=_("Slot length (min)"), initial=15)
    appointment_types = forms.MultipleChoiceField(
        label=_("Appointment types"),
        choices=AppointmentType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    generate_weeks = forms.IntegerField(
        label=_("Generate sessions for weeks"), initial=8, min_value=0, max_value=52
    )

    def clean_physician(self) -> User:
        physician = User.objects.filter(username=self.cleaned_data["physician"]).first()
        if physician is None:
            raise forms.ValidationError(_("No staff member with this username."))
        return physician


class WaitlistForm(PatientMrnForm):
    center = forms.ChoiceField(label=_("Center"), choices=CENTER_CHOICES)
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


class AdmitForm(PatientMrnForm):
    bed = forms.CharField(label=_("Bed (empty: first free)"), required=False, max_length=20)
    admitted_at = forms.DateTimeField(label=_("Admitted at"), widget=DATETIME)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)
    request = forms.IntegerField(required=False, widget=forms.HiddenInput)


class DischargeForm(DomainForm):
    discharged_at = forms.DateTimeField(label=_("Discharged at"), widget=DATETIME)


class TransferForm(DomainForm):
    to_bed = forms.CharField(label=_("To bed"), required=False, max_length=20)


class ReadmissionForm(PatientMrnForm):
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    reason = forms.CharField(label=_("Reason"), max_length=200)
