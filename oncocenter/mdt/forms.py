from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from oncocenter.core.forms import DATE, DomainForm, today
from oncocenter.core.limits import TEXT_MAX
from oncocenter.mdt.models import Intent
from oncocenter.oncology.models import Modality, WorkupDepartment
from oncocenter.referrals.models import Department, Urgency


class MeetingForm(DomainForm):
    board_type = forms.TypedChoiceField(label=_("Board"), coerce=int)
    held_on = forms.DateField(label=_("Date"), widget=DATE, initial=today)
    location = forms.CharField(label=_("Room"), max_length=80, required=False)


class AttendanceForm(DomainForm):
    field_aliases = {"user": "username"}

    username = forms.CharField(label=_("Staff username"), max_length=150)
    discipline = forms.ChoiceField(label=_("Discipline"), choices=Department.choices)


class CaseForm(DomainForm):
    field_aliases = {"patient": "mrn"}

    mrn = forms.CharField(label=_("Patient MRN"), max_length=10)
    question = forms.CharField(label=_("Question for the board"), max_length=300)


class RecommendationForm(DomainForm):
    # The form names one referral and one order; the service numbers them.
    field_aliases = {
        "modalities": "step1",
        "referrals[0].to_department": "referral_to",
        "referrals[0].reason": "referral_reason",
        "referrals[0].urgency": "referral_urgency",
        "orders[0].department": "order_department",
        "orders[0].test_name": "order_test",
    }

    intent = forms.ChoiceField(label=_("Intent"), choices=Intent.choices)
    # Ordered steps rather than checkboxes: the sequence (e.g. chemotherapy, then surgery) is the
    # recommendation.
    step1 = forms.ChoiceField(
        label=_("First modality"), choices=[("", "—"), *Modality.choices], required=False
    )
    step2 = forms.ChoiceField(
        label=_("Then"), choices=[("", "—"), *Modality.choices], required=False
    )
    step3 = forms.ChoiceField(
        label=_("Then"), choices=[("", "—"), *Modality.choices], required=False
    )
    step4 = forms.ChoiceField(
        label=_("Then"), choices=[("", "—"), *Modality.choices], required=False
    )
    sequence_note = forms.CharField(label=_("Sequence"), max_length=300, required=False)
    from_department = forms.ChoiceField(label=_("Referring department"), choices=Department.choices)
    trial = forms.TypedChoiceField(
        label=_("Trial suggestion"), coerce=int, required=False, empty_value=None
    )
    referral_to = forms.ChoiceField(
        label=_("Refer to"), choices=[("", "—"), *Department.choices], required=False
    )
    referral_reason = forms.CharField(label=_("Referral reason"), max_length=300, required=False)
    referral_urgency = forms.ChoiceField(label=_("Referral urgency"), choices=Urgency.choices)
    order_department = forms.ChoiceField(
        label=_("Order to"), choices=[("", "—"), *WorkupDepartment.choices], required=False
    )
    order_test = forms.CharField(label=_("Test to order"), max_length=120, required=False)
    note = forms.CharField(
        max_length=TEXT_MAX,
        label=_("Discussion"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MeetingCloseForm(DomainForm):
    """No input: the "mark as held" button, whose refusal (already held) shows beside it."""
