"""Pages of the family shelter. Each POST parses one form, calls one service through
``run_service`` and redirects; a refusal re-renders the page with the message beside the field
(status 422, or 409 for a taken room; nothing saved)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from oncocenter.accounts.selectors import current_user
from oncocenter.audit.services import audit_record
from oncocenter.core.forms import run_service, today
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


@require_POST
@permission_required("shelter.edit")
def shelter_check_in(request: HttpRequest) -> HttpResponse:
    form = forms.CheckInForm(request.POST)
    outcome = run_service(
        request,
        form,
        lambda: services.shelter_check_in(
            room=form.cleaned_data["room"],
            patient=patient_from_mrn(form.cleaned_data["mrn"]),
            by=current_user(request),
            guests=form.cleaned_data["guests"],
            check_in=form.cleaned_data["check_in"],
            check_out=form.cleaned_data["check_out"],
            waitlist_entry=_waitlist_entry(form.cleaned_data.get("waitlist_entry")),
        ),
        success=_("Checked in."),
    )
    if outcome.ok:
        return redirect("shelter:index")
    return _shelter_page(request, outcome.status, checkin_form=form)


@require_POST
@permission_required("shelter.edit")
def shelter_check_out(request: HttpRequest, pk: int) -> HttpResponse:
    stay = row(ShelterStay, pk)
    form = forms.CheckOutForm(request.POST)
    outcome = run_service(
        request,
        form,
        lambda: services.shelter_check_out(
            stay=stay, by=current_user(request), **form.cleaned_data
        ),
        success=_("Checked out."),
    )
    if outcome.ok:
        return redirect("shelter:index")
    return _shelter_page(request, outcome.status, checkout_form=form)


@require_POST
@permission_required("shelter.edit")
def shelter_waitlist_add(request: HttpRequest) -> HttpResponse:
    form = forms.WaitlistForm(request.POST)
    outcome = run_service(
        request,
        form,
        lambda: services.waitlist_add(
            patient=patient_from_mrn(form.cleaned_data["mrn"]),
            by=current_user(request),
            **form.data_without_mrn(),
        ),
        success=_("Added to the waitlist."),
    )
    if outcome.ok:
        return redirect("shelter:index")
    return _shelter_page(request, outcome.status, waitlist_form=form)


@require_POST
@permission_required("shelter.edit")
def shelter_waitlist_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """A one-button form: a refusal (the family is no longer waiting) is a 409 page."""
    services.waitlist_withdraw(entry=row(ShelterWaitlistEntry, pk), by=current_user(request))
    messages.success(request, _("Removed from the waitlist."))
    return redirect("shelter:index")


@require_POST
@permission_required("shelter.manage")
def shelter_house_create(request: HttpRequest) -> HttpResponse:
    form = forms.HouseForm(request.POST)
    outcome = run_service(
        request,
        form,
        lambda: services.shelter_house_create(by=current_user(request), **form.cleaned_data),
        success=_("House added."),
    )
    if outcome.ok:
        return redirect("shelter:index")
    return _shelter_page(request, outcome.status, house_form=form)


@require_POST
@permission_required("shelter.manage")
def shelter_room_create(request: HttpRequest) -> HttpResponse:
    form = forms.RoomForm(request.POST)
    outcome = run_service(
        request,
        form,
        lambda: services.shelter_room_create(by=current_user(request), **form.cleaned_data),
        success=_("Room added."),
    )
    if outcome.ok:
        return redirect("shelter:index")
    return _shelter_page(request, outcome.status, room_form=form)
