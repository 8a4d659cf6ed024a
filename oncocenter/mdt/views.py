"""Tumor-board pages: meetings with quorum, case list with summaries, recommendations."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from oncocenter.core.errors import DomainError, NotFound, ValidationFailed
from oncocenter.core.permissions import has_perm
from oncocenter.core.views import permission_required
from oncocenter.mdt import selectors, services
from oncocenter.mdt.forms import AttendanceForm, CaseForm, MeetingForm, RecommendationForm
from oncocenter.mdt.models import BoardCase, BoardType, Meeting
from oncocenter.oncology.forms import DomainForm, set_choices
from oncocenter.patients.selectors import patient_get
from oncocenter.trials.models import Study, StudyStatus


@require_http_methods(["GET", "POST"])
@permission_required("mdt.view")
def meetings(request: HttpRequest) -> HttpResponse:
    form = MeetingForm(request.POST or None, prefix="meeting")
    set_choices(form, "board_type", [(b.pk, b.name_en) for b in BoardType.objects.all()])
    status = 200
    if request.method == "POST":
        if not has_perm(request.user, "mdt.manage"):
            return render(request, "core/forbidden.html", {"permission": "mdt.manage"}, status=403)
        if form.is_valid():
            data = form.cleaned_data
            try:
                meeting = services.meeting_create(
                    board_type=BoardType.objects.get(pk=data["board_type"]),
                    held_on=data["held_on"],
                    location=data["location"],
                    chair=request.user,
                )
            except ValidationFailed as exc:
                form.add_domain_errors(exc)
            else:
                return redirect("mdt:meeting", pk=meeting.pk)
        status = 400
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


def _recommendation_form(data=None, case: BoardCase | None = None) -> RecommendationForm:
    form = RecommendationForm(data, prefix=f"rec{case.pk}" if case else "rec")
    set_choices(
        form,
        "trial",
        [("", "—")]
        + [
            (s.pk, f"{s.code}: {s.title}")
            for s in Study.objects.filter(status=StudyStatus.RECRUITING)
        ],
    )
    return form


@require_http_methods(["GET", "POST"])
@permission_required("mdt.view")
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(Meeting.objects.select_related("board_type"), pk=pk)
    action = request.POST.get("form", "") if request.method == "POST" else None
    needed = {
        "attendance": "mdt.manage",
        "case": "mdt.manage",
        "close": "mdt.manage",
        "recommend": "mdt.recommend",
    }
    if action is not None and (action not in needed or not has_perm(request.user, needed[action])):
        return render(
            request, "core/forbidden.html", {"permission": needed.get(action, action)}, status=403
        )
    attendance_form = AttendanceForm(request.POST if action == "attendance" else None, prefix="att")
    case_form = CaseForm(request.POST if action == "case" else None, prefix="case")
    rec_forms: dict[int, RecommendationForm] = {}
    status = 200
    try:
        if action == "attendance" and attendance_form.is_valid():
            user = (
                get_user_model()
                .objects.filter(username=attendance_form.cleaned_data["username"], is_active=True)
                .first()
            )
            if user is None:
                raise ValidationFailed.single("username", _("is not an active staff member"))
            services.attendance_record(
                meeting=meeting, user=user, discipline=attendance_form.cleaned_data["discipline"]
            )
            return redirect("mdt:meeting", pk=pk)
        if action == "case" and case_form.is_valid():
            try:
                patient = patient_get(mrn=case_form.cleaned_data["mrn"].strip(), audit=False)
            except NotFound:
                raise ValidationFailed.single("mrn", _("no patient with this MRN")) from None
            diagnosis = patient.diagnoses.order_by("-is_primary", "-diagnosed_on").first()
            services.case_add(
                meeting=meeting,
                patient=patient,
                diagnosis=diagnosis,
                question=case_form.cleaned_data["question"],
                by=request.user,
            )
            return redirect("mdt:meeting", pk=pk)
        if action == "close":
            services.meeting_close(meeting=meeting)
            return redirect("mdt:meeting", pk=pk)
        if action == "recommend":
            case = get_object_or_404(
                BoardCase.objects.select_related("patient", "diagnosis", "meeting__board_type"),
                pk=request.POST.get("case"),
                meeting=meeting,
            )
            form = _recommendation_form(request.POST, case)
            rec_forms[case.pk] = form
            if form.is_valid():
                d = form.cleaned_data
                referrals = (
                    [
                        {
                            "to_department": d["referral_to"],
                            "reason": d["referral_reason"],
                            "urgency": d["referral_urgency"],
                        }
                    ]
                    if d["referral_to"]
                    else []
                )
                orders = (
                    [{"department": d["order_department"], "test_name": d["order_test"]}]
                    if d["order_department"]
                    else []
                )
                services.recommendation_record(
                    case=case,
                    intent=d["intent"],
                    from_department=d["from_department"],
                    modalities=[d[f"step{i}"] for i in range(1, 5) if d[f"step{i}"]],
                    sequence_note=d["sequence_note"],
                    note=d["note"],
                    trial=Study.objects.filter(pk=d["trial"]).first() if d["trial"] else None,
                    referrals=referrals,
                    orders=orders,
                    by=request.user,
                )
                messages.success(
                    request, _("Recommendation recorded with its referrals and orders.")
                )
                return redirect("mdt:meeting", pk=pk)
        if action is not None:
            status = 400
    except ValidationFailed as exc:
        forms_by_action: dict[str, DomainForm] = {"attendance": attendance_form, "case": case_form}
        target = forms_by_action.get(action or "") or next(iter(rec_forms.values()))
        target.add_domain_errors(exc)
        status = 400
    except DomainError as exc:
        by_action: dict[str, DomainForm] = {"attendance": attendance_form, "case": case_form}
        target_or_none = by_action.get(action or "")
        if target_or_none is None and rec_forms:
            target_or_none = next(iter(rec_forms.values()))
        if target_or_none is not None:
            target_or_none.add_error(None, str(exc))
        else:
            messages.error(request, str(exc))
        status = 409
    selectors.meeting_audit_read(meeting)
    cases = list(meeting.cases.select_related("patient", "recommendation").order_by("id"))
    case_rows = []
    for c in cases:
        rec = getattr(c, "recommendation", None)
        case_rows.append(
            {
                "case": c,
                "rec": rec,
                "form": None if rec else rec_forms.get(c.pk) or _recommendation_form(case=c),
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
            "can_manage": has_perm(request.user, "mdt.manage"),
            "can_recommend": has_perm(request.user, "mdt.recommend"),
        },
        status=status,
    )
