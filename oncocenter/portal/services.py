"""Writes of the patient portal: accounts and one-time activation codes, sign-in with throttling,
symptom reports that raise nurse alerts, alert handling and appointment change requests.

Portal actions are audited with the actor `portal:<sign-in name>`: a portal account is not a
staff user, so the audit trail names it by its own namespace.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import (
    CommonPasswordValidator,
    MinimumLengthValidator,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.clinics.models import Admission, AdmissionStatus
from oncocenter.core.errors import Conflict, FieldProblem, NotPermitted, Throttled, ValidationFailed
from oncocenter.core.permissions import has_perm
from oncocenter.labs.models import LabResult, ResultStatus
from oncocenter.notifications.models import Category, Channel
from oncocenter.notifications.services import (
    is_opted_out,
    opt_out_add,
    opt_out_remove,
)
from oncocenter.nutrition.models import Questionnaire
from oncocenter.nutrition.services import qol_response_record
from oncocenter.patients.models import Patient
from oncocenter.patients.models_record import CareTeamMember, Guardian
from oncocenter.portal import epro, staff_notices
from oncocenter.portal.models import (
    AccountKind,
    AccountStatus,
    ActivationCode,
    AlertOutcome,
    AlertStatus,
    ChangeRequest,
    DocumentKind,
    DocumentRelease,
    GrantRelation,
    GuardianSharing,
    PortalAccount,
    PortalGrant,
    ProSubmission,
    RequestStatus,
    ResultRelease,
    SymptomAlert,
    Throttle,
)

ADULT_AGE = 19  # Korean Civil Act: a minor until 19
ADOLESCENT_OWN_ACCESS_AGE = 14
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 10
CODE_VALID_DAYS = 14
SIGNIN_MAX_FAILURES = 5
ACTIVATION_MAX_FAILURES = 10
THROTTLE_WINDOW = dt.timedelta(minutes=15)


def actor_name(account: PortalAccount) -> str:
    return f"portal:{account.username or account.pk}"


def _digest(code: str) -> str:
    normalized = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(normalized.encode()).hexdigest()


def format_code(raw: str) -> str:
    return f"{raw[:5]}-{raw[5:]}"


# --- accounts and codes ------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedCode:
    account: PortalAccount
    code: str  # shown once, at the desk; only the digest is stored
    expires_at: dt.datetime


def _new_code(*, by: User, account: PortalAccount, now: dt.datetime) -> IssuedCode:
    ActivationCode.objects.filter(
        account=account, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    raw = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
    expires = now + dt.timedelta(days=CODE_VALID_DAYS)
    ActivationCode.objects.create(
        account=account, digest=_digest(raw), expires_at=expires, issued_by=by
    )
    return IssuedCode(account=account, code=format_code(raw), expires_at=expires)


def portal_account_create(
    *,
    by: User,
    patient: Patient,
    guardian: Guardian | None = None,
    email: str = "",
    phone: str = "",
    language: str = "ko",
    on: dt.date | None = None,
) -> IssuedCode:
    """Open a portal account for the patient (adult or adolescent 14+) or for one of a child's
    guardians, and issue its one-time activation code."""
    now = timezone.now()
    today = on or timezone.localdate()
    age = patient.age_on(today)
    if patient.deceased_on is not None:
        raise Conflict(_("The patient is deceased."), rule="patient_deceased")
    if guardian is None:
        if age < ADOLESCENT_OWN_ACCESS_AGE:
            raise Conflict(
                _("A child under %(age)s gets access through a guardian.")
                % {"age": ADOLESCENT_OWN_ACCESS_AGE},
                rule="too_young",
            )
        kind, display, relation = AccountKind.PATIENT, patient.name_ko, GrantRelation.SELF
    else:
        if guardian.patient_id != patient.pk:
            raise ValidationFailed.single("guardian", _("is not a guardian of this patient"))
        if age >= ADULT_AGE:
            raise Conflict(_("The patient is an adult: guardians do not get access."), rule="adult")
        if not guardian.is_legal_representative:
            raise Conflict(
                _("Only a legal representative may act for the child."), rule="not_representative"
            )
        kind, display, relation = AccountKind.GUARDIAN, guardian.name_ko, GrantRelation.GUARDIAN
    if language not in ("ko", "en"):
        raise ValidationFailed.single("language", _("must be ko or en"), language)
    with transaction.atomic():
        account = PortalAccount.objects.create(
            kind=kind,
            display_name=display,
            guardian=guardian,
            language=language,
            email=email.strip(),
            phone=phone.strip(),
            created_by=by,
        )
        PortalGrant.objects.create(
            account=account, patient=patient, relation=relation, granted_by=by
        )
        issued = _new_code(by=by, account=account, now=now)
        audit_record(
            action=AuditAction.CREATE,
            obj=account,
            patient=patient,
            detail={"kind": kind, "relation": relation},
        )
    return issued


def activation_code_reissue(*, by: User, account: PortalAccount) -> IssuedCode:
    """A new code (the old one stops working), e.g. for a forgotten password."""
    if account.status == AccountStatus.DISABLED:
        raise Conflict(_("The account is disabled."), rule="disabled")
    with transaction.atomic():
        issued = _new_code(by=by, account=account, now=timezone.now())
        audit_record(action=AuditAction.UPDATE, obj=account, detail={"activation_code": "issued"})
    return issued


def portal_account_disable(*, by: User, account: PortalAccount) -> PortalAccount:
    with transaction.atomic():
        account.status = AccountStatus.DISABLED
        account.save(update_fields=["status", "updated_at"])
        ActivationCode.objects.filter(
            account=account, used_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        audit_record(action=AuditAction.UPDATE, obj=account, detail={"status": "disabled"})
    return account


# --- throttling ------------------------------------------------------------------------------


def _throttle_lock(key: str, limit: int, now: dt.datetime) -> Throttle:
    """Lock the counter row of `key` (creating it if needed) for the rest of the transaction,
    and refuse if it already holds `limit` failures in the window. Holding the lock while the
    password or code is checked serialises attempts per key, so parallel attempts cannot all pass
    the check before any failure is counted. Call inside `transaction.atomic()`."""
    row = Throttle.objects.select_for_update().filter(key=key).first()
    if row is None:
        try:
            with transaction.atomic():
                Throttle.objects.create(key=key, failures=0, window_start=now)
        except IntegrityError:
            pass  # created by a parallel attempt; lock that one
        row = Throttle.objects.select_for_update().get(key=key)
    if row.window_start <= now - THROTTLE_WINDOW:
        row.failures, row.window_start = 0, now
    if row.failures >= limit:
        raise Throttled(_("Too many failed attempts. Try again in 15 minutes."))
    return row


def _throttle_fail(row: Throttle) -> None:
    row.failures += 1
    row.save(update_fields=["failures", "window_start"])


def signin_key(username: str, address: str) -> str:
    return f"signin:{username.strip().lower()}|{address}"


# --- activation and sign-in ------------------------------------------------------------------


def check_password_strength(password: str, *, username: str, display_name: str) -> None:
    """At least 10 characters, letters and digits, not a common password, not the sign-in name."""
    problems: list[FieldProblem] = []
    for validator in (MinimumLengthValidator(min_length=10), CommonPasswordValidator()):
        try:
            validator.validate(password)
        except DjangoValidationError as exc:
            problems.extend(FieldProblem("password", str(m), None) for m in exc.messages)
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        problems.append(FieldProblem("password", _("must contain letters and digits")))
    lowered = password.lower()
    for part in (username.lower(), display_name.lower()):
        if len(part) >= 3 and (
            part in lowered or SequenceMatcher(a=lowered, b=part).quick_ratio() >= 0.7
        ):
            problems.append(FieldProblem("password", _("is too close to your name")))
            break
    if problems:
        raise ValidationFailed(problems)


def portal_activate(
    *, code: str, username: str, password: str, address: str, email: str = ""
) -> PortalAccount:
    """Turn a one-time code into a signed-in account: the person chooses a sign-in name and a
    strong password. Failed codes count against the address (10 per 15 minutes)."""
    now = timezone.now()
    username = username.strip().lower()
    wrong_code = False
    with transaction.atomic():
        throttle = _throttle_lock(f"activate:{address}", ACTIVATION_MAX_FAILURES, now)
        row = (
            ActivationCode.objects.select_for_update()
            .select_related("account")
            .filter(digest=_digest(code), used_at__isnull=True, revoked_at__isnull=True)
            .first()
        )
        if row is None or row.expires_at <= now or row.account.status == AccountStatus.DISABLED:
            _throttle_fail(throttle)
            audit_record(
                action=AuditAction.LOGIN_FAILED,
                object_type="portal.activation",
                actor_username="portal:activation",
                detail={"reason": "code"},
            )
            wrong_code = True
    if wrong_code or row is None:
        raise ValidationFailed.single(
            "code", _("is not valid (wrong, used or expired): ask the desk for a new one")
        )
    account = row.account
    if not username or not username.replace("_", "").replace(".", "").isalnum():
        raise ValidationFailed.single(
            "username", _("use letters, digits, dots and underscores"), username
        )
    if (
        PortalAccount.objects.filter(username=username).exclude(pk=account.pk).exists()
        or User.objects.filter(username__iexact=username).exists()
    ):
        raise ValidationFailed.single("username", _("is already taken"), username)
    check_password_strength(password, username=username, display_name=account.display_name)
    with transaction.atomic():
        locked = ActivationCode.objects.select_for_update().get(pk=row.pk)
        if locked.used_at is not None or locked.revoked_at is not None:
            raise ValidationFailed.single("code", _("has just been used"))
        locked.used_at = now
        locked.save(update_fields=["used_at", "updated_at"])
        account.username = username
        account.password = make_password(password)
        account.status = AccountStatus.ACTIVE
        account.activated_at = account.activated_at or now
        account.last_sign_in_at = now
        if email.strip():
            account.email = email.strip()
        account.save()
        Throttle.objects.filter(key=f"activate:{address}").delete()
        audit_record(
            action=AuditAction.LOGIN,
            obj=account,
            actor_username=actor_name(account),
            detail={"activation": True},
        )
    return account


def portal_sign_in(*, username: str, password: str, address: str) -> PortalAccount:
    """Check the sign-in; after 5 failures for this name from this address within 15 minutes,
    refuse (even the right password) until the window passes. Staff credentials never work."""
    now = timezone.now()
    name = username.strip().lower()
    with transaction.atomic():
        throttle = _throttle_lock(signin_key(name, address), SIGNIN_MAX_FAILURES, now)
        account = PortalAccount.objects.filter(username=name, status=AccountStatus.ACTIVE).first()
        # Hash even when there is no account, so the timing does not tell which names exist.
        ok = check_password(password, account.password if account else make_password(None))
        if account is None or not ok:
            _throttle_fail(throttle)
            audit_record(
                action=AuditAction.LOGIN_FAILED,
                object_type="portal.account",
                actor_username=f"portal:{name[:60]}",
            )
            account = None
        else:
            throttle.delete()
            account.last_sign_in_at = now
            account.save(update_fields=["last_sign_in_at", "updated_at"])
            audit_record(action=AuditAction.LOGIN, obj=account, actor_username=actor_name(account))
    if account is None:
        raise ValidationFailed.single("password", _("sign-in name or password is wrong"))
    return account


# --- who may see whom --------------------------------------------------------------------------


def grant_allows(grant: PortalGrant, on: dt.date) -> bool:
    """A guardian's grant works while the child is under 19; an own-record grant always."""
    if grant.revoked_at is not None:
        return False
    if grant.relation == GrantRelation.GUARDIAN:
        return grant.patient.age_on(on) < ADULT_AGE
    return True


