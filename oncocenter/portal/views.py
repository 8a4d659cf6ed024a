"""Pages of the patient portal (own sign-in, own session key) and the staff pages that serve it.

A portal page never looks at `request.user`: it reads the portal account from the session key
`portal_account`, set only by the portal's own sign-in. Staff sign-in does not set it, and portal
sign-in does not authenticate a staff user, so neither side opens the other's pages.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import unquote

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

from oncocenter.accounts.selectors import current_user
from oncocenter.audit.context import current_context
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.clinics.models import Admission
from oncocenter.core.access import ACCESS_ATTR, PORTAL, PUBLIC, declare
from oncocenter.core.errors import Conflict, NotPermitted, Throttled, ValidationFailed
from oncocenter.core.forms import run_service, set_choices
from oncocenter.core.middleware import client_address
from oncocenter.core.permissions import has_perm
from oncocenter.core.views import login_required_view, permission_required
from oncocenter.interop.fhir.views import base_url, fhir_response
from oncocenter.notifications.models import Category
from oncocenter.notifications.services import staff_notification_set
from oncocenter.nutrition.models import Questionnaire
from oncocenter.patients.models import Patient
from oncocenter.portal import (
    appointments,
    documents,
    epro,
    fhir_record,
    forms,
    passkeys,
    selectors,
    services,
    staff_notices,
)
from oncocenter.portal.models import (
    AccountStatus,
    ChangeRequest,
    DocumentKind,
    DocumentRelease,
    PortalAccount,
    RequestStatus,
    SymptomAlert,
)

SESSION_KEY = "portal_account"
LANG_KEY = "portal_language"
QOL_CODE = "esophageal-qol-example"

PortalView = Callable[..., HttpResponse]


def _language(request: HttpRequest) -> str:
    lang = request.session.get(LANG_KEY, "ko")
    return lang if lang in ("ko", "en") else "ko"


def _activate_language(request: HttpRequest) -> str:
    """Korean unless the person chose English on the portal (staff language is not used)."""
    lang = _language(request)
    translation.activate(lang)
    request.LANGUAGE_CODE = lang
    return lang


def _render(
    request: HttpRequest, template: str, ctx: dict[str, Any], status: int = 200
) -> HttpResponse:
    ctx.setdefault("portal_language", _language(request))
    response = render(request, template, ctx, status=status)
    response["Cache-Control"] = "no-store"
    return response


def portal_page(view: PortalView) -> PortalView:
    """Signed-in portal account required; a `pid` argument must be a patient it may see
    (403, the same for a patient that does not exist, so ids cannot be probed)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _activate_language(request)
        account_id = request.session.get(SESSION_KEY)
        account = (
            PortalAccount.objects.filter(pk=account_id, status=AccountStatus.ACTIVE).first()
            if account_id
            else None
        )
        if account is None:
            return redirect(f"{reverse('portal:sign_in')}?next={request.path}")
        current_context().system_actor = services.actor_name(account)
        request.portal_account = account  # type: ignore[attr-defined]
        if "pid" in kwargs:
            try:
                kwargs["patient"] = services.patient_for(account, int(kwargs.pop("pid")))
            except NotPermitted as exc:
                return _render(request, "portal/denied.html", {"message": exc.message}, 403)
        return view(request, account, *args, **kwargs)

    setattr(wrapped, ACCESS_ATTR, PORTAL)
    return wrapped


@declare(PUBLIC)
@require_GET
def set_language(request: HttpRequest, lang: str) -> HttpResponse:
    if lang in ("ko", "en"):
        request.session[LANG_KEY] = lang
    return _back_to_next(request)


def _back_to_next(request: HttpRequest) -> HttpResponse:
    """To the portal page in `?next=` (never outside the portal), else the portal's home."""
    target = request.GET.get("next", "")
    if not target.startswith("/portal/"):
        target = reverse("portal:home")
    return HttpResponseRedirect(target)


