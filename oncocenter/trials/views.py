"""Trial pages: studies, pre-screening with per-criterion reasons, screening log, enrollment."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from oncocenter.core.errors import DomainError, NotFound, ValidationFailed
from oncocenter.core.permissions import has_perm
from oncocenter.core.views import permission_required
from oncocenter.oncology.forms import DomainForm
from oncocenter.patients.selectors import patient_get
from oncocenter.trials import selectors, services
from oncocenter.trials.forms import EnrollmentForm, ScreeningForm, StudyForm, WithdrawForm
from oncocenter.trials.models import Enrollment, Study


@require_http_methods(["GET", "POST"])
@permission_required("trial.view")
def studies(request: HttpRequest) -> HttpResponse:
    form = StudyForm(request.POST or None, prefix="study")
    status = 200
    if request.method == "POST":
        if not has_perm(request.user, "trial.manage"):
            return render(
                request, "core/forbidden.html", {"permission": "trial.manage"}, status=403
            )
        if form.is_valid():
            try:
                study = services.study_create(data=form.cleaned_data, by=request.user)
            except ValidationFailed as exc:
                form.add_domain_errors(exc)
            else:
                return redirect("trials:study", pk=study.pk)
        status = 400
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


@require_http_methods(["GET", "POST"])
@permission_required("trial.view")
def study(request: HttpRequest, pk: int) -> HttpResponse:
    study = get_object_or_404(Study, pk=pk)
    action = request.POST.get("form", "") if request.method == "POST" else None
    needed = {"screen": "trial.screen", "enroll": "trial.enroll", "withdraw": "trial.enroll"}
    if action is not None and (action not in needed or not has_perm(request.user, needed[action])):
        return render(
            request, "core/forbidden.html", {"permission": needed.get(action, action)}, status=403
        )
    screen_form = ScreeningForm(request.POST if action == "screen" else None, prefix="screen")
    enroll_form = EnrollmentForm(request.POST if action == "enroll" else None, prefix="enroll")
    withdraw_form = WithdrawForm(request.POST if action == "withdraw" else None, prefix="withdraw")
    by_action: dict[str, DomainForm] = {
        "screen": screen_form,
        "enroll": enroll_form,
        "withdraw": withdraw_form,
    }
    target = by_action.get(action or "")
    status = 200
    if target is not None:
        if target.is_valid():
            data = dict(target.cleaned_data)
            try:
                if action == "withdraw":
                    enrollment = get_object_or_404(
                        Enrollment, pk=request.POST.get("enrollment"), study=study
                    )
                    services.enrollment_withdraw(enrollment=enrollment, by=request.user, **data)
                else:
                    try:
                        patient = patient_get(mrn=data.pop("mrn").strip(), audit=False)
                    except NotFound:
                        raise ValidationFailed.single(
                            "mrn", _("no patient with this MRN")
                        ) from None
                    if action == "screen":
                        services.screening_log_add(
                            study=study, patient=patient, by=request.user, **data
                        )
                    else:
                        services.enrollment_create(
                            study=study, patient=patient, by=request.user, **data
                        )
            except ValidationFailed as exc:
                target.add_domain_errors(exc)
            except DomainError as exc:
                target.add_error(None, str(exc))
            else:
                messages.success(request, _("Saved."))
                return redirect("trials:study", pk=study.pk)
        status = 400
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
