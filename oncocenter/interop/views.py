"""The HL7 v2 message store page: messages as received, the ACK sent, and replay of a refused one.

Reads are audited (the list names the patients shown); replay goes through `hl7_replay`, which
refuses an accepted message (409), so pressing the button twice never applies a message twice.
"""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_GET, require_POST

from oncocenter.accounts.selectors import current_user
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import NotFound
from oncocenter.core.forms import run_service
from oncocenter.core.permissions import has_perm
from oncocenter.core.views import permission_required
from oncocenter.interop.hl7.services import hl7_replay
from oncocenter.interop.models import AckCode, Hl7Message

PAGE = 100


class MessageFilter(forms.Form):
    ack = forms.ChoiceField(
        label=_l("ACK"), required=False, choices=[("", _l("All")), *AckCode.choices]
    )
    type = forms.CharField(label=_l("Type"), required=False, max_length=20)
    control_id = forms.CharField(label=_l("Control id"), required=False, max_length=60)


class ReplayForm(forms.Form):
    """No field: the button is the whole form (its CSRF token comes with it)."""


def _message(pk: int) -> Hl7Message:
    row = Hl7Message.objects.select_related("patient").filter(pk=pk).first()
    if row is None:
        raise NotFound(_("No HL7 message with id %(id)s.") % {"id": pk})
    return row


@require_GET
@permission_required("hl7.view")
def message_list(request: HttpRequest) -> HttpResponse:
    form = MessageFilter(request.GET or None)
    rows = Hl7Message.objects.select_related("patient").order_by("-received_at", "-pk")
    status = 200
    if form.is_bound:
        if form.is_valid():
            if form.cleaned_data["ack"]:
                rows = rows.filter(ack_code=form.cleaned_data["ack"])
            if form.cleaned_data["type"]:
                rows = rows.filter(message_type__istartswith=form.cleaned_data["type"].strip())
            if form.cleaned_data["control_id"]:
                rows = rows.filter(control_id=form.cleaned_data["control_id"].strip())
        else:
            status, rows = 422, rows.none()
    total = rows.count()
    page = list(rows[:PAGE])
    audit_record(
        action=AuditAction.SEARCH,
        object_type="interop.hl7message",
        detail={
            "query": request.GET.urlencode()[:200],
            "count": len(page),
            "mrns": sorted({m.patient.mrn for m in page if m.patient})[:200],
        },
    )
    return render(
        request,
        "interop/hl7_list.html",
        {"form": form, "messages_page": page, "total": total, "shown": len(page)},
        status=status,
    )


def _detail(request: HttpRequest, row: Hl7Message, status: int = 200, form=None) -> HttpResponse:
    return render(
        request,
        "interop/hl7_detail.html",
        {
            "m": row,
            "segments": row.raw.split("\r"),
            "ack_segments": row.ack.split("\r"),
            "can_replay": has_perm(request.user, "hl7.replay") and row.ack_code != "AA",
            "form": form or ReplayForm(),
        },
        status=status,
    )


@require_GET
@permission_required("hl7.view")
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    row = _message(pk)
    audit_record(action=AuditAction.READ, obj=row, patient=row.patient)
    return _detail(request, row)


@require_POST
@permission_required("hl7.replay")
def message_replay(request: HttpRequest, pk: int) -> HttpResponse:
    row = _message(pk)
    form = ReplayForm(request.POST)
    outcome = run_service(
        request,
        form,
        lambda: hl7_replay(message=row, by=current_user(request)),
        success=lambda m: (
            _("Replayed: %(code)s %(text)s") % {"code": m.ack_code, "text": m.ack_text or m.outcome}
        ),
    )
    if outcome.ok:
        return redirect("interop:hl7-message", pk=pk)
    return _detail(request, _message(pk), outcome.status, form)
