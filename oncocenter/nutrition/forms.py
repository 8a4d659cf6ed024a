"""Form shapes only; the rules (ranges with units) live in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from oncocenter.core.forms import DATE, DomainForm
from oncocenter.nutrition import calc


class RecordForm(DomainForm):
    measured_on = forms.DateField(label=_("Date"), widget=DATE)
    weight = forms.FloatField(label=_("Weight"), required=False)
    weight_unit = forms.ChoiceField(
        label=_("Weight unit"), choices=[("kg", "kg"), ("g", "g"), ("lb", "lb")]
    )
    height = forms.FloatField(label=_("Height"), required=False)
    height_unit = forms.ChoiceField(
        label=_("Height unit"), choices=[("cm", "cm"), ("m", "m"), ("in", "in")]
    )
    fois_level = forms.IntegerField(
        label=_("FOIS level (1-7)"),
        required=False,
        help_text=_("1 nothing by mouth ... 7 total oral diet, no restrictions"),
    )
    iddsi_level = forms.IntegerField(label=_("IDDSI level (0-7)"), required=False)
    feeding_route = forms.ChoiceField(
        label=_("Feeding route"),
        required=False,
        choices=[("", "—"), *[(c, _(label)) for c, label in calc.FEEDING_ROUTES]],
    )
    intake_percent = forms.IntegerField(label=_("Intake (percent of need)"), required=False)
    dysphagia_grade = forms.IntegerField(label=_("Dysphagia grade (0-4)"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class ScreeningForm(DomainForm):
    screened_on = forms.DateField(label=_("Date"), widget=DATE)
    nutritional_status = forms.TypedChoiceField(
        label=_("Impaired nutritional status"), coerce=int, choices=[(i, str(i)) for i in range(4)]
    )
    disease_severity = forms.TypedChoiceField(
        label=_("Severity of disease"), coerce=int, choices=[(i, str(i)) for i in range(4)]
    )


class MilestoneForm(DomainForm):
    kind = forms.ChoiceField(
        label=_("Milestone"), choices=[(c, _(label)) for c, label in calc.MILESTONES]
    )
    occurred_on = forms.DateField(label=_("Date"), widget=DATE)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class QoLForm(DomainForm):
    """The questionnaire's date; its answers (one select per item) are read by the view."""

    answered_on = forms.DateField(label=_("Date"), widget=DATE)


class AlertHandleForm(DomainForm):
    status = forms.CharField(label=_("Status"), required=False, max_length=20)


class SettingsForm(DomainForm):
    loss_1m_percent = forms.DecimalField(
        label=_("Alert: weight loss in 1 month (%)"), max_digits=4, decimal_places=1
    )
    loss_6m_percent = forms.DecimalField(
        label=_("Alert: weight loss in 6 months (%)"), max_digits=4, decimal_places=1
    )
    bmi_below = forms.DecimalField(label=_("Alert: BMI below"), max_digits=4, decimal_places=1)
    nrs_at_least = forms.IntegerField(label=_("Alert: NRS-2002 at least"))
    qol_drop_points = forms.DecimalField(
        label=_("Alert: QoL subscale drop (points)"), max_digits=4, decimal_places=1
    )