def patient_for(account: PortalAccount, patient_id: int) -> Patient:
    """The patient if this account may see them, else NotPermitted (the same answer whether or
    not the patient exists, so ids cannot be probed)."""
    grant = (
        PortalGrant.objects.select_related("patient")
        .filter(account=account, patient_id=patient_id, revoked_at__isnull=True)
        .first()
    )
    if grant is None or not grant_allows(grant, timezone.localdate()):
        audit_record(
            action=AuditAction.READ,
            object_type="portal.denied",
            object_id=str(patient_id),
            actor_username=actor_name(account),
            detail={"denied": True},
        )
        raise NotPermitted(_("This record is not shared with your account."))
    return grant.patient


def patients_of(account: PortalAccount) -> list[tuple[Patient, str]]:
    today = timezone.localdate()
    grants = PortalGrant.objects.select_related("patient").filter(
        account=account, revoked_at__isnull=True
    )
    return [(g.patient, g.relation) for g in grants if grant_allows(g, today)]


# --- symptom reports -------------------------------------------------------------------------


def responsible_nurse(patient: Patient, on: dt.date) -> User | None:
    member = (
        CareTeamMember.objects.select_related("user")
        .filter(patient=patient, role="nurse", since__lte=on, until__isnull=True)
        .order_by("-is_lead", "since", "id")
        .first()
    )
    return member.user if member is not None else None


