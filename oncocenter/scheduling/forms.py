"""Forms of the scheduling pages: the shape of one service call each; the rules live in the
services (scheduling's, and the machines area's for QA windows and service state)."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oncocenter.core.errors import Conflict, DomainError
from oncocenter.core.forms import DATE, DATETIME, TIME, DomainForm
from oncocenter.machines.models import Machine
from oncocenter.scheduling.models import Urgency


class DowntimeForm(DomainForm):
    start = forms.DateTimeField(label=_("Start"), widget=DATETIME)
    end = forms.DateTimeField(label=_("End"), widget=DATETIME)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class OutageForm(DowntimeForm):
    machine = forms.ModelChoiceField(
        label=_("Machine"),
        queryset=Machine.objects.order_by("code"),
        to_field_name="code",
        empty_label=None,
    )
    field_order = ["machine", "start", "end", "reason"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            now = timezone.localtime().replace(second=0, microsecond=0)
            self.initial.setdefault("start", now)
            self.initial.setdefault("end", now + dt.timedelta(hours=4))


class ServiceForm(DomainForm):
    in_service = forms.BooleanField(label=_("In service"), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class CourseBookForm(DomainForm):
    """A scheduler's choices for booking a course; a refused interlock is kept with its rule."""

    field_aliases: ClassVar[dict[str, str]] = {"preferred_window": "window_start"}
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        required=False,
        choices=[("", _("From the prescription's intent")), *Urgency.choices],
    )
    ready_date = forms.DateField(
        label=_("Ready to treat from"),
        required=False,
        widget=DATE,
        help_text=_("Empty: the next open day after the physics check."),
    )
    anesthesia = forms.BooleanField(
        label=_("Under anesthesia (first slot of the day)"), required=False
    )
    window_start = forms.TimeField(label=_("Preferred from"), required=False, widget=TIME)
    window_end = forms.TimeField(label=_("Preferred until"), required=False, widget=TIME)

    refusal: Conflict | None = None

    def add_domain_errors(self, exc: DomainError) -> None:
        if isinstance(exc, Conflict):
            self.refusal = exc
        super().add_domain_errors(exc)

    def preferred_window(self) -> list[str] | None:
        a, b = self.cleaned_data.get("window_start"), self.cleaned_data.get("window_end")
        if a is None and b is None:
            return None
        return [a.strftime("%H:%M") if a else "", b.strftime("%H:%M") if b else ""]
