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
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from oncocenter.audit.services import audit_record
from oncocenter.core.errors import NotFound
from oncocenter.core.forms import today
from oncocenter.core.formviews import FormPage, Posted, to_new
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


def _measured(p: Posted[forms.MeasurementForm], value: Any) -> HttpResponse:
    """The measurement is saved; its warnings (e.g. a weight change to check) are shown."""
    for warning in value[1]:
        messages.warning(p.request, warning)
    return redirect("pediatrics:pediatric", mrn=p.url["mrn"])


_record = FormPage(render=_pediatric_page, load=_patient, done="pediatrics:pediatric")


@_record.post(
    "pediatric.edit",
    forms.SedationForm,
    "sedation_form",
    gettext_lazy("Sedation need saved."),
)
def pediatric_sedation(p: Posted[forms.SedationForm]) -> Any:
    return services.profile_set_sedation(patient=p.obj, by=p.by, **p.data)


@_record.post(
    "pediatric.edit",
    forms.MeasurementForm,
    "measurement_form",
    gettext_lazy("Measurement saved."),
    done=_measured,
)
def pediatric_measurement(p: Posted[forms.MeasurementForm]) -> Any:
    return services.measurement_record(patient=p.obj, by=p.by, **p.data)


# A guardian is added through the patients app, which refuses a minor as legal representative.
@_record.post("record.edit", forms.GuardianForm, "guardian_form", gettext_lazy("Guardian added."))
def pediatric_guardian(p: Posted[forms.GuardianForm]) -> Any:
    return guardian_add(patient=p.obj, by=p.by, **p.data)


def _hsct_data(form: forms.HSCTForm) -> dict[str, Any]:
    """The form's values for the HSCT services: an empty date is no date."""
    dates = ("conditioning_start", "day0", "neutrophil_engraftment_on", "platelet_engraftment_on")
    return {k: (None if k in dates and v == "" else v) for k, v in form.cleaned_data.items()}


@_record.post(
    "hsct.edit",
    forms.HSCTForm,
    "hsct_form",
    gettext_lazy("HSCT episode created."),
    done=to_new("pediatrics:hsct-detail"),
)
def hsct_create(p: Posted[forms.HSCTForm]) -> Any:
    return services.hsct_episode_create(patient=p.obj, by=p.by, **_hsct_data(p.form))


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


_episode_page = FormPage(render=_hsct_page, load=_episode, done="pediatrics:hsct-detail")


@_episode_page.post("hsct.edit", forms.HSCTForm, "edit_form", gettext_lazy("Saved."), refresh=True)
def hsct_edit(p: Posted[forms.HSCTForm]) -> Any:
    return services.hsct_episode_update(episode=p.obj, by=p.by, **_hsct_data(p.form))


@_episode_page.post("hsct.edit", forms.GVHDForm, "gvhd_form", gettext_lazy("GVHD recorded."))
def hsct_gvhd(p: Posted[forms.GVHDForm]) -> Any:
    return services.gvhd_entry_add(episode=p.obj, by=p.by, **p.data)


@_episode_page.post(
    "hsct.edit",
    forms.ComplicationForm,
    "complication_form",
    gettext_lazy("Complication recorded."),
)
def hsct_complication(p: Posted[forms.ComplicationForm]) -> Any:
    return services.hsct_complication_add(episode=p.obj, by=p.by, **p.data)