def _answers_problem(exc: epro.AnswerError) -> FieldProblem:
    rules = {
        "unknown": _("is not a question of this questionnaire"),
        "skipped": _("is skipped by the previous answer and must stay empty"),
        "required": _("is required"),
        "range": _("must be an answer from 0 to 4"),
    }
    return FieldProblem(f"answers.{exc.field}", rules[exc.rule], exc.value)


def pro_submit(
    *,
    account: PortalAccount,
    patient: Patient,
    instrument_code: str,
    answers: dict[str, int | None],
    now: dt.datetime | None = None,
) -> tuple[ProSubmission, SymptomAlert | None]:
    """Save a symptom report; severe or worsening answers raise an alert on the responsible
    nurse's worklist in the same transaction (so it is there as soon as the answer is) and queue
    the nurse's notification as a job."""
    patient_for(account, patient.pk)
    instrument = epro.INSTRUMENTS.get(instrument_code)
    if instrument is None:
        raise ValidationFailed.single("instrument", _("is not a questionnaire"), instrument_code)
    by_proxy = account.kind == AccountKind.GUARDIAN
    if instrument.proxy != by_proxy:
        raise ValidationFailed.single(
            "instrument", _("is not the version for this account"), instrument_code
        )
    try:
        clean = epro.validate(instrument, answers)
    except epro.AnswerError as exc:
        raise ValidationFailed([_answers_problem(exc)]) from exc
    now = now or timezone.now()
    with transaction.atomic():
        previous = (
            ProSubmission.objects.filter(patient=patient, instrument__startswith="symptoms-weekly")
            .order_by("-answered_at", "-id")
            .values_list("answers", flat=True)
            .first()
        )
        submission = ProSubmission.objects.create(
            patient=patient,
            account=account,
            instrument=instrument.code,
            answered_at=now,
            answers=clean,
            by_proxy=by_proxy,
        )
        audit_record(
            action=AuditAction.CREATE,
            obj=submission,
            patient=patient,
            actor_username=actor_name(account),
            detail={"instrument": instrument.code, "answers": clean},
        )
        findings = epro.evaluate(clean, previous)
        alert = None
        if findings:
            nurse = responsible_nurse(patient, timezone.localdate(now))
            alert = SymptomAlert.objects.create(
                patient=patient,
                submission=submission,
                findings=[f.as_dict() for f in findings],
                summary=epro.describe(findings, "ko")[:300],
                assigned_to=nurse,
            )
            audit_record(
                action=AuditAction.CREATE,
                obj=alert,
                patient=patient,
                actor_username=actor_name(account),
                detail={"findings": [f.as_dict() for f in findings]},
            )
            staff_notices.notify_symptom_alert(alert)
    return submission, alert


