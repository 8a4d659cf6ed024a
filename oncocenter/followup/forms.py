"""Form shapes only; the rules live in the services and come back beside the fields."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oncocenter.core.errors import DomainError
from oncocenter.core.forms import DATE, DomainForm, set_choices
from oncocenter.core.limits import TEXT_MAX
from oncocenter.followup.models import EventType, ProtocolTemplate
from oncocenter.followup.protocols import MODALITIES, Exposure
from oncocenter.oncology.models import Modality

MODALITY_LABELS = dict(Modality.choices)

_EXPOSURE = re.compile(r"exposures\[(\d+)\]")


class PlanForm(DomainForm):
    treatment_end = forms.DateField(label=_("End of treatment"), widget=DATE)
    template = forms.ChoiceField(label=_("Protocol"), required=False)
    icd10_code = forms.CharField(
        label=_("ICD-10 code (for automatic choice)"), required=False, max_length=10
    )
    modalities = forms.MultipleChoiceField(
        label=_("Treatments given"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(m, MODALITY_LABELS.get(m, m)) for m in MODALITIES],
    )
    treated_field = forms.CharField(label=_("RT treated field"), required=False, max_length=120)

    def __init__(
        self, *args: Any, templates: Iterable[ProtocolTemplate] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        set_choices(
            self,
            "template",
            [("", _("Automatic: every protocol that applies"))]
            + [(t.code, f"{t.name_en} / {t.name_ko}") for t in templates],
        )


class EventForm(DomainForm):
    event_type = forms.ChoiceField(label=_("Event"), choices=EventType.choices)
    occurred_on = forms.DateField(label=_("Date"), widget=DATE)
    grade = forms.IntegerField(label=_("Grade (CTCAE 1-5)"), required=False)
    description = forms.CharField(label=_("Description"), max_length=300)


class BookItemForm(DomainForm):
    slot = forms.IntegerField(label=_("Slot"), required=False, widget=forms.HiddenInput)


class LateEffectsForm(DomainForm):
    """Childhood survivors: one exposure per line, "code, end date, dose, treated field"."""

    therapy_end = forms.DateField(label=_("End of therapy"), widget=DATE)
    exposures = forms.CharField(
        max_length=TEXT_MAX,
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.exposure_lines: list[int] = []  # the text line of each parsed exposure

    def clean_exposures(self) -> list[Exposure]:
        """Exposures from the text, one per line; a bad line is an error naming the line."""
        out: list[Exposure] = []
        errors = []
        self.exposure_lines = []
        for n, line in enumerate(self.cleaned_data["exposures"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(",")]
            try:
                ended = dt.date.fromisoformat(parts[1])
                dose = float(parts[2]) if len(parts) > 2 and parts[2] else None
            except (IndexError, ValueError):
                errors.append(
                    forms.ValidationError(
                        _("line %(n)s: write code, YYYY-MM-DD[, dose][, field]") % {"n": n}
                    )
                )
                continue
            out.append(Exposure(parts[0], ended, dose, parts[3] if len(parts) > 3 else ""))
            self.exposure_lines.append(n)
        if errors:
            raise forms.ValidationError(errors)
        return out

    def add_domain_errors(self, exc: DomainError) -> None:
        # The service numbers exposures ("exposures[1].dose"); the user wrote lines.
        for problem in exc.problems:
            found = _EXPOSURE.match(problem.field)
            if found and int(found.group(1)) < len(self.exposure_lines):
                line = self.exposure_lines[int(found.group(1))]
                problem.message = _("line %(n)s: %(message)s") % {
                    "n": line,
                    "message": problem.message,
                }
        super().add_domain_errors(exc)
