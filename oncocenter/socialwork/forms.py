"""Shapes of the social-work forms. The rules live in services and come back as field errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oncocenter.core.forms import DATE, DomainForm
from oncocenter.core.limits import TEXT_MAX
from oncocenter.pediatrics.forms import ChildMrnForm
from oncocenter.pediatrics.labels import lazy_label, vocab_choices
from oncocenter.socialwork import vocab
from oncocenter.socialwork.models import InterventionOutcome

LEVEL_PREFIX = "level_"


class CaseOpenForm(ChildMrnForm):
    opened_on = forms.DateField(label=_("Opened on"), widget=DATE)


class CaseCloseForm(DomainForm):
    # The case page's one-field form posts its date as "check_out" (its name since issue 7).
    field_aliases = {"closed_on": "check_out"}

    check_out = forms.DateField(label=_("Close the case on"), widget=DATE)


class AssessmentForm(DomainForm):
    """One level per need domain; the service's "levels.<domain>" problems land beside it."""

    assessed_on = forms.DateField(label=_("Assessed on"), widget=DATE)
    summary = forms.CharField(
        max_length=TEXT_MAX,
        label=_("Summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        levels = vocab_choices(vocab.need_levels())
        for d in vocab.social_work_domains():
            self.fields[f"{LEVEL_PREFIX}{d['code']}"] = forms.ChoiceField(
                label=lazy_label(d), choices=levels, initial="none"
            )

    def field_for(self, name: str) -> str | None:
        return super().field_for(name.replace("levels.", LEVEL_PREFIX))

    def data_for_service(self) -> dict[str, Any]:
        levels = {
            k.removeprefix(LEVEL_PREFIX): v
            for k, v in self.cleaned_data.items()
            if k.startswith(LEVEL_PREFIX)
        }
        return {
            "assessed_on": self.cleaned_data["assessed_on"],
            "summary": self.cleaned_data["summary"],
            "levels": levels,
        }


class InterventionForm(DomainForm):
    domain = forms.ChoiceField(
        label=_("Domain"), choices=vocab_choices(vocab.social_work_domains())
    )
    description = forms.CharField(label=_("Intervention"), max_length=300)
    started_on = forms.DateField(label=_("Started on"), widget=DATE)


class OutcomeForm(DomainForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=InterventionOutcome.choices)
    outcome_note = forms.CharField(label=_("Outcome note"), required=False, max_length=300)
    completed_on = forms.DateField(label=_("Completed on"), required=False, widget=DATE)