def qol_submit(
    *,
    account: PortalAccount,
    patient: Patient,
    questionnaire: Questionnaire,
    answers: dict[str, int | None],
) -> ProSubmission:
    """The center's eating-and-daily-life questionnaire: scored and stored by the nutrition
    service, so it appears on the quality-of-life chart and raises its drop alerts."""
    patient_for(account, patient.pk)
    with transaction.atomic():
        response, _alerts = qol_response_record(
            by=None,
            patient=patient,
            questionnaire=questionnaire,
            answered_on=timezone.localdate(),
            answers=answers,
        )
        submission = ProSubmission.objects.create(
            patient=patient,
            account=account,
            instrument=questionnaire.code,
            answered_at=timezone.now(),
            answers={k: v for k, v in answers.items() if v is not None},
            by_proxy=account.kind == AccountKind.GUARDIAN,
            qol_response=response,
        )
        audit_record(
            action=AuditAction.CREATE,
            obj=submission,
            patient=patient,
            actor_username=actor_name(account),
            detail={"instrument": questionnaire.code},
        )
    return submission


def symptom_alert_acknowledge(*, by: User, alert: SymptomAlert) -> SymptomAlert:
    with transaction.atomic():
        alert = SymptomAlert.objects.select_for_update().get(pk=alert.pk)
        if alert.status != AlertStatus.OPEN:
            raise Conflict(_("The alert is already acknowledged."), rule="status")
        alert.status = AlertStatus.ACKNOWLEDGED
        alert.acknowledged_by = by
        alert.acknowledged_at = timezone.now()
        alert.save()
        audit_record(
            action=AuditAction.UPDATE, obj=alert, patient=alert.patient, detail={"status": "ack"}
        )
    return alert


