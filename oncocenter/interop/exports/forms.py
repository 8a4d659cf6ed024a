from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oncocenter.core.forms import DATE, DomainForm
from oncocenter.machines.models import Technique


class ResearchExportForm(DomainForm):
    icd10_prefix = forms.RegexField(
        label=_("ICD-10 code starts with"),
        regex=r"^[A-Z][0-9]{0,2}(\.[0-9]{0,2})?$",
        max_length=7,
        required=False,
        help_text=_("e.g. C15 (esophagus); empty: every diagnosis"),
        error_messages={"invalid": _("A letter and up to two digits, e.g. C15 or C15.3.")},
    )
    diagnosed_from = forms.DateField(label=_("Diagnosed from"), required=False, widget=DATE)
    diagnosed_to = forms.DateField(label=_("Diagnosed until"), required=False, widget=DATE)
    treated_with = forms.ChoiceField(
        label=_("Treated with the RT technique"),
        choices=[("", _("any or none")), *list(Technique.choices)],
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("diagnosed_from"), data.get("diagnosed_to")
        if start and end and end < start:
            self.add_error("diagnosed_to", _("Must not be before 'Diagnosed from'."))
        return data


class RegistryExportForm(DomainForm):
    year = forms.IntegerField(
        label=_("Year of diagnosis"),
        min_value=2000,
        help_text=_("Abstracts of the cancers diagnosed in that year"),
    )

    def clean_year(self) -> int:
        year = int(self.cleaned_data["year"])
        if year > timezone.localdate().year:
            raise forms.ValidationError(_("The year has not come yet."))
        return year
