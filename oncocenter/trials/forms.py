from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from oncocenter.core.forms import DATE, DomainForm, today
from oncocenter.core.limits import TEXT_MAX
from oncocenter.trials.models import Phase, ScreeningOutcome, StudyStatus


class StudyForm(DomainForm):
    code = forms.CharField(label=_("Protocol code"), max_length=40)
    title = forms.CharField(label=_("Title"), max_length=300)
    phase = forms.ChoiceField(label=_("Phase"), choices=Phase.choices)
    status = forms.ChoiceField(label=_("Status"), choices=StudyStatus.choices, initial="recruiting")
    target_diseases = forms.CharField(label=_("Target diseases"), max_length=300, required=False)
    min_age_years = forms.IntegerField(label=_("Minimum age (years)"), required=False)
    max_age_years = forms.IntegerField(label=_("Maximum age (years)"), required=False)
    diagnosis_code_prefixes = forms.CharField(
        max_length=TEXT_MAX,
        label=_("ICD-10 prefixes"),
        required=False,
        help_text=_("Comma separated, e.g. C74, C47"),
    )
    stage_groups = forms.CharField(
        max_length=TEXT_MAX, label=_("Stage groups"), required=False, help_text=_("e.g. III, IV")
    )
    max_ecog = forms.IntegerField(label=_("Maximum ECOG"), required=False)
    performance_max_age_days = forms.IntegerField(
        label=_("Performance status valid for (days)"), required=False
    )
    excluded_prior_therapies = forms.CharField(
        max_length=TEXT_MAX,
        label=_("Excluded prior therapies"),
        required=False,
        help_text=_("e.g. radiotherapy, hsct"),
    )
    arms = forms.CharField(
        max_length=TEXT_MAX, label=_("Arms"), required=False, help_text=_("e.g. A, B")
    )


class ScreeningForm(DomainForm):
    field_aliases = {"patient": "mrn"}

    mrn = forms.CharField(label=_("Patient MRN"), max_length=10)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ScreeningOutcome.choices[:-1])
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class EnrollmentForm(DomainForm):
    field_aliases = {"patient": "mrn"}

    mrn = forms.CharField(label=_("Patient MRN"), max_length=10)
    consent_on = forms.DateField(label=_("Consent date"), widget=DATE, initial=today)
    arm = forms.CharField(label=_("Arm"), max_length=40, required=False)
    override_reason = forms.CharField(
        label=_("Override reason"),
        max_length=300,
        required=False,
        help_text=_("Required when the pre-screening does not find the patient eligible."),
    )


class WithdrawForm(DomainForm):
    withdrawn_on = forms.DateField(label=_("Withdrawn on"), widget=DATE, initial=today)
    reason = forms.CharField(label=_("Reason"), max_length=300)