def _session_form(
    request: HttpRequest,
    form_class: type[forms.SignInForm | forms.ActivateForm],
    template: str,
    service: Callable[..., PortalAccount],
    *fields: str,
) -> HttpResponse:
    """A page whose form, once `service` accepts its `fields` (and the client's address), signs
    the account in: sign-in and activation. A refusal shows the form again with the message."""
    _activate_language(request)
    form = form_class(request.POST or None)
    status = 200
    if request.method == "POST":
        outcome = run_service(
            request,
            form,
            lambda: service(
                address=client_address(request), **{f: form.cleaned_data[f] for f in fields}
            ),
        )
        if outcome.ok and outcome.value is not None:
            return _start_session(request, outcome.value)
        status = outcome.status
    return _render(request, template, {"form": form}, status)


@declare(PUBLIC)
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    fields = ("username", "password")
    return _session_form(
        request, forms.SignInForm, "portal/sign_in.html", services.portal_sign_in, *fields
    )


def _start_session(request: HttpRequest, account: PortalAccount) -> HttpResponse:
    request.session.cycle_key()  # a new session id at sign-in (no fixation)
    request.session[SESSION_KEY] = account.pk
    request.session[LANG_KEY] = request.session.get(LANG_KEY, account.language)
    return _back_to_next(request)


@declare(PUBLIC)
@require_http_methods(["GET", "POST"])
def activate(request: HttpRequest) -> HttpResponse:
    # An e-mail left empty is "" (the field is optional), which the service takes as none.
    fields = ("code", "username", "password", "email")
    return _session_form(
        request, forms.ActivateForm, "portal/activate.html", services.portal_activate, *fields
    )


@declare(PUBLIC)
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    account_id = request.session.pop(SESSION_KEY, None)
    if account_id:
        account = PortalAccount.objects.filter(pk=account_id).first()
        if account is not None:
            audit_record(
                action=AuditAction.LOGOUT, obj=account, actor_username=services.actor_name(account)
            )
    request.session.cycle_key()
    return redirect("portal:sign_in")


@require_GET
@portal_page
def home(request: HttpRequest, account: PortalAccount) -> HttpResponse:
    people = services.patients_of(account)
    if len(people) == 1:
        return redirect("portal:patient", pid=people[0][0].pk)
    services.audit_portal_read(account, None, "home", {"patients": [p.mrn for p, _r in people]})
    return _render(request, "portal/home.html", {"account": account, "people": people})


@require_GET
@portal_page
def patient(request: HttpRequest, account: PortalAccount, patient: Patient) -> HttpResponse:
    upcoming = appointments.upcoming(patient)
    open_requests = set(
        ChangeRequest.objects.filter(
            account=account, patient=patient, status=RequestStatus.OPEN
        ).values_list("appointment_key", flat=True)
    )
    share = {a: services.shared_with(account, patient, a) for a in services.SHARE_AREAS}
    reports = selectors.recent_reports(patient)
    if not share["symptom_reports"]:
        # The guardian still sees the proxy reports they answered themselves.
        reports = [r for r in reports if r.by_proxy]
    discharges = selectors.discharge_releases(patient) if share["documents"] else []
    services.audit_portal_read(
        account,
        patient,
        "overview",
        {
            "appointments": [u.key for u in upcoming],
            "withheld": sorted(a for a, ok in share.items() if not ok),
        },
    )
    return _render(
        request,
        "portal/patient.html",
        {
            "share": share,
            "discharges": discharges,
            "can_set_sharing": selectors.can_set_sharing(account, patient),
            "account": account,
            "patient": patient,
            "upcoming": upcoming,
            "open_requests": open_requests,
            "care_team": selectors.care_team(patient),
            "is_proxy": account.kind == "guardian",
            "has_qol": Questionnaire.objects.filter(code=QOL_CODE, active=True).exists(),
            "change_form": forms.ChangeRequestForm(),
            "reports": reports,
        },
    )


@require_POST
@portal_page
def change_request(request: HttpRequest, account: PortalAccount, patient: Patient) -> HttpResponse:
    form = forms.ChangeRequestForm(request.POST)
    labels = {u.key: f"{u.kind_label} {u.on:%Y-%m-%d}" for u in appointments.upcoming(patient)}
    key = request.POST.get("appointment_key", "")
    if key not in labels:
        return _render(
            request, "portal/denied.html", {"message": _("This appointment is not yours.")}, 403
        )
    outcome = run_service(
        request,
        form,
        lambda: services.change_request_create(
            account=account,
            patient=patient,
            appointment_key=key,
            appointment_label=labels[key],
            reason=form.cleaned_data["reason"],
            preferred=form.cleaned_data.get("preferred") or "",
        ),
        success=_("Your request is sent; the center will call you."),
    )
    if outcome.ok:
        return redirect("portal:patient", pid=patient.pk)
    return _render(
        request,
        "portal/change_request.html",
        {"patient": patient, "form": form, "label": labels[key]},
        outcome.status,
    )


