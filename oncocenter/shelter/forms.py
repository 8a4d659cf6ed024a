"""Shapes of the family-shelter forms. The rules live in services and come back as field errors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from oncocenter.core.forms import DATE, DomainForm
from oncocenter.pediatrics.forms import ChildMrnForm, set_queryset
from oncocenter.pediatrics.labels import vocab_choices
from oncocenter.shelter import vocab
from oncocenter.shelter.models import ShelterHouse, ShelterRoom


class HouseForm(DomainForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    address = forms.CharField(label=_("Address"), required=False, max_length=200)


class RoomForm(DomainForm):
    house = forms.ModelChoiceField(label=_("House"), queryset=ShelterHouse.objects.none())
    number = forms.CharField(label=_("Room"), max_length=20)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_queryset(self, "house", ShelterHouse.objects.filter(active=True))


class CheckInForm(ChildMrnForm):
    room = forms.ModelChoiceField(label=_("Room"), queryset=ShelterRoom.objects.none())
    guests = forms.IntegerField(label=_("Guests"), min_value=1, initial=2)
    check_in = forms.DateField(label=_("Check-in"), widget=DATE)
    check_out = forms.DateField(label=_("Check-out"), required=False, widget=DATE)
    waitlist_entry = forms.IntegerField(widget=forms.HiddenInput, required=False)

    field_order = ["room", "mrn", "guests", "check_in", "check_out", "waitlist_entry"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rooms = ShelterRoom.objects.filter(active=True).select_related("house")
        set_queryset(self, "room", rooms)


class CheckOutForm(DomainForm):
    check_out = forms.DateField(label=_("Check-out"), widget=DATE)


class WaitlistForm(ChildMrnForm):
    requested_on = forms.DateField(label=_("Requested on"), widget=DATE)
    distance_km = forms.IntegerField(label=_("Distance from home (km)"), min_value=0)
    financial_need = forms.ChoiceField(
        label=_("Financial need"),
        choices=vocab_choices(vocab.shelter_ranking()["financial_need_levels"]),
    )
    treatment_intensity = forms.ChoiceField(
        label=_("Treatment intensity"),
        choices=vocab_choices(vocab.shelter_ranking()["treatment_intensity_levels"]),
    )
    guests = forms.IntegerField(label=_("Guests"), min_value=1, initial=2)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=300)