def symptom_alert_close(
    *, by: User, alert: SymptomAlert, outcome: str, note: str = ""
) -> SymptomAlert:
    """Record what was done (the outcome is required); acknowledges it too if still open."""
    if outcome not in AlertOutcome.values:
        raise ValidationFailed.single("outcome", _("choose what was done"), outcome)
    with transaction.atomic():
        alert = SymptomAlert.objects.select_for_update().get(pk=alert.pk)
        if alert.status == AlertStatus.CLOSED:
            raise Conflict(_("The alert is already closed."), rule="status")
        now = timezone.now()
        if alert.acknowledged_by is None:
            alert.acknowledged_by, alert.acknowledged_at = by, now
        alert.status = AlertStatus.CLOSED
        alert.outcome = outcome
        alert.outcome_note = note.strip()[:300]
        alert.closed_by, alert.closed_at = by, now
        alert.save()
        audit_record(
            action=AuditAction.UPDATE,
            obj=alert,
            patient=alert.patient,
            detail={"status": "closed", "outcome": outcome},
        )
    return alert


# --- appointment change requests ---------------------------------------------------------------


def change_request_create(
    *,
    account: PortalAccount,
    patient: Patient,
    appointment_key: str,
    appointment_label: str,
    reason: str,
    preferred: str = "",
) -> ChangeRequest:
    patient_for(account, patient.pk)
    if not reason.strip():
        raise ValidationFailed.single("reason", _("is required"))
    try:
        with transaction.atomic():
            request = ChangeRequest.objects.create(
                patient=patient,
                account=account,
                appointment_key=appointment_key,
                appointment_label=appointment_label[:200],
                reason=reason.strip()[:300],
                preferred=preferred.strip()[:200],
            )
            audit_record(
                action=AuditAction.CREATE,
                obj=request,
                patient=patient,
                actor_username=actor_name(account),
                detail={"appointment": appointment_key},
            )
    except IntegrityError:
        raise Conflict(
            _("You already asked to change this appointment; the center will call you."),
            rule="open_request",
        ) from None
    return request


def change_request_handle(*, by: User, request: ChangeRequest, status: str) -> ChangeRequest:
    if status not in (RequestStatus.DONE, RequestStatus.DECLINED):
        raise ValidationFailed.single("status", _("must be done or declined"), status)
    with transaction.atomic():
        request = ChangeRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != RequestStatus.OPEN:
            raise Conflict(_("The request is already handled."), rule="status")
        request.status, request.handled_by, request.handled_at = status, by, timezone.now()
        request.save()
        audit_record(
            action=AuditAction.UPDATE,
            obj=request,
            patient=request.patient,
            detail={"status": status},
        )
    return request


def audit_portal_read(
    account: PortalAccount, patient: Patient | None, what: str, detail: dict[str, Any] | None = None
) -> None:
    audit_record(
        action=AuditAction.READ,
        object_type=f"portal.{what}",
        patient=patient,
        actor_username=actor_name(account),
        detail=detail or {},
    )