def _questionnaire(
    request: HttpRequest,
    account: PortalAccount,
    patient: Patient,
    form: forms.SymptomForm | forms.QoLForm,
    code: str,
    submit: Callable[[dict[str, Any]], object],
    template: str,
    name: str,
) -> HttpResponse:
    """A questionnaire page: a GET shows it (audited as a read of the patient), a POST submits
    the answers; a refused answer is shown beside its question (422), saved ones go to thanks."""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                submit(form.answers())
            except ValidationFailed as exc:
                for problem in exc.problems:
                    field = problem.field.removeprefix("answers.")
                    form.add_error(field if field in form.fields else None, problem.message)
                status = 422
            else:
                return redirect("portal:thanks", pid=patient.pk)
        else:
            status = 422
    else:
        services.audit_portal_read(account, patient, "questionnaire", {"code": code})
    return _render(
        request, template, {"patient": patient, "form": form, "instrument_name": name}, status
    )


@require_http_methods(["GET", "POST"])
@portal_page
def symptoms(request: HttpRequest, account: PortalAccount, patient: Patient) -> HttpResponse:
    lang = _language(request)
    instrument = epro.PROXY if account.kind == "guardian" else epro.ADULT
    return _questionnaire(
        request,
        account,
        patient,
        forms.SymptomForm(request.POST or None, instrument=instrument, language=lang),
        instrument.code,
        lambda answers: services.pro_submit(
            account=account, patient=patient, instrument_code=instrument.code, answers=answers
        ),
        "portal/symptoms.html",
        instrument.name[lang],
    )


@require_http_methods(["GET", "POST"])
@portal_page
def qol(request: HttpRequest, account: PortalAccount, patient: Patient) -> HttpResponse:
    lang = _language(request)
    questionnaire = get_object_or_404(Questionnaire, code=QOL_CODE, active=True)
    return _questionnaire(
        request,
        account,
        patient,
        forms.QoLForm(request.POST or None, definition=questionnaire.definition, language=lang),
        QOL_CODE,
        lambda answers: services.qol_submit(
            account=account, patient=patient, questionnaire=questionnaire, answers=answers
        ),
        "portal/qol.html",
        questionnaire.name_ko if lang == "ko" else questionnaire.name_en,
    )


@require_GET
@portal_page
def thanks(request: HttpRequest, account: PortalAccount, patient: Patient) -> HttpResponse:
    return _render(request, "portal/thanks.html", {"patient": patient})


# What each document shows, for the adolescent's sharing choices (the school letter is for the
# school and carries no clinical detail, so it stays with the guardians).
DOCUMENT_AREAS: dict[str, tuple[str, ...]] = {
    "care-plan": ("documents",),
    "followup": ("documents",),
    "cost": ("documents",),
    "record": ("documents", "results", "symptom_reports"),
    "discharge": ("documents", "results"),
}


def _withheld(
    request: HttpRequest, account: PortalAccount, patient: Patient, *areas: str
) -> HttpResponse | None:
    """403 (audited) when the adolescent withheld one of `areas` from this guardian."""
    try:
        services.require_shared(account, patient, *areas)
    except NotPermitted as exc:
        return _render(request, "portal/denied.html", {"message": exc.message}, 403)
    return None


