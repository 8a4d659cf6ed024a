from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oncocenter.clinics.forms import DomainForm
from oncocenter.followup.models import EventType
from oncocenter.followup.protocols import MODALITIES


class PlanForm(DomainForm):
    treatment_end = forms.DateField(
        label=_("End of treatment"), widget=forms.DateInput(attrs={"type": "date"})
    )
    template = forms.ChoiceField(label=_("Protocol"), required=False)
    icd10_code = forms.CharField(
        label=_("ICD-10 code (for automatic choice)"), required=False, max_length=10
    )
    modalities = forms.MultipleChoiceField(
        label=_("Treatments given"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(m, m) for m in MODALITIES],
    )
    treated_field = forms.CharField(label=_("RT treated field"), required=False, max_length=120)

    def __init__(self, *args, templates=(), **kwargs):
        super().__init__(*args, **kwargs)
        field: Any = self.fields["template"]
        field.choices = [("", _("Automatic: every protocol that applies"))] + [
            (t.code, f"{t.name_en} / {t.name_ko}") for t in templates
        ]


class EventForm(DomainForm):
    event_type = forms.ChoiceField(label=_("Event"), choices=EventType.choices)
    occurred_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    grade = forms.IntegerField(label=_("Grade (CTCAE 1-5)"), required=False)
    description = forms.CharField(label=_("Description"), max_length=300)


class BookItemForm(DomainForm):
    slot = forms.IntegerField(widget=forms.HiddenInput)
