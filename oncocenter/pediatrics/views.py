"""Pages of the pediatric record: the support-services hub, the child's pediatric page, HSCT.

Each POST parses one form, calls one service through ``run_service`` and redirects; when the
service refuses, the page is rendered again with the message beside the field and status 422
(nothing is saved: services are atomic). The reports are in ``views_reports``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from oncocenter.accounts.selectors import current_user
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import NotFound
from oncocenter.core.forms import run_service, today
from oncocenter.core.permissions import has_perm
from oncocenter.core.registry import registry
from oncocenter.core.views import login_required_view, permission_required
from oncocenter.patients.models import Patient
from oncocenter.patients.selectors import patient_get
from oncocenter.patients.services_record import guardian_add
from oncocenter.pediatrics import calc, forms, selectors, services, vocab
from oncocenter.pediatrics.labels import label
from oncocenter.pediatrics.models import HSCTEpisode

HUB_SECTION = "pediatric"


def _patient(mrn: str) -> Patient:
    return patient_get(mrn=mrn, audit=False)


def _episode(pk: int) -> HSCTEpisode:
    episode = HSCTEpisode.objects.select_related("patient").filter(pk=pk).first()
    if episode is None:
        raise NotFound(_("No HSCT episode %(id)s.") % {"id": pk})
    return episode


# ============================================================================ hub
@require_GET
@login_required_view
def hub(request: HttpRequest) -> HttpResponse:
    """The pediatric services this user may open: the section's navigation, on one page."""
    links = []
    for item in sorted(registry.nav, key=lambda i: i.order):
        if item.section != HUB_SECTION or item.url_name == "pediatrics:hub":
            continue
        if not has_perm(request.user, item.permission):
            continue
        try:
            links.append((reverse(item.url_name), item.label))
        except NoReverseMatch:
            continue
    return render(request, "pediatrics/hub.html", {"links": links})


# ============================================================================ pediatric record
def _pediatric_page(
    request: HttpRequest, patient: Patient, status: int = 200, **bound: Any
) -> HttpResponse:
    on = today()
    profile = getattr(patient, "pediatric_profile", None)
    episodes = (
        list(HSCTEpisode.objects.filter(patient=patient).prefetch_related("gvhd_entries"))
        if has_perm(request.user, "hsct.view")
        else []
    )
    context = {
        "patient": patient,
        "age": patient.age_on(on),
        "profile": profile,
        "measurements": list(patient.body_measurements.all()[:10]),
        "lansky": selectors.latest_lansky(patient),
        "diagnoses": selectors.childhood_diagnoses(patient),
        "episodes": [selectors.hsct_day_view(e, on) for e in episodes],
        "can_edit": has_perm(request.user, "pediatric.edit"),
        "can_hsct": has_perm(request.user, "hsct.edit"),
        "sedation_form": bound.get("sedation_form")
        or forms.SedationForm(
            initial={
                "sedation_required": bool(profile and profile.sedation_required),
                "sedation_notes": profile.sedation_notes if profile else "",
            }
        ),
        "measurement_form": bound.get("measurement_form")
        or forms.MeasurementForm(initial={"measured_on": on}),
        "hsct_form": bound.get("hsct_form") or forms.HSCTForm(),
        "can_record": has_perm(request.user, "record.view"),
        "can_add_guardian": has_perm(request.user, "record.edit"),
        "guardian_form": bound.get("guardian_form") or forms.GuardianForm(),
    }
    if context["can_record"]:
        context["guardians"] = [
            {
                "g": g,
                "age": calc.completed_years(g.birth_date, on) if g.birth_date else None,
            }
            for g in patient.guardians.all()
        ]
        context["consents"] = list(patient.consents.select_related("guardian"))
    return render(request, "pediatrics/pediatric.html", context, status=status)


@require_GET
@permission_required("pediatric.view")
def pediatric(request: HttpRequest, mrn: str) -> HttpResponse:
    patient = _patient(mrn)
    audit_record(action="read", patient=patient, object_type="support.pediatric", object_id=mrn)
    return _pediatric_page(request, patient)


@require_POST
@permission_required("pediatric.edit")
def pediatric_sedation(request: HttpRequest, mrn: str) -> HttpResponse:
    patient = _patient(mrn)
    form = forms.SedationForm(request.POST)
    outcome = run_service(
        request,
        form,
        lambda: services.profile_set_sedation(
            patient=patient, by=current_user(request), **form.cleaned_data
        ),
        success=_("Sedation need saved."),
    )
    if outcome.ok:
        return redirect("pediatrics:pediatric", mrn=mrn)
    return _pediatric_page(request, patient, outcome.status, sedation_form=form)


@require_POST
@permission_required("pediatric.edit")
def pediatric_measurement(request: HttpRequest, mrn: str) -> HttpResponse:
    patient = _patient(mrn)
    form = forms.MeasurementForm(request.POST)
    outcome = run_service(
        request,
        form,
        lambda: services.measurement_record(
            patient=patient, by=current_user(request), **form.cleaned_data
        ),
        success=_("Measurement saved."),
    )
    if outcome.ok and outcome.value is not None:
        for warning in outcome.value[1]:
            messages.warning(request, warning)
        return redirect("pediatrics:pediatric", mrn=mrn)
    return _pediatric_page(request, patient, outcome.status, measurement_form=form)