@require_GET
@portal_page
def discharge(
    request: HttpRequest, account: PortalAccount, patient: Patient, rid: int, fmt: str
) -> HttpResponse:
    if fmt not in ("html", "pdf"):
        return _render(request, "portal/denied.html", {"message": _("No such document.")}, 404)
    denied = _withheld(request, account, patient, *DOCUMENT_AREAS["discharge"])
    if denied is not None:
        return denied
    release = (
        DocumentRelease.objects.select_related("patient", "admission__bed__ward", "released_by")
        .filter(pk=rid, patient=patient, kind=DocumentKind.DISCHARGE)
        .first()
    )
    if release is None:
        return _render(request, "portal/denied.html", {"message": _("No such document.")}, 404)
    doc = documents.discharge_summary(release, _language(request))
    audit_record(
        action=AuditAction.EXPORT,
        object_type="portal.document.discharge",
        object_id=str(release.pk),
        patient=patient,
        actor_username=services.actor_name(account),
        detail={"format": fmt, "admission": release.admission_id},
    )
    if fmt == "pdf":
        response = HttpResponse(documents.to_pdf(doc), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="discharge-{patient.mrn}.pdf"'
        response["Cache-Control"] = "no-store"
        return response
    return _render(
        request,
        "portal/document.html",
        {"patient": patient, "doc": doc, "kind": "discharge", "release": release},
    )


@require_http_methods(["GET", "POST"])
@portal_page
def sharing(request: HttpRequest, account: PortalAccount, patient: Patient) -> HttpResponse:
    """The adolescent chooses what their guardians see."""
    status = 200
    if request.method == "POST":
        try:
            services.guardian_sharing_set(
                account=account,
                patient=patient,
                share_symptom_reports=request.POST.get("symptom_reports") == "on",
                share_results=request.POST.get("results") == "on",
                share_documents=request.POST.get("documents") == "on",
            )
        except NotPermitted as exc:
            return _render(request, "portal/denied.html", {"message": exc.message}, 403)
        except Conflict as exc:
            messages.error(request, exc.message)
            status = exc.status
        else:
            messages.success(request, _("Your choices are saved."))
            return redirect("portal:sharing", pid=patient.pk)
    elif not selectors.can_set_sharing(account, patient):
        services.audit_portal_read(account, patient, "sharing", {"denied": True})
        return _render(
            request,
            "portal/denied.html",
            {"message": _("Only the young person themself may choose what guardians see.")},
            403,
        )
    else:
        services.audit_portal_read(account, patient, "sharing")
    row = services.guardian_sharing_of(patient)
    current = {
        "symptom_reports": row.share_symptom_reports if row else True,
        "results": row.share_results if row else True,
        "documents": row.share_documents if row else True,
    }
    return _render(
        request,
        "portal/sharing.html",
        {"patient": patient, "current": current, "account": account},
        status,
    )


@require_GET
@portal_page
def document(
    request: HttpRequest, account: PortalAccount, patient: Patient, kind: str, fmt: str
) -> HttpResponse:
    json_record = kind == "record" and fmt == "json"
    if kind not in documents.KINDS or (fmt not in ("html", "pdf") and not json_record):
        return _render(request, "portal/denied.html", {"message": _("No such document.")}, 404)
    denied = _withheld(request, account, patient, *DOCUMENT_AREAS.get(kind, ()))
    if denied is not None:
        return denied
    if json_record:
        bundle = fhir_record.everything_bundle(patient, base_url(request))
        audit_record(
            action=AuditAction.EXPORT,
            object_type="portal.document.record",
            patient=patient,
            actor_username=services.actor_name(account),
            detail={"format": "fhir", "operation": "$everything", "count": bundle["total"]},
        )
        response = fhir_response(bundle)
        response["Content-Disposition"] = f'attachment; filename="record-{patient.mrn}.json"'
        response["Cache-Control"] = "no-store"
        return response
    lang = _language(request)
    doc = documents.build(kind, patient, lang)
    audit_record(
        action=AuditAction.EXPORT,
        object_type=f"portal.document.{kind}",
        patient=patient,
        actor_username=services.actor_name(account),
        detail={"format": fmt},
    )
    if fmt == "pdf":
        response = HttpResponse(documents.to_pdf(doc), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{kind}-{patient.mrn}.pdf"'
        response["Cache-Control"] = "no-store"
        return response
    return _render(request, "portal/document.html", {"patient": patient, "doc": doc, "kind": kind})


def _result_rows(rows: list[Any]) -> list[dict[str, Any]]:
    lang_ko = (translation.get_language() or "ko").startswith("ko")
    return [
        {
            "result": r,
            "name": r.analyte.name_ko if lang_ko else r.analyte.name,
            "value": selectors.result_value(r),
            "unit": r.analyte.unit,
            "range": selectors.result_range(r),
            "flag": r.flag,
            "flag_label": r.get_flag_display(),
            "release": getattr(r, "portal_release", None),
        }
        for r in rows
    ]


@require_GET
@portal_page
def results(request: HttpRequest, account: PortalAccount, patient: Patient) -> HttpResponse:
    denied = _withheld(request, account, patient, "results")
    if denied is not None:
        return denied
    rows = selectors.released_results(patient)
    services.audit_portal_read(account, patient, "results", {"results": [r.pk for r in rows]})
    return _render(request, "portal/results.html", {"patient": patient, "rows": _result_rows(rows)})


# --- staff side ----------------------------------------------------------------------------------


@require_GET
@permission_required("epro.view")
def staff_alerts(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    rows = selectors.alerts_for(user, include_closed=request.GET.get("all") == "1")
    audit_record(
        action=AuditAction.READ,
        object_type="portal.symptom_alerts",
        detail={"count": len(rows), "mrns": sorted({a.patient.mrn for a in rows})},
    )
    return render(request, "portal/staff_alerts.html", {"alerts": rows})


def _alert_page(
    request: HttpRequest,
    alert: SymptomAlert,
    form: forms.AlertCloseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    lang = translation.get_language() or settings.LANGUAGE_CODE
    return render(
        request,
        "portal/staff_alert.html",
        {
            "alert": alert,
            "described": selectors.alert_lines(alert, lang[:2]),
            "answers": selectors.submission_lines(alert.submission, lang[:2]),
            "can_handle": has_perm(request.user, "epro.handle"),
            "close_form": form or forms.AlertCloseForm(),
        },
        status=status,
    )


@require_GET
@permission_required("epro.view")
def staff_alert(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(
        SymptomAlert.objects.select_related("patient", "submission", "assigned_to"), pk=pk
    )
    audit_record(action=AuditAction.READ, obj=alert, patient=alert.patient)
    return _alert_page(request, alert)


@require_POST
@permission_required("epro.handle")
def staff_alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(SymptomAlert, pk=pk)
    services.symptom_alert_acknowledge(by=current_user(request), alert=alert)
    return redirect("portal:staff_alert", pk=pk)


@require_POST
@permission_required("epro.handle")
def staff_alert_close(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(
        SymptomAlert.objects.select_related("patient", "submission", "assigned_to"), pk=pk
    )
    form = forms.AlertCloseForm(request.POST)
    outcome = run_service(
        request,
        form,
        lambda: services.symptom_alert_close(
            by=current_user(request),
            alert=alert,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data.get("note") or "",
        ),
        success=_("Alert closed."),
    )
    if outcome.ok:
        return redirect("portal:staff_alert", pk=pk)
    return _alert_page(request, alert, form, outcome.status)


@require_POST
@permission_required("portal.manage")
def staff_issue_code(request: HttpRequest, pid: int) -> HttpResponse:
    patient_obj = get_object_or_404(Patient, pk=pid)
    form = forms.IssueCodeForm(request.POST)
    set_choices(form, "holder", selectors.holder_choices(patient_obj))
    user = current_user(request)

    def call() -> services.IssuedCode:
        holder = form.cleaned_data["holder"]
        guardian = None
        if holder != "patient":
            guardian = patient_obj.guardians.get(pk=int(holder.removeprefix("guardian:")))
        return services.portal_account_create(
            by=user,
            patient=patient_obj,
            guardian=guardian,
            email=form.cleaned_data.get("email") or "",
            phone=form.cleaned_data.get("phone") or "",
            language=form.cleaned_data["language"],
        )

    outcome = run_service(request, form, call)
    if outcome.ok and outcome.value is not None:
        return render(
            request,
            "portal/staff_code.html",
            {"patient": patient_obj, "issued": outcome.value},
        )
    return render(
        request,
        "portal/staff_access.html",
        {"patient": patient_obj, "form": form, "accounts": selectors.accounts_of(patient_obj)},
        status=outcome.status,
    )


@require_GET
@permission_required("portal.manage")
def staff_access(request: HttpRequest, pid: int) -> HttpResponse:
    patient_obj = get_object_or_404(Patient, pk=pid)
    form = forms.IssueCodeForm()
    set_choices(form, "holder", selectors.holder_choices(patient_obj))
    audit_record(action=AuditAction.READ, object_type="portal.accounts", patient=patient_obj)
    return render(
        request,
        "portal/staff_access.html",
        {"patient": patient_obj, "form": form, "accounts": selectors.accounts_of(patient_obj)},
    )


@require_http_methods(["GET", "POST"])
@permission_required("portal.release_results")
def staff_results(request: HttpRequest, pid: int) -> HttpResponse:
    patient_obj = get_object_or_404(Patient, pk=pid)
    status = 200
    if request.method == "POST":
        try:
            ids = [int(v) for v in request.POST.getlist("results")]
        except ValueError:
            ids = []
        try:
            done = services.results_release(
                by=current_user(request),
                patient=patient_obj,
                result_ids=ids,
                note=request.POST.get("note", ""),
            )
        except ValidationFailed as exc:
            problems = "; ".join(p.message for p in exc.problems) or exc.message
            messages.error(request, _("Results: %(problems)s") % {"problems": problems})
            status = exc.status
        except Conflict as exc:
            messages.error(request, exc.message)
            status = exc.status
        else:
            messages.success(request, _("%(n)s results released to the portal.") % {"n": len(done)})
            return redirect("portal:staff_results", pid=pid)
    rows = selectors.releasable_results(patient_obj)
    audit_record(
        action=AuditAction.READ,
        object_type="portal.result_release",
        patient=patient_obj,
        detail={"results": len(rows)},
    )
    return render(
        request,
        "portal/staff_results.html",
        {"patient": patient_obj, "rows": _result_rows(rows)},
        status=status,
    )


@require_GET
@permission_required("portal.requests")
def staff_requests(request: HttpRequest) -> HttpResponse:
    rows = list(
        ChangeRequest.objects.filter(status=RequestStatus.OPEN)
        .select_related("patient")
        .order_by("created_at")[:200]
    )
    audit_record(
        action=AuditAction.READ,
        object_type="portal.change_requests",
        detail={"mrns": sorted({r.patient.mrn for r in rows})},
    )
    return render(request, "portal/staff_requests.html", {"rows": rows, "now": timezone.now()})


@require_POST
@permission_required("portal.requests")
def staff_request_handle(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(ChangeRequest, pk=pk)
    status = request.POST.get("status", "")
    services.change_request_handle(by=current_user(request), request=row, status=status)
    return redirect("portal:staff_requests")


@require_http_methods(["GET", "POST"])
@portal_page
def preferences(request: HttpRequest, account: PortalAccount) -> HttpResponse:
    if request.method == "POST":
        services.message_preferences_set(
            account=account, wanted=set(request.POST.getlist("categories"))
        )
        messages.success(request, _("Your message settings are saved."))
        return redirect("portal:preferences")
    labels = dict(Category.choices)
    current = services.message_preferences(account)
    return _render(
        request,
        "portal/preferences.html",
        {
            "account": account,
            "addresses": services.account_addresses(account),
            "passkeys": list(account.passkeys.all()),
            "rows": [(code, labels[code], wanted) for code, wanted in current.items()],
        },
    )


# --- passkeys (WebAuthn) ---------------------------------------------------------------------------

PASSKEY_REG_KEY = "portal_passkey_reg"
PASSKEY_AUTH_KEY = "portal_passkey_auth"


def _rp(request: HttpRequest) -> passkeys.RelyingParty:
    """The relying party is the host the browser is on (the origin must match exactly)."""
    host = request.get_host()
    return passkeys.RelyingParty(id=host.rsplit(":", 1)[0], origin=f"{request.scheme}://{host}")


def _json_error(exc: ValidationFailed) -> JsonResponse:
    return JsonResponse(
        {
            "detail": exc.message,
            "errors": [{"field": p.field, "message": str(p.message)} for p in exc.problems],
        },
        status=exc.status,
    )


def _body(request: HttpRequest) -> str:
    body = request.body.decode("utf-8", errors="replace")
    return body if len(body) <= 20_000 else ""


@require_POST
@portal_page
def passkey_register_options(request: HttpRequest, account: PortalAccount) -> HttpResponse:
    options, challenge = passkeys.registration_options(account, _rp(request))
    request.session[PASSKEY_REG_KEY] = bytes_to_base64url(challenge)
    return HttpResponse(options, content_type="application/json")


@require_POST
@portal_page
def passkey_register(request: HttpRequest, account: PortalAccount) -> HttpResponse:
    stored = request.session.pop(PASSKEY_REG_KEY, None)
    try:
        row = passkeys.passkey_register(
            account=account,
            credential=_body(request),
            challenge=base64url_to_bytes(stored) if stored else None,
            rp=_rp(request),
            name=unquote(request.headers.get("X-Passkey-Name", ""))[:60],
        )
    except ValidationFailed as exc:
        return _json_error(exc)
    return JsonResponse({"id": row.pk, "created": True}, status=201)


@declare(PUBLIC)
@require_POST
def passkey_signin_options(request: HttpRequest) -> HttpResponse:
    options, challenge = passkeys.authentication_options(_rp(request))
    request.session[PASSKEY_AUTH_KEY] = bytes_to_base64url(challenge)
    return HttpResponse(options, content_type="application/json")


@declare(PUBLIC)
@require_POST
def passkey_sign_in(request: HttpRequest) -> HttpResponse:
    _activate_language(request)
    stored = request.session.pop(PASSKEY_AUTH_KEY, None)
    try:
        account = passkeys.passkey_sign_in(
            credential=_body(request),
            challenge=base64url_to_bytes(stored) if stored else None,
            rp=_rp(request),
            address=client_address(request),
        )
    except ValidationFailed as exc:
        return _json_error(exc)
    except Throttled as exc:
        return JsonResponse({"detail": exc.message}, status=exc.status)
    redirect_to = _start_session(request, account)
    return JsonResponse({"next": redirect_to["Location"]})


# --- staff: discharge summaries to the portal -------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_required("portal.release_results")
def staff_discharge(request: HttpRequest, pid: int) -> HttpResponse:
    patient_obj = get_object_or_404(Patient, pk=pid)
    status = 200
    if request.method == "POST":
        try:
            admission_id = int(request.POST.get("admission", ""))
        except ValueError:
            admission_id = 0
        admission = Admission.objects.filter(pk=admission_id, patient=patient_obj).first()
        if admission is None:
            messages.error(request, _("Admission: choose a stay of this patient."))
            status = 422
        else:
            try:
                services.discharge_summary_release(
                    by=current_user(request),
                    admission=admission,
                    note=request.POST.get("note", ""),
                )
            except (ValidationFailed, Conflict) as exc:
                problems = getattr(exc, "problems", None)
                text = "; ".join(p.message for p in problems) if problems else exc.message
                messages.error(request, text)
                status = exc.status
            else:
                messages.success(request, _("Discharge summary released to the portal."))
                return redirect("portal:staff_discharge", pid=pid)
    rows = selectors.discharged_admissions(patient_obj)
    audit_record(
        action=AuditAction.READ,
        object_type="portal.document_release",
        patient=patient_obj,
        detail={"admissions": [a.pk for a in rows]},
    )
    return render(
        request,
        "portal/staff_discharge.html",
        {
            "patient": patient_obj,
            "rows": [(a, next(iter(a.portal_releases.all()), None)) for a in rows],
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required_view
def staff_notifications(request: HttpRequest) -> HttpResponse:
    """The staff member's own e-mail settings for symptom alerts and critical results."""
    user = current_user(request)
    status = 200
    if request.method == "POST":
        try:
            staff_notification_set(
                user=user,
                language=request.POST.get("language", ""),
                symptom_alerts=request.POST.get("symptom_alerts") == "on",
                critical_results=request.POST.get("critical_results") == "on",
            )
        except ValidationFailed as exc:
            messages.error(request, "; ".join(p.message for p in exc.problems) or exc.message)
            status = exc.status
        else:
            audit_record(
                action=AuditAction.UPDATE,
                object_type="notifications.staff_setting",
                object_id=str(user.pk),
                detail={"language": request.POST.get("language", "")},
            )
            messages.success(request, _("Your notification settings are saved."))
            return redirect("portal:staff_notifications")
    return render(
        request,
        "portal/staff_notifications.html",
        {"setting": staff_notices.staff_setting(user), "has_email": bool(user.email)},
        status=status,
    )
