"""Tumor-board pages: meetings with quorum, case list with summaries, recommendations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import Count
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from oncocenter.accounts.models import User
from oncocenter.accounts.selectors import current_user
from oncocenter.core.errors import NotFound, NotPermitted, ValidationFailed
from oncocenter.core.forms import DomainForm, run_service, set_choices
from oncocenter.core.permissions import has_perm, require
from oncocenter.core.views import permission_required
from oncocenter.mdt import selectors, services
from oncocenter.mdt.forms import (
    AttendanceForm,
    CaseForm,
    MeetingCloseForm,
    MeetingForm,
    RecommendationForm,
)
from oncocenter.mdt.models import BoardCase, BoardType, Meeting
from oncocenter.patients.selectors import patient_get
from oncocenter.trials.models import Study, StudyStatus

# Django's own input ids ("id_<prefix>-<field>"): every form here has its own prefix, so the ids
# are unique, and the browser walk addresses them.
IDS = "id_%s"


@require_http_methods(["GET", "POST"])
@permission_required("mdt.view")
def meetings(request: HttpRequest) -> HttpResponse:
    form = MeetingForm(request.POST or None, prefix="meeting", auto_id=IDS)
    set_choices(form, "board_type", [(b.pk, str(b)) for b in BoardType.objects.all()])
    status = 200
    if request.method == "POST":
        require(request.user, "mdt.manage")
        by = current_user(request)
        outcome = run_service(
            request,
            form,
            lambda: services.meeting_create(
                board_type=BoardType.objects.get(pk=form.cleaned_data["board_type"]),
                by=by,
                held_on=form.cleaned_data["held_on"],
                location=form.cleaned_data["location"],
                chair=by,
            ),
        )
        if outcome.ok and outcome.value is not None:
            return redirect("mdt:meeting", pk=outcome.value.pk)
        status = outcome.status
    since = timezone.localdate() - dt.timedelta(days=60)
    rows = (
        Meeting.objects.filter(held_on__gte=since).select_related("board_type").order_by("held_on")
    )
    return render(
        request,
        "mdt/meetings.html",
        {
            "meetings": rows,
            "form": form,
            "can_manage": has_perm(request.user, "mdt.manage"),
            "board_times": selectors.board_to_treatment_days().values(),
        },
        status=status,
    )


def _trial_choices() -> list[tuple[Any, str]]:
    return [("", "—")] + [
        (s.pk, f"{s.code}: {s.title}") for s in Study.objects.filter(status=StudyStatus.RECRUITING)
    ]


def _recommendation_form(
    data: QueryDict | None, case: BoardCase, trials: list[tuple[Any, str]] | None = None
) -> RecommendationForm:
    """The recommendation form of one case; a page with many cases passes the trial choices it
    read once, so the page does not query the studies per case."""
    form = RecommendationForm(data, prefix=f"rec{case.pk}", auto_id=IDS)
    set_choices(form, "trial", _trial_choices() if trials is None else trials)
    return form


def _recommendation_call(
    form: RecommendationForm, case: BoardCase, by: User
) -> Callable[[], object]:
    def call() -> object:
        d = form.cleaned_data
        referrals: list[services.BoardReferral] = []
        if d["referral_to"]:
            referrals.append(
                {
                    "to_department": d["referral_to"],
                    "reason": d["referral_reason"],
                    "urgency": d["referral_urgency"],
                }
            )
        orders: list[services.BoardOrder] = []
        if d["order_department"]:
            orders.append({"department": d["order_department"], "test_name": d["order_test"]})
        return services.recommendation_record(
            case=case,
            by=by,
            intent=d["intent"],
            from_department=d["from_department"],
            modalities=[d[f"step{i}"] for i in range(1, 5) if d[f"step{i}"]],
            sequence_note=d["sequence_note"],
            note=d["note"],
            trial=Study.objects.filter(pk=d["trial"]).first() if d["trial"] else None,
            referrals=referrals,
            orders=orders,
        )

    return call


NEEDED = {
    "attendance": "mdt.manage",
    "case": "mdt.manage",
    "close": "mdt.manage",
    "recommend": "mdt.recommend",
}


@require_http_methods(["GET", "POST"])
@permission_required("mdt.view")
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(Meeting.objects.select_related("board_type"), pk=pk)
    action = request.POST.get("form", "") if request.method == "POST" else None
    if action is not None:
        if action not in NEEDED:
            raise NotPermitted(_("This page has no form '%(form)s'.") % {"form": action})
        require(request.user, NEEDED[action])
    data = request.POST if action is not None else None
    attendance_form = AttendanceForm(
        data if action == "attendance" else None, prefix="att", auto_id=IDS
    )
    case_form = CaseForm(data if action == "case" else None, prefix="case", auto_id=IDS)
    close_form = MeetingCloseForm(data if action == "close" else None, prefix="close")
    rec_forms: dict[int, RecommendationForm] = {}
    status = 200
    if action is not None:
        by = current_user(request)

        def add_attendee() -> object:
            username = attendance_form.cleaned_data["username"]
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None:
                raise ValidationFailed.single("username", _("is not an active staff member"))
            return services.attendance_record(
                meeting=meeting,
                by=by,
                user=user,
                discipline=attendance_form.cleaned_data["discipline"],
            )

        def list_case() -> object:
            try:
                patient = patient_get(mrn=case_form.cleaned_data["mrn"].strip(), audit=False)
            except NotFound:
                raise ValidationFailed.single("mrn", _("no patient with this MRN")) from None
            return services.case_add(
                meeting=meeting,
                by=by,
                patient=patient,
                diagnosis=patient.diagnoses.order_by("-is_primary", "-diagnosed_on").first(),
                question=case_form.cleaned_data["question"],
            )

        form: DomainForm
        call: Callable[[], object]
        success: str | None = None
        if action == "attendance":
            form, call = attendance_form, add_attendee
        elif action == "case":
            form, call = case_form, list_case
        elif action == "close":
            form, call = close_form, lambda: services.meeting_close(meeting=meeting, by=by)
        else:
            case = get_object_or_404(
                BoardCase.objects.select_related("patient", "diagnosis", "meeting__board_type"),
                pk=request.POST.get("case"),
                meeting=meeting,
            )
            form = rec_forms[case.pk] = _recommendation_form(request.POST, case)
            call = _recommendation_call(form, case, by)
            success = _("Recommendation recorded with its referrals and orders.")
        outcome = run_service(request, form, call, success=success)
        if outcome.ok:
            return redirect("mdt:meeting", pk=pk)
        status = outcome.status
    selectors.meeting_audit_read(meeting)
    cases = list(
        meeting.cases.select_related("patient", "recommendation__trial")
        # Counted in the query: one query for the list whatever the number of cases (issue 18).
        .annotate(
            n_referrals=Count("recommendation__referrals", distinct=True),
            n_orders=Count("recommendation__orders", distinct=True),
        )
        .order_by("id")
    )
    trials = _trial_choices() if any(not hasattr(c, "recommendation") for c in cases) else []
    case_rows: list[dict[str, Any]] = []
    for c in cases:
        rec = getattr(c, "recommendation", None)
        case_rows.append(
            {
                "case": c,
                "rec": rec,
                "n_referrals": c.n_referrals,
                "n_orders": c.n_orders,
                "form": None
                if rec
                else rec_forms.get(c.pk) or _recommendation_form(None, c, trials),
            }
        )
    return render(
        request,
        "mdt/meeting.html",
        {
            "meeting": meeting,
            "quorum": selectors.meeting_quorum(meeting),
            "attendances": meeting.attendances.select_related("user"),
            "case_rows": case_rows,
            "attendance_form": attendance_form,
            "case_form": case_form,
            "close_form": close_form,
            "can_manage": has_perm(request.user, "mdt.manage"),
            "can_recommend": has_perm(request.user, "mdt.recommend"),
        },
        status=status,
    )
