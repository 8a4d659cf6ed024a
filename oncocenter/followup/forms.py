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


class LateEffectsForm(DomainForm):
    """Childhood survivors: one exposure per line, "code, end date, dose, treated field"."""

    therapy_end = forms.DateField(
        label=_("End of therapy"), widget=forms.DateInput(attrs={"type": "date"})
    )
    exposures = forms.CharField(
        label=_("Exposures"),
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": "chest_rt, 2024-05-01, 21, mediastinum"}
        ),
        help_text=_(
            "One per line: code, end date (YYYY-MM-DD), dose (Gy or mg/m2, optional), treated field "
            "(optional). Codes: chest_rt, cranial_rt, neck_rt, any_rt, anthracycline, alkylating, "
            "platinum, hsct."
        ),
    )

    def parsed_exposures(self) -> list[Any]:
        """Exposures from the text; a bad line is a form error on "exposures" naming the line."""
        import datetime as dt

        from oncocenter.followup.protocols import Exposure

        out = []
        for n, line in enumerate(self.cleaned_data["exposures"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(",")]
            try:
                ended = dt.date.fromisoformat(parts[1])
                dose = float(parts[2]) if len(parts) > 2 and parts[2] else None
            except (IndexError, ValueError):
                self.add_error(
                    "exposures", _("line %(n)s: write code, YYYY-MM-DD[, dose][, field]") % {"n": n}
                )
                continue
            out.append(Exposure(parts[0], ended, dose, parts[3] if len(parts) > 3 else ""))
        return out
