"""Pages of the family shelter. Each POST parses one form, calls one service through
``run_service`` and redirects; a refusal re-renders the page with the message beside the field
(status 422, or 409 for a taken room; nothing saved)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from oncocenter.accounts.selectors import current_user
from oncocenter.audit.services import audit_record
from oncocenter.core.forms import today
from oncocenter.core.formviews import FormPage, Posted, to
from oncocenter.core.permissions import has_perm
from oncocenter.core.views import permission_required
from oncocenter.pediatrics.forms import patient_from_mrn
from oncocenter.pediatrics.lookups import row
from oncocenter.shelter import forms, selectors, services
from oncocenter.shelter.models import ShelterStay, ShelterWaitlistEntry


def _shelter_page(request: HttpRequest, status: int = 200, **bound: Any) -> HttpResponse:
    on = today()
    ranked = selectors.waitlist_ranked()
    occupancy = selectors.room_occupancy(on)
    audit_record(
        action="read",
        object_type="support.shelter",
        detail={
            "mrns": sorted(
                {r["entry"].patient.mrn for r in ranked}
                | {o["stay"].patient.mrn for o in occupancy if o["stay"]}
            )
        },
    )
    prefill: dict[str, Any] = {"check_in": on, "guests": 2}
    if request.GET.get("entry", "").isdigit():
        entry = (
            ShelterWaitlistEntry.objects.filter(pk=request.GET["entry"])
            .select_related("patient")
            .first()
        )
        if entry:
            prefill.update(mrn=entry.patient.mrn, guests=entry.guests, waitlist_entry=entry.pk)
    return render(
        request,
        "shelter/shelter.html",
        {
            "occupancy": occupancy,
            "free": sum(1 for r in occupancy if r["stay"] is None),
            "ranked": ranked,
            "weights": selectors.shelter_weights(),
            "active_stays": selectors.active_stays(),
            "can_edit": has_perm(request.user, "shelter.edit"),
            "can_manage": has_perm(request.user, "shelter.manage"),
            "checkin_form": bound.get("checkin_form") or forms.CheckInForm(initial=prefill),
            "waitlist_form": bound.get("waitlist_form")
            or forms.WaitlistForm(initial={"requested_on": on}),
            "house_form": bound.get("house_form") or forms.HouseForm(),
            "room_form": bound.get("room_form") or forms.RoomForm(),
            "checkout_form": bound.get("checkout_form") or forms.CheckOutForm(),
            "today": on,
        },
        status=status,
    )


@require_GET
@permission_required("shelter.view")
def shelter(request: HttpRequest) -> HttpResponse:
    return _shelter_page(request)


def _waitlist_entry(pk: int | None) -> ShelterWaitlistEntry | None:
    return row(ShelterWaitlistEntry, pk) if pk else None


_index = FormPage(render=_shelter_page, done=to("shelter:index"))


@_index.post("shelter.edit", forms.CheckInForm, "checkin_form", gettext_lazy("Checked in."))
def shelter_check_in(p: Posted[forms.CheckInForm]) -> Any:
    return services.shelter_check_in(
        room=p.data["room"],
        patient=patient_from_mrn(p.data["mrn"]),
        by=p.by,
        guests=p.data["guests"],
        check_in=p.data["check_in"],
        check_out=p.data["check_out"],
        waitlist_entry=_waitlist_entry(p.data.get("waitlist_entry")),
    )


# Checking out is a POST on the stay; a refusal shows the shelter page again.
_stay = FormPage(
    render=lambda request, stay, status, **bound: _shelter_page(request, status, **bound),
    load=lambda pk: row(ShelterStay, pk),
    done=to("shelter:index"),
)


@_stay.post("shelter.edit", forms.CheckOutForm, "checkout_form", gettext_lazy("Checked out."))
def shelter_check_out(p: Posted[forms.CheckOutForm]) -> Any:
    return services.shelter_check_out(stay=p.obj, by=p.by, **p.data)


@_index.post(
    "shelter.edit",
    forms.WaitlistForm,
    "waitlist_form",
    gettext_lazy("Added to the waitlist."),
)
def shelter_waitlist_add(p: Posted[forms.WaitlistForm]) -> Any:
    return services.waitlist_add(
        patient=patient_from_mrn(p.data["mrn"]), by=p.by, **p.form.data_without_mrn()
    )


@require_POST
@permission_required("shelter.edit")
def shelter_waitlist_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """A one-button form: a refusal (the family is no longer waiting) is a 409 page."""
    services.waitlist_withdraw(entry=row(ShelterWaitlistEntry, pk), by=current_user(request))
    messages.success(request, _("Removed from the waitlist."))
    return redirect("shelter:index")


@_index.post("shelter.manage", forms.HouseForm, "house_form", gettext_lazy("House added."))
def shelter_house_create(p: Posted[forms.HouseForm]) -> Any:
    return services.shelter_house_create(by=p.by, **p.data)


@_index.post("shelter.manage", forms.RoomForm, "room_form", gettext_lazy("Room added."))
def shelter_room_create(p: Posted[forms.RoomForm]) -> Any:
    return services.shelter_room_create(by=p.by, **p.data)