# --- message preferences -----------------------------------------------------------------------

PATIENT_CATEGORIES = (Category.REMINDER, Category.FOLLOWUP, Category.QUESTIONNAIRE)


def account_addresses(account: PortalAccount) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if account.email:
        out.append((Channel.EMAIL, account.email))
    if account.phone:
        out.append((Channel.SMS, account.phone))
    return out


def message_preferences(account: PortalAccount) -> dict[str, bool]:
    """Category -> wanted (True unless every address of the account refused it)."""
    addresses = account_addresses(account)
    return {
        str(category): not addresses
        or not all(
            is_opted_out(channel=ch, address=addr, category=category) for ch, addr in addresses
        )
        for category in PATIENT_CATEGORIES
    }


def message_preferences_set(*, account: PortalAccount, wanted: set[str]) -> dict[str, bool]:
    """Opt the account's addresses in or out of each patient message category."""
    unknown = wanted - {str(c) for c in PATIENT_CATEGORIES}
    if unknown:
        raise ValidationFailed.single(
            "categories", _("is not a message category"), ", ".join(sorted(unknown))
        )
    with transaction.atomic():
        for channel, address in account_addresses(account):
            for category in PATIENT_CATEGORIES:
                if category in wanted:
                    opt_out_remove(channel=channel, address=address, category=category)
                else:
                    opt_out_add(channel=channel, address=address, category=category)
        audit_record(
            action=AuditAction.UPDATE,
            obj=account,
            actor_username=actor_name(account),
            detail={"messages_wanted": sorted(wanted)},
        )
    return message_preferences(account)


LIVE_RESULT = (ResultStatus.FINAL, ResultStatus.CORRECTED)


def results_release(
    *, by: User, patient: Patient, result_ids: list[int], note: str = ""
) -> list[ResultRelease]:
    """Release laboratory results of one patient to the portal (all or none). Refused: no result
    chosen, a result of another patient or not live (superseded, entered in error), or one already
    released. Audited per patient with the results released."""
    if not has_perm(by, "portal.release_results"):
        raise NotPermitted(_("You may not release results to the portal."))
    ids = sorted({int(i) for i in result_ids})
    if not ids:
        raise ValidationFailed.single("results", _("choose at least one result"))
    with transaction.atomic():
        rows = list(
            LabResult.objects.select_for_update()
            .filter(pk__in=ids, patient=patient, status__in=LIVE_RESULT)
            .order_by("pk")
        )
        if len(rows) != len(ids):
            raise ValidationFailed.single(
                "results", _("must be current results of this patient"), ids
            )
        already = set(
            ResultRelease.objects.filter(result_id__in=ids).values_list("result_id", flat=True)
        )
        if already:
            raise Conflict(
                _("Already released: %(ids)s.") % {"ids": ", ".join(map(str, sorted(already)))},
                rule="portal_result_released_once",
            )
        now = timezone.now()
        releases = ResultRelease.objects.bulk_create(
            [
                ResultRelease(
                    result=r,
                    patient=patient,
                    released_by=by,
                    released_at=now,
                    note=(note or "").strip()[:300],
                )
                for r in rows
            ]
        )
        audit_record(
            action=AuditAction.CREATE,
            object_type="portal.result_release",
            patient=patient,
            actor=by,
            detail={"results": ids, "note": bool(note.strip())},
        )
    return releases


# --- documents released to the portal ------------------------------------------------------------


