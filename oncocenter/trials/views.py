"""Trial pages: studies, pre-screening with per-criterion reasons, screening log, enrollment."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from oncocenter.accounts.selectors import current_user
from oncocenter.core.errors import NotFound, NotPermitted, ValidationFailed
from oncocenter.core.forms import DomainForm, run_service
from oncocenter.core.permissions import has_perm, require
from oncocenter.core.views import permission_required
from oncocenter.patients.models import Patient
from oncocenter.patients.selectors import patient_get
from oncocenter.trials import selectors, services
from oncocenter.trials.forms import EnrollmentForm, ScreeningForm, StudyForm, WithdrawForm
from oncocenter.trials.models import Enrollment, Study

# Django's own input ids ("id_<prefix>-<field>"): every form here has its own prefix.
IDS = "id_%s"


@require_http_methods(["GET", "POST"])
@permission_required("trial.view")
def studies(request: HttpRequest) -> HttpResponse:
    form = StudyForm(request.POST or None, prefix="study", auto_id=IDS)
    status = 200
    if request.method == "POST":
        require(request.user, "trial.manage")
        outcome = run_service(
            request,
            form,
            lambda: services.study_create(by=current_user(request), **form.cleaned_data),
        )
        if outcome.ok and outcome.value is not None:
            return redirect("trials:study", pk=outcome.value.pk)
        status = outcome.status
    return render(
        request,
        "trials/studies.html",
        {
            "studies": Study.objects.all(),
            "form": form,
            "can_manage": has_perm(request.user, "trial.manage"),
        },
        status=status,
    )


def _patient_by_mrn(mrn: str) -> Patient:
    """The patient an MRN typed into a form names; an unknown one is that field's problem."""
    try:
        return patient_get(mrn=mrn.strip(), audit=False)
    except NotFound:
        raise ValidationFailed.single("mrn", _("no patient with this MRN")) from None


NEEDED = {"screen": "trial.screen", "enroll": "trial.enroll", "withdraw": "trial.enroll"}


@require_http_methods(["GET", "POST"])
@permission_required("trial.view")
def study(request: HttpRequest, pk: int) -> HttpResponse:
    study = get_object_or_404(Study, pk=pk)
    action = request.POST.get("form", "") if request.method == "POST" else None
    if action is not None:
        if action not in NEEDED:
            raise NotPermitted(_("This page has no form '%(form)s'.") % {"form": action})
        require(request.user, NEEDED[action])
    data = request.POST if action is not None else None
    screen_form = ScreeningForm(data if action == "screen" else None, prefix="screen", auto_id=IDS)
    enroll_form = EnrollmentForm(data if action == "enroll" else None, prefix="enroll", auto_id=IDS)
    withdraw_form = WithdrawForm(
        data if action == "withdraw" else None, prefix="withdraw", auto_id=IDS
    )
    status = 200
    if action is not None:
        by = current_user(request)

        def withdraw() -> object:
            enrollment = get_object_or_404(
                Enrollment, pk=request.POST.get("enrollment"), study=study
            )
            return services.enrollment_withdraw(
                enrollment=enrollment, by=by, **withdraw_form.cleaned_data
            )

        def screen() -> object:
            return services.screening_log_add(
                study=study,
                by=by,
                patient=_patient_by_mrn(screen_form.cleaned_data["mrn"]),
                outcome=screen_form.cleaned_data["outcome"],
                note=screen_form.cleaned_data["note"],
            )

        def enroll() -> object:
            return services.enrollment_create(
                study=study,
                by=by,
                patient=_patient_by_mrn(enroll_form.cleaned_data["mrn"]),
                consent_on=enroll_form.cleaned_data["consent_on"],
                arm=enroll_form.cleaned_data["arm"],
                override_reason=enroll_form.cleaned_data["override_reason"],
            )

        actions: dict[str, tuple[DomainForm, Callable[[], object]]] = {
            "withdraw": (withdraw_form, withdraw),
            "screen": (screen_form, screen),
            "enroll": (enroll_form, enroll),
        }
        form, call = actions[action]
        outcome = run_service(request, form, call, success=_("Saved."))
        if outcome.ok:
            return redirect("trials:study", pk=study.pk)
        status = outcome.status
    can_screen = has_perm(request.user, "trial.screen")
    selectors.study_audit_read(study)
    return render(
        request,
        "trials/study.html",
        {
            "study": study,
            "candidates": selectors.prescreen(study=study, as_of=timezone.localdate())
            if can_screen
            else None,
            "log": study.screening_log.select_related("patient")[:100] if can_screen else None,
            "enrollments": study.enrollments.select_related("patient"),
            "screen_form": screen_form,
            "enroll_form": enroll_form,
            "withdraw_form": withdraw_form,
            "can_screen": can_screen,
            "can_enroll": has_perm(request.user, "trial.enroll"),
        },
        status=status,
    )
