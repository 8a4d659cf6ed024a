"""Form shapes for the cancer-record pages. The rules live in the services; their field problems
come back beside the field (`oncocenter.core.forms.run_service`)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oncocenter.core.forms import DATE, DATETIME, DomainForm, today
from oncocenter.core.limits import TEXT_MAX
from oncocenter.oncology.models import (
    ClinicalStatus,
    DiseaseStatusCode,
    Laterality,
    Modality,
    PerformanceScale,
    StagingClassification,
    TumorMarkerCode,
    VerificationStatus,
    WorkupDepartment,
    WorkupStatus,
)


class DiagnosisForm(DomainForm):
    icd10_code = forms.CharField(
        label=_("ICD-10"),
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "list": "icd10-options",
                "autocomplete": "off",
                "hx-get": "/oncology/codes/?list=icd10",
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#icd10-options",
                "hx-swap": "innerHTML",
            }
        ),
        help_text=_("Type a code or a word (English or Korean), e.g. neuroblastoma, 식도."),
    )
    icdo3_topography = forms.CharField(
        label=_("ICD-O-3 topography"),
        max_length=6,
        required=False,
        widget=forms.TextInput(
            attrs={
                "list": "topo-options",
                "autocomplete": "off",
                "hx-get": "/oncology/codes/?list=icdo3_topography",
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#topo-options",
            }
        ),
    )
    icdo3_morphology = forms.CharField(
        label=_("ICD-O-3 morphology"),
        max_length=6,
        required=False,
        widget=forms.TextInput(
            attrs={
                "list": "morph-options",
                "autocomplete": "off",
                "hx-get": "/oncology/codes/?list=icdo3_morphology",
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#morph-options",
            }
        ),
    )
    laterality = forms.ChoiceField(
        label=_("Laterality"), choices=Laterality.choices, initial="not-applicable"
    )
    diagnosed_on = forms.DateField(label=_("Diagnosed on"), widget=DATE, initial=today)
    is_primary = forms.BooleanField(label=_("Primary cancer"), required=False, initial=True)
    histology_text = forms.CharField(label=_("Histology"), max_length=300, required=False)
    clinical_status = forms.ChoiceField(label=_("Clinical status"), choices=ClinicalStatus.choices)
    verification_status = forms.ChoiceField(
        label=_("Verification status"), choices=VerificationStatus.choices, initial="confirmed"
    )


class DiagnosisStatusForm(DomainForm):
    diagnosis = forms.TypedChoiceField(label=_("Diagnosis"), coerce=int)
    clinical_status = forms.ChoiceField(label=_("Clinical status"), choices=ClinicalStatus.choices)
    verification_status = forms.ChoiceField(
        label=_("Verification status"),
        choices=VerificationStatus.choices,
        help_text=_(
            "Entered in error keeps the row but removes it from pre-screening and summaries."
        ),
    )


class StagingForm(DomainForm):
    diagnosis = forms.TypedChoiceField(label=_("Diagnosis"), coerce=int)
    classification = forms.ChoiceField(
        label=_("Classification"), choices=StagingClassification.choices
    )
    t_category = forms.CharField(label="T", max_length=8)
    n_category = forms.CharField(label="N", max_length=8)
    m_category = forms.CharField(label="M", max_length=8)
    stage_group = forms.CharField(
        label=_("Stage group"),
        max_length=8,
        required=False,
        help_text=_("Leave empty to derive it from the AJCC table."),
    )
    staged_on = forms.DateField(label=_("Staging date"), widget=DATE, initial=today)


class PerformanceForm(DomainForm):
    scale = forms.ChoiceField(
        label=_("Scale"),
        choices=PerformanceScale.choices,
        help_text=_("Lansky under 16, ECOG from 16."),
    )
    score = forms.IntegerField(label=_("Score"))
    observed_on = forms.DateField(label=_("Assessed on"), widget=DATE, initial=today)


def _now() -> dt.datetime:
    return timezone.localtime().replace(second=0, microsecond=0)


class VitalSignsForm(DomainForm):
    """A nurse's set of vital signs; leave out what was not measured."""

    measured_at = forms.DateTimeField(label=_("Measured at"), widget=DATETIME, initial=_now)
    systolic_mmhg = forms.IntegerField(label=_("Systolic (mmHg)"), required=False)
    diastolic_mmhg = forms.IntegerField(label=_("Diastolic (mmHg)"), required=False)
    heart_rate_bpm = forms.IntegerField(label=_("Heart rate (/min)"), required=False)
    respiratory_rate = forms.IntegerField(label=_("Respiratory rate (/min)"), required=False)
    temperature_c = forms.DecimalField(
        label=_("Temperature (°C)"), required=False, max_digits=4, decimal_places=1
    )
    spo2_percent = forms.IntegerField(label=_("SpO2 (%)"), required=False)
    weight_kg = forms.DecimalField(
        label=_("Weight (kg)"), required=False, max_digits=5, decimal_places=1
    )
    height_cm = forms.DecimalField(
        label=_("Height (cm)"), required=False, max_digits=4, decimal_places=1
    )


class VitalSignsErrorForm(DomainForm):
    """Mark a set entered in error (it should never have been recorded)."""

    vital_signs = forms.TypedChoiceField(label=_("Vital signs set"), coerce=int)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class VitalSignsCorrectForm(VitalSignsForm):
    """Correct a set: the whole corrected set, which supersedes the chosen one."""

    field_order = ["vital_signs", "reason"]
    vital_signs = forms.TypedChoiceField(label=_("Vital signs set"), coerce=int)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class MarkerForm(DomainForm):
    marker = forms.ChoiceField(label=_("Marker"), choices=TumorMarkerCode.choices)
    value = forms.DecimalField(label=_("Value"))
    unit = forms.CharField(label=_("Unit"), max_length=20)
    observed_on = forms.DateField(label=_("Measured on"), widget=DATE, initial=today)


class DiseaseStatusForm(DomainForm):
    diagnosis = forms.TypedChoiceField(label=_("Diagnosis"), coerce=int)
    status = forms.ChoiceField(label=_("Disease status"), choices=DiseaseStatusCode.choices)
    observed_on = forms.DateField(label=_("Assessed on"), widget=DATE, initial=today)
    note = forms.CharField(label=_("Evidence"), max_length=300, required=False)


class TreatmentForm(DomainForm):
    modality = forms.ChoiceField(label=_("Modality"), choices=Modality.choices)
    started_on = forms.DateField(label=_("Started on"), widget=DATE, initial=today)
    ended_on = forms.DateField(label=_("Ended on"), widget=DATE, required=False)
    at_this_center = forms.BooleanField(label=_("At this hospital"), required=False, initial=True)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)


class WorkupForm(DomainForm):
    department = forms.ChoiceField(label=_("Department"), choices=WorkupDepartment.choices)
    test_name = forms.CharField(label=_("Test"), max_length=120)


class WorkupAdvanceForm(DomainForm):
    status = forms.ChoiceField(
        label=_("New status"), choices=[c for c in WorkupStatus.choices if c[0] != "ordered"]
    )
    result_summary = forms.CharField(
        max_length=TEXT_MAX,
        label=_("Result summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CopayForm(DomainForm):
    registered_on = forms.DateField(label=_("Registered on"), widget=DATE, initial=today)
    registration_number = forms.CharField(
        label=_("Registration number"), max_length=30, required=False
    )
    special_code = forms.CharField(label=_("Special case code"), max_length=8, initial="V193")