@require_POST
@permission_required("record.edit")
def pediatric_guardian(request: HttpRequest, mrn: str) -> HttpResponse:
    """Add a guardian through the patients app, which refuses a minor as legal representative."""
    patient = _patient(mrn)
    form = forms.GuardianForm(request.POST)
    outcome = run_service(
        request,
        form,
        lambda: guardian_add(patient=patient, by=current_user(request), **form.cleaned_data),
        success=_("Guardian added."),
    )
    if outcome.ok:
        return redirect("pediatrics:pediatric", mrn=mrn)
    return _pediatric_page(request, patient, outcome.status, guardian_form=form)


def _hsct_data(form: forms.HSCTForm) -> dict[str, Any]:
    """The form's values for the HSCT services: an empty date is no date."""
    dates = ("conditioning_start", "day0", "neutrophil_engraftment_on", "platelet_engraftment_on")
    return {k: (None if k in dates and v == "" else v) for k, v in form.cleaned_data.items()}


@require_POST
@permission_required("hsct.edit")
def hsct_create(request: HttpRequest, mrn: str) -> HttpResponse:
    patient = _patient(mrn)
    form = forms.HSCTForm(request.POST)
    outcome = run_service(
        request,
        form,
        lambda: services.hsct_episode_create(
            patient=patient, by=current_user(request), **_hsct_data(form)
        ),
        success=_("HSCT episode created."),
    )
    if outcome.ok and outcome.value is not None:
        return redirect("pediatrics:hsct-detail", pk=outcome.value.pk)
    return _pediatric_page(request, patient, outcome.status, hsct_form=form)


# ============================================================================ HSCT
@require_GET
@permission_required("hsct.view")
def hsct_worklist(request: HttpRequest) -> HttpResponse:
    rows = selectors.hsct_active_episodes(today())
    audit_record(
        action="read",
        object_type="support.hsct_worklist",
        detail={"count": len(rows), "mrns": [v.episode.patient.mrn for v in rows]},
    )
    return render(request, "pediatrics/hsct_worklist.html", {"rows": rows})


def _hsct_page(
    request: HttpRequest, episode: HSCTEpisode, status: int = 200, **bound: Any
) -> HttpResponse:
    on = today()
    if request.GET.get("on"):
        try:
            on = dt.date.fromisoformat(request.GET["on"])
        except ValueError:
            messages.error(request, _("The date must be YYYY-MM-DD."))
    organs = {o["code"]: label(o) for k in ("acute", "chronic") for o in vocab.gvhd()[k]["organs"]}
    context = {
        "episode": episode,
        "patient": episode.patient,
        "view": selectors.hsct_day_view(episode, on),
        "on": on,
        "gvhd": [(g, organs.get(g.organ, g.organ)) for g in episode.gvhd_entries.all()],
        "complications": episode.complications.all(),
        "can_edit": has_perm(request.user, "hsct.edit"),
        "edit_form": bound.get("edit_form")
        or forms.HSCTForm(initial={f: getattr(episode, f) for f in services.HSCT_FIELDS}),
        "gvhd_form": bound.get("gvhd_form") or forms.GVHDForm(initial={"observed_on": today()}),
        "complication_form": bound.get("complication_form") or forms.ComplicationForm(),
    }
    if request.headers.get("HX-Request") and request.method == "GET":
        return render(request, "pediatrics/_partials/hsct_day.html", context)
    return render(request, "pediatrics/hsct_detail.html", context, status=status)


@require_GET
@permission_required("hsct.view")
def hsct_detail(request: HttpRequest, pk: int) -> HttpResponse:
    episode = _episode(pk)
    audit_record(action="read", obj=episode, patient=episode.patient)
    return _hsct_page(request, episode)


@require_POST
@permission_required("hsct.edit")
def hsct_edit(request: HttpRequest, pk: int) -> HttpResponse:
    episode = _episode(pk)
    form = forms.HSCTForm(request.POST)
    outcome = run_service(
        request,
        form,
        lambda: services.hsct_episode_update(
            episode=episode, by=current_user(request), **_hsct_data(form)
        ),
        success=_("Saved."),
    )
    if outcome.ok:
        return redirect("pediatrics:hsct-detail", pk=pk)
    episode.refresh_from_db()
    return _hsct_page(request, episode, outcome.status, edit_form=form)


@require_POST
@permission_required("hsct.edit")
def hsct_gvhd(request: HttpRequest, pk: int) -> HttpResponse:
    episode = _episode(pk)
    form = forms.GVHDForm(request.POST)
    outcome = run_service(
        request,
        form,
        lambda: services.gvhd_entry_add(
            episode=episode, by=current_user(request), **form.cleaned_data
        ),
        success=_("GVHD recorded."),
    )
    if outcome.ok:
        return redirect("pediatrics:hsct-detail", pk=pk)
    return _hsct_page(request, episode, outcome.status, gvhd_form=form)


@require_POST
@permission_required("hsct.edit")
def hsct_complication(request: HttpRequest, pk: int) -> HttpResponse:
    episode = _episode(pk)
    form = forms.ComplicationForm(request.POST)
    outcome = run_service(
        request,
        form,
        lambda: services.hsct_complication_add(
            episode=episode, by=current_user(request), **form.cleaned_data
        ),
        success=_("Complication recorded."),
    )
    if outcome.ok:
        return redirect("pediatrics:hsct-detail", pk=pk)
    return _hsct_page(request, episode, outcome.status, complication_form=form)
