from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from oncocenter.core.forms import DATETIME, DomainForm
from oncocenter.core.limits import TEXT_MAX
from oncocenter.referrals.models import Department, ReferralStatus, Urgency


class ReferralForm(DomainForm):
    from_department = forms.ChoiceField(label=_("From department"), choices=Department.choices)
    to_department = forms.ChoiceField(label=_("To department"), choices=Department.choices)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    reason = forms.CharField(
        max_length=TEXT_MAX, label=_("Reason / question"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ReferralAdvanceForm(DomainForm):
    status = forms.ChoiceField(
        label=_("New status"), choices=[c for c in ReferralStatus.choices if c[0] != "requested"]
    )
    scheduled_for = forms.DateTimeField(label=_("Scheduled for"), required=False, widget=DATETIME)
    note = forms.CharField(max_length=TEXT_MAX, label=_("Response note"), required=False)
    reason = forms.CharField(max_length=TEXT_MAX, label=_("Decline reason"), required=False)
