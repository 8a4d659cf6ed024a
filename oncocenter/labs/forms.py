"""Shapes of the labs forms. Rules live in services and come back beside the field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oncocenter.core.forms import DATETIME, DomainForm
from oncocenter.core.limits import PASSWORD_MAX
from oncocenter.labs.models import Analyte, BloodProduct
from oncocenter.labs.services import IMPORT_MAX_BYTES
from oncocenter.patients.models import Center


class ResultForm(DomainForm):
    loinc = forms.ChoiceField(label=_("Test"))
    value = forms.CharField(label=_("Value"), max_length=200)
    unit = forms.CharField(label=_("Unit (UCUM)"), max_length=20, required=False)
    collected_at = forms.DateTimeField(label=_("Collected at"), widget=DATETIME)
    accession = forms.CharField(label=_("Accession"), max_length=60, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["loinc"].choices = [  # type: ignore[attr-defined]
            (a.loinc, f"{a.name} ({a.loinc}, {a.unit or '-'})") for a in Analyte.objects.all()
        ]


class OrderForm(DomainForm):
    field_aliases = {"analytes": "analyte_codes"}

    analyte_codes = forms.MultipleChoiceField(label=_("Tests"), widget=forms.CheckboxSelectMultiple)
    center = forms.ModelChoiceField(
        label=_("Ordering center"), queryset=Center.objects.all(), required=False
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["analyte_codes"].choices = [  # type: ignore[attr-defined]
            (a.code, a.name) for a in Analyte.objects.all()
        ]


class AcknowledgeForm(DomainForm):
    communicated_to = forms.CharField(
        label=_("Communicated to (read-back)"), max_length=120, required=False
    )
    action = forms.CharField(label=_("Action taken"), max_length=300, required=False)


class ImportForm(DomainForm):
    field_aliases = {"file": "upload"}

    upload = forms.FileField(label=_("Laboratory CSV file"))

    MAX_BYTES = IMPORT_MAX_BYTES

    def clean_upload(self) -> Any:
        upload = self.cleaned_data["upload"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s MB; at most %(max)s MB per import.")
                % {"size": upload.size // (1024 * 1024), "max": self.MAX_BYTES // (1024 * 1024)}
            )
        return upload


class TransfusionForm(DomainForm):
    product = forms.ChoiceField(label=_("Product"), choices=BloodProduct.choices)
    irradiated = forms.BooleanField(label=_("Irradiated"), required=False)
    leukoreduced = forms.BooleanField(label=_("Leukoreduced"), required=False)
    units = forms.IntegerField(label=_("Units"), min_value=1, max_value=4, initial=1)
    indication = forms.CharField(label=_("Indication"), max_length=200, required=False)
    above_threshold_reason = forms.CharField(
        label=_("Reason to transfuse above the trigger"), max_length=200, required=False
    )


class TransfusionGivenForm(DomainForm):
    witness_username = forms.CharField(
        label=_("Second checker: user name"), max_length=150, required=False
    )
    witness_password = forms.CharField(
        max_length=PASSWORD_MAX,
        label=_("Second checker: password"),
        widget=forms.PasswordInput,
        required=False,
    )
    reaction = forms.CharField(label=_("Reaction"), max_length=120, required=False)
    reaction_grade = forms.IntegerField(label=_("Reaction grade (CTCAE)"), required=False)
