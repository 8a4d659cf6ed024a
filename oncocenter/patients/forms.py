from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oncocenter.core.forms import DATE, DomainForm
from oncocenter.patients.models import Sex


class PatientForm(DomainForm):
    """Shape of the form only; the rules live in patients.services and come back as field errors."""

    name_ko = forms.CharField(label=_("Name (Hangul)"), max_length=40, required=False)
    family_name_en = forms.CharField(label=_("Family name (Latin)"), max_length=60)
    given_name_en = forms.CharField(label=_("Given name (Latin)"), max_length=60, required=False)
    birth_date = forms.DateField(label=_("Birth date"), widget=DATE)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    rrn = forms.CharField(
        label=_("Resident registration no."),
        required=False,
        max_length=14,
        help_text=_("YYMMDD-NNNNNNN. Stored encrypted; shown masked."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    phone = forms.CharField(label=_("Phone"), required=False, max_length=20)
    email = forms.CharField(label=_("E-mail"), required=False, max_length=254)
    address = forms.CharField(label=_("Address"), required=False, max_length=200)
    postal_code = forms.CharField(label=_("Postal code"), required=False, max_length=5)

    def demographics(self) -> dict[str, Any]:
        """The cleaned demographic fields, as the patient services take them (without the RRN)."""
        data = dict(self.cleaned_data)
        data.pop("rrn", None)
        return data
