"""Shapes of the aid forms. The rules live in services and come back as field errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oncocenter.aid import vocab
from oncocenter.aid.models import AidNeed, AidOrganisation, AidStatus
from oncocenter.core.forms import DomainForm
from oncocenter.pediatrics.forms import ChildMrnForm, set_queryset
from oncocenter.pediatrics.labels import vocab_choices


def _documents_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=_("Documents provided"),
        required=False,
        choices=vocab_choices(vocab.aid_documents()),
        widget=forms.CheckboxSelectMultiple,
    )


class OrganisationForm(DomainForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    contact = forms.CharField(label=_("Contact"), required=False, max_length=200)
    support_types = forms.CharField(label=_("Support types"), required=False, max_length=200)


class AidForm(ChildMrnForm):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=AidOrganisation.objects.none()
    )
    need = forms.ChoiceField(label=_("Need"), choices=AidNeed.choices)
    need_description = forms.CharField(label=_("Need description"), required=False, max_length=300)
    amount_requested = forms.DecimalField(label=_("Amount requested (KRW)"), decimal_places=0)
    documents = _documents_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "organisation", AidOrganisation.objects.filter(active=True))


class AidDocumentsForm(DomainForm):
    documents = _documents_field()


class AidTransitionForm(DomainForm):
    field_aliases = {"status": "to_status"}

    to_status = forms.ChoiceField(label=_("New status"), choices=AidStatus.choices)
    amount_granted = forms.DecimalField(
        label=_("Amount granted (KRW)"), required=False, decimal_places=0
    )
    decision_note = forms.CharField(label=_("Decision note"), required=False, max_length=300)
