from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oncocenter.core.errors import ValidationFailed
from oncocenter.machines.models import Machine
from oncocenter.scheduling.models import Urgency

DT_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class DomainErrorsMixin:
    def add_domain_errors(self, exc: ValidationFailed) -> None:
        for problem in exc.problems:
            name = problem.field if problem.field in self.fields else None  # type: ignore[attr-defined]
            self.add_error(name, problem.message)  # type: ignore[attr-defined]


class DowntimeForm(DomainErrorsMixin, forms.Form):
    """Shape of the form only; the rules live in scheduling.services."""

    start = forms.DateTimeField(label=_("Start"), widget=DT_WIDGET)
    end = forms.DateTimeField(label=_("End"), widget=DT_WIDGET)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class OutageForm(DowntimeForm):
    machine = forms.ModelChoiceField(
        label=_("Machine"),
        queryset=Machine.objects.order_by("code"),
        to_field_name="code",
        empty_label=None,
    )
    field_order = ["machine", "start", "end", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            now = timezone.localtime().replace(second=0, microsecond=0)
            self.initial.setdefault("start", now)
            self.initial.setdefault("end", now + dt.timedelta(hours=4))


class ServiceForm(DomainErrorsMixin, forms.Form):
    in_service = forms.BooleanField(label=_("In service"), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class CourseBookForm(DomainErrorsMixin, forms.Form):
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        required=False,
        choices=[("", _("From the prescription's intent")), *Urgency.choices],
    )
    ready_date = forms.DateField(
        label=_("Ready to treat from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: the next open day after the physics check."),
    )
    anesthesia = forms.BooleanField(
        label=_("Under anesthesia (first slot of the day)"), required=False
    )
    window_start = forms.TimeField(
        label=_("Preferred from"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    window_end = forms.TimeField(
        label=_("Preferred until"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )

    def add_domain_errors(self, exc: ValidationFailed) -> None:
        for problem in exc.problems:
            name = "window_start" if problem.field == "preferred_window" else problem.field
            self.add_error(name if name in self.fields else None, problem.message)

    def preferred_window(self) -> list[str] | None:
        a, b = self.cleaned_data.get("window_start"), self.cleaned_data.get("window_end")
        if a is None and b is None:
            return None
        return [a.strftime("%H:%M") if a else "", b.strftime("%H:%M") if b else ""]


class CancelForm(DomainErrorsMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)