def discharge_summary_release(*, by: User, admission: Admission, note: str = "") -> DocumentRelease:
    """Release the discharge summary of a finished stay to the patient's (or guardian's) portal,
    with the team's instructions for home. Refused: not yet discharged or entered in error (409),
    already released (409). Cannot be taken back; audited."""
    if not has_perm(by, "portal.release_results"):
        raise NotPermitted(_("You may not release documents to the portal."))
    note = (note or "").strip()
    if len(note) > 1000:
        raise ValidationFailed.single("note", _("must be at most 1000 characters"), len(note))
    with transaction.atomic():
        admission = (
            Admission.objects.select_for_update().select_related("patient").get(pk=admission.pk)
        )
        if admission.status != AdmissionStatus.DISCHARGED or admission.discharged_at is None:
            raise Conflict(
                _("Admission %(id)s is not discharged: the summary is written at discharge.")
                % {"id": admission.pk},
                rule="admission_not_discharged",
            )
        if DocumentRelease.objects.filter(
            kind=DocumentKind.DISCHARGE, admission=admission
        ).exists():
            raise Conflict(
                _("The discharge summary of admission %(id)s is already released.")
                % {"id": admission.pk},
                rule="portal_document_released_once",
            )
        release = DocumentRelease.objects.create(
            patient=admission.patient,
            kind=DocumentKind.DISCHARGE,
            admission=admission,
            released_by=by,
            released_at=timezone.now(),
            note=note,
        )
        audit_record(
            action=AuditAction.CREATE,
            obj=release,
            patient=admission.patient,
            actor=by,
            detail={"kind": "discharge", "admission": admission.pk, "note": bool(note)},
        )
    return release


# --- what an adolescent shares with their guardians ----------------------------------------------

SHARE_AREAS = ("symptom_reports", "results", "documents")


def guardian_sharing_of(patient: Patient) -> GuardianSharing | None:
    return GuardianSharing.objects.filter(patient=patient).first()


def guardian_sharing_set(
    *,
    account: PortalAccount,
    patient: Patient,
    share_symptom_reports: bool,
    share_results: bool,
    share_documents: bool,
) -> GuardianSharing:
    """An adolescent (14 to 18, with their own access) chooses what their guardians see in the
    portal. Only the adolescent's own account may; audited with the old and new choices."""
    patient_for(account, patient.pk)
    own = PortalGrant.objects.filter(
        account=account, patient=patient, relation=GrantRelation.SELF, revoked_at__isnull=True
    ).exists()
    if not own:
        raise NotPermitted(_("Only the young person themself may choose what guardians see."))
    age = patient.age_on(timezone.localdate())
    if not ADOLESCENT_OWN_ACCESS_AGE <= age < ADULT_AGE:
        raise Conflict(
            _("Sharing with guardians is chosen between %(low)s and %(high)s years of age.")
            % {"low": ADOLESCENT_OWN_ACCESS_AGE, "high": ADULT_AGE - 1},
            rule="not_adolescent",
        )
    new = {
        "symptom_reports": bool(share_symptom_reports),
        "results": bool(share_results),
        "documents": bool(share_documents),
    }
    with transaction.atomic():
        row = GuardianSharing.objects.select_for_update().filter(patient=patient).first()
        old = (
            {
                "symptom_reports": row.share_symptom_reports,
                "results": row.share_results,
                "documents": row.share_documents,
            }
            if row
            else dict.fromkeys(SHARE_AREAS, True)
        )
        if row is None:
            row = GuardianSharing(patient=patient, set_by=account)
        row.share_symptom_reports = new["symptom_reports"]
        row.share_results = new["results"]
        row.share_documents = new["documents"]
        row.set_by = account
        row.save()
        audit_record(
            action=AuditAction.UPDATE,
            obj=row,
            patient=patient,
            actor_username=actor_name(account),
            detail={"old": old, "new": new},
        )
    return row


def shared_with(account: PortalAccount, patient: Patient, area: str) -> bool:
    """Whether this account may see `area` of the patient: always for the patient themself; for a
    guardian, unless the adolescent withheld it."""
    if area not in SHARE_AREAS:
        raise ValueError(area)
    if account.kind != AccountKind.GUARDIAN:
        return True
    row = guardian_sharing_of(patient)
    if row is None:
        return True
    return bool(getattr(row, f"share_{area}"))


def require_shared(account: PortalAccount, patient: Patient, *areas: str) -> None:
    """NotPermitted (audited as a denied portal read) when any of `areas` is withheld."""
    withheld = [a for a in areas if not shared_with(account, patient, a)]
    if withheld:
        audit_record(
            action=AuditAction.READ,
            object_type="portal.withheld",
            object_id=str(patient.pk),
            patient=patient,
            actor_username=actor_name(account),
            detail={"denied": True, "withheld": withheld},
        )
        raise NotPermitted(_("The young person chose not to share this with guardians."))
