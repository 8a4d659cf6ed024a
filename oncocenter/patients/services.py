"""Writes for patients. Every write is validated first, then done atomically and audited."""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.context import current_context
from oncocenter.audit.models import AuditAction, AuditEvent
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict, FieldProblem, Throttled, ValidationFailed
from oncocenter.patients import crypto
from oncocenter.patients.models import (
    Center,
    MrnCounter,
    Patient,
    PatientCenter,
    PatientIdentifier,
    Sex,
)

logger = logging.getLogger(__name__)

HANGUL_NAME_RE = re.compile(r"^[가-힣]+( [가-힣]+)*$")
# Passport and hospital-index names: letters, spaces, hyphens, apostrophes and initials ("J.").
LATIN_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z'. -]*$")
PHONE_RE = re.compile(r"^0\d{1,2}-?\d{3,4}-?\d{4}$")
POSTAL_RE = re.compile(r"^\d{5}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

EDITABLE_FIELDS = (
    "name_ko",
    "family_name_en",
    "given_name_en",
    "birth_date",
    "sex",
    "phone",
    "email",
    "address",
    "postal_code",
)
MRN_START = 1_000_000


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


# The default of `patient_update`'s arguments: "keep what is recorded" (None may be a value).
UNCHANGED: Any = _Unchanged()


def luhn_digit(number: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def mrn_is_valid(mrn: str) -> bool:
    return len(mrn) == 8 and mrn.isdigit() and luhn_digit(mrn[:7]) == mrn[7]


def _next_mrn() -> str:
    counter, _ = MrnCounter.objects.select_for_update().get_or_create(
        id=1, defaults={"last": MRN_START}
    )
    counter.last = max(counter.last, MRN_START) + 1
    counter.save(update_fields=["last"])
    body = f"{counter.last:07d}"
    return body + luhn_digit(body)


def _clean(data: dict[str, Any], *, partial: bool) -> tuple[dict[str, Any], list[FieldProblem]]:
    """Normalise and check demographics; collect every problem so the user fixes them at once."""
    problems: list[FieldProblem] = []
    cleaned: dict[str, Any] = {}
    # A Hangul name is not required: foreign patients and hospital-index feeds carry Latin names
    # only; a person may also have a single (family) name.
    required = ("family_name_en", "birth_date", "sex")
    for name in EDITABLE_FIELDS:
        if name not in data:
            if not partial and name in required:
                problems.append(FieldProblem(name, _("is required")))
            continue
        value = data[name]
        if isinstance(value, str):
            value = value.strip()
        if name in required and value in ("", None):
            problems.append(FieldProblem(name, _("is required")))
            continue
        cleaned[name] = value

    if cleaned.get("name_ko") and not HANGUL_NAME_RE.match(cleaned["name_ko"]):
        problems.append(
            FieldProblem("name_ko", _("must be written in Hangul syllables"), cleaned["name_ko"])
        )
    for key in ("name_ko", "given_name_en"):
        if key in cleaned and cleaned[key] is None:
            cleaned[key] = ""
    for latin in ("family_name_en", "given_name_en"):
        if cleaned.get(latin) and not LATIN_NAME_RE.match(cleaned[latin]):
            problems.append(
                FieldProblem(
                    latin,
                    _("must use Latin letters, spaces, hyphens or apostrophes"),
                    cleaned[latin],
                )
            )
    if "birth_date" in cleaned:
        born = cleaned["birth_date"]
        if isinstance(born, str):
            try:
                born = dt.date.fromisoformat(born)
            except ValueError:
                problems.append(
                    FieldProblem("birth_date", _("must be a date written YYYY-MM-DD"), born)
                )
                born = None
        if born is not None:
            if born > timezone.localdate():
                problems.append(
                    FieldProblem("birth_date", _("cannot be in the future"), born.isoformat())
                )
            elif born < dt.date(1900, 1, 1):
                problems.append(
                    FieldProblem("birth_date", _("cannot be before 1900-01-01"), born.isoformat())
                )
            cleaned["birth_date"] = born
    if "sex" in cleaned and cleaned["sex"] not in Sex.values:
        problems.append(
            FieldProblem(
                "sex",
                _("must be one of %(choices)s") % {"choices": ", ".join(Sex.values)},
                cleaned["sex"],
            )
        )
    if cleaned.get("phone") and not PHONE_RE.match(cleaned["phone"]):
        problems.append(
            FieldProblem(
                "phone", _("must be a Korean number such as 010-1234-5678"), cleaned["phone"]
            )
        )
    if cleaned.get("postal_code") and not POSTAL_RE.match(cleaned["postal_code"]):
        problems.append(FieldProblem("postal_code", _("must be 5 digits"), cleaned["postal_code"]))
    if cleaned.get("email") and not EMAIL_RE.match(cleaned["email"]):
        problems.append(FieldProblem("email", _("is not an e-mail address"), cleaned["email"]))
    for key in ("address",):
        if key in cleaned and cleaned[key] is None:
            cleaned[key] = ""
    return cleaned, problems


def _check_rrn(rrn: str, *, birth_date: Any, sex: Any) -> tuple[str | None, list[FieldProblem]]:
    """Return the 13 digits or problems. The value itself is never echoed back (PIPA)."""
    try:
        digits = crypto.normalize_rrn(rrn)
    except ValueError:
        return None, [FieldProblem("rrn", _rrn_format_message())]
    try:
        rrn_born, rrn_sex = crypto.rrn_birth_date_and_sex(digits)
    except ValueError:
        return None, [FieldProblem("rrn", _("the first six digits are not a valid date (YYMMDD)"))]
    problems = []
    if isinstance(birth_date, dt.date) and rrn_born != birth_date:
        problems.append(FieldProblem("rrn", _("does not match the birth date")))
    if sex in ("male", "female") and rrn_sex != sex:
        problems.append(FieldProblem("rrn", _("its 7th digit does not match the sex")))
    return digits, problems


def _rrn_format_message() -> str:
    # crypto.normalize_rrn is pure Python and speaks English; the user reads their language.
    return _("must be 13 digits written as YYMMDD-NNNNNNN")


def _name_search(family: str, given: str) -> str:
    family, given = family.lower(), given.lower()
    return f"{family} {given}|{given} {family}"


def patient_create(
    *,
    by: User,
    family_name_en: str,
    birth_date: dt.date | str,
    sex: str,
    name_ko: str = "",
    given_name_en: str = "",
    phone: str = "",
    email: str = "",
    address: str = "",
    postal_code: str = "",
    rrn: str = "",
) -> Patient:
    """Register a patient with a newly issued MRN. `rrn` is optional (foreigners, newborns)."""
    data: dict[str, Any] = {
        "name_ko": name_ko,
        "family_name_en": family_name_en,
        "given_name_en": given_name_en,
        "birth_date": birth_date,
        "sex": sex,
        "phone": phone,
        "email": email,
        "address": address,
        "postal_code": postal_code,
    }
    cleaned, problems = _clean(data, partial=False)
    digits = None
    if rrn:
        digits, rrn_problems = _check_rrn(
            rrn, birth_date=cleaned.get("birth_date"), sex=cleaned.get("sex")
        )
        problems += rrn_problems
        if (
            digits
            and not rrn_problems
            and Patient.objects.filter(rrn_digest__in=crypto.digests(digits)).exists()
        ):
            problems.append(
                FieldProblem(
                    "rrn",
                    _("a patient with this resident registration number is already registered"),
                )
            )
    if problems:
        raise ValidationFailed(problems)
    patient = Patient(**cleaned)
    patient.name_en_search = _name_search(patient.family_name_en, patient.given_name_en)
    if digits:
        patient.rrn_encrypted = crypto.encrypt(digits)
        patient.rrn_digest = crypto.digest(digits)
        patient.rrn_masked = crypto.mask(digits)
    try:
        with transaction.atomic():
            patient.mrn = _next_mrn()
            patient.save(force_insert=True)
            audit_record(
                action=AuditAction.CREATE,
                obj=patient,
                detail={"fields": sorted(cleaned), "rrn": bool(digits)},
            )
    except IntegrityError as exc:
        raise Conflict(
            _("The patient could not be registered (duplicate identifier)."), rule="unique"
        ) from exc
    return patient


def patient_update(
    *,
    patient: Patient,
    by: User,
    name_ko: str = UNCHANGED,
    family_name_en: str = UNCHANGED,
    given_name_en: str = UNCHANGED,
    birth_date: dt.date | str = UNCHANGED,
    sex: str = UNCHANGED,
    phone: str = UNCHANGED,
    email: str = UNCHANGED,
    address: str = UNCHANGED,
    postal_code: str = UNCHANGED,
    rrn: str | None = None,
) -> Patient:
    """Change demographics; only the arguments given change. Audited with the changed field names."""
    given = {
        "name_ko": name_ko,
        "family_name_en": family_name_en,
        "given_name_en": given_name_en,
        "birth_date": birth_date,
        "sex": sex,
        "phone": phone,
        "email": email,
        "address": address,
        "postal_code": postal_code,
    }
    cleaned, problems = _clean({k: v for k, v in given.items() if v is not UNCHANGED}, partial=True)
    merged_birth = cleaned.get("birth_date", patient.birth_date)
    merged_sex = cleaned.get("sex", patient.sex)
    digits = None
    if rrn:
        digits, rrn_problems = _check_rrn(rrn, birth_date=merged_birth, sex=merged_sex)
        problems += rrn_problems
        if (
            digits
            and not rrn_problems
            and (
                Patient.objects.filter(rrn_digest__in=crypto.digests(digits))
                .exclude(pk=patient.pk)
                .exists()
            )
        ):
            problems.append(
                FieldProblem("rrn", _("another patient has this resident registration number"))
            )
    if problems:
        raise ValidationFailed(problems)
    changed = [k for k, v in cleaned.items() if getattr(patient, k) != v]
    for key in changed:
        setattr(patient, key, cleaned[key])
    patient.name_en_search = _name_search(patient.family_name_en, patient.given_name_en)
    if digits:
        patient.rrn_encrypted = crypto.encrypt(digits)
        patient.rrn_digest = crypto.digest(digits)
        patient.rrn_masked = crypto.mask(digits)
        changed.append("rrn")
    if not changed:
        return patient
    with transaction.atomic():
        patient.save()
        audit_record(action=AuditAction.UPDATE, obj=patient, detail={"fields": changed})
    return patient


def patient_identifier_add(
    *, patient: Patient, by: User, authority: str, value: str, type_code: str = "MR"
) -> PatientIdentifier:
    """Record an identifier another system gave the patient; one patient per authority and value."""
    authority, value = authority.strip(), value.strip()
    problems = []
    if not authority:
        problems.append(FieldProblem("authority", _("is required")))
    if not value:
        problems.append(FieldProblem("value", _("is required")))
    if problems:
        raise ValidationFailed(problems)
    existing = PatientIdentifier.objects.filter(authority=authority, value=value).first()
    if existing is not None:
        if existing.patient_id == patient.pk:
            return existing
        raise Conflict(
            _("The identifier %(authority)s|%(value)s belongs to another patient.")
            % {"authority": authority, "value": value},
            rule="identifier_taken",
        )
    try:
        with transaction.atomic():
            identifier = PatientIdentifier.objects.create(
                patient=patient, authority=authority, value=value, type_code=type_code or "MR"
            )
            audit_record(
                action=AuditAction.CREATE,
                obj=identifier,
                patient=patient,
                detail={"authority": authority},
            )
    except IntegrityError as exc:
        raise Conflict(
            _("The identifier %(authority)s|%(value)s belongs to another patient.")
            % {"authority": authority, "value": value},
            rule="identifier_taken",
        ) from exc
    return identifier


def patient_identifier_move(
    *, identifier: PatientIdentifier, to: Patient, by: User
) -> PatientIdentifier:
    """Give an identifier to another patient (a merge in the hospital's index); audited."""
    if identifier.patient_id == to.pk:
        return identifier
    with transaction.atomic():
        was = identifier.patient
        identifier.patient = to
        identifier.save(update_fields=["patient", "updated_at"])
        audit_record(
            action=AuditAction.UPDATE,
            obj=identifier,
            patient=to,
            detail={"authority": identifier.authority, "moved_from": was.mrn},
        )
    return identifier


def patient_rrn_rotate_keys(*, batch: int = 500) -> int:
    """Re-encrypt every stored resident number (and its lookup digest) under the current field
    key, in one transaction; audited as the system. Returns how many were re-encrypted."""
    done = 0
    with transaction.atomic():
        rows = Patient.objects.select_for_update().filter(rrn_encrypted__isnull=False)
        changed = []
        for patient in rows.exclude(rrn_encrypted="").only("pk", "rrn_encrypted").iterator():
            patient.rrn_encrypted, patient.rrn_digest = crypto.reencrypt(patient.rrn_encrypted)
            changed.append(patient)
            if len(changed) >= batch:
                Patient.objects.bulk_update(changed, ["rrn_encrypted", "rrn_digest"])
                done, changed = done + len(changed), []
        Patient.objects.bulk_update(changed, ["rrn_encrypted", "rrn_digest"])
        done += len(changed)
        audit_record(
            action=AuditAction.UPDATE,
            object_type="patients.rrn_keys",
            detail={"re_encrypted": done},
        )
    return done


def _rrn_misses(**who: Any) -> int:
    since = timezone.now() - dt.timedelta(minutes=settings.RRN_CHECK_WINDOW_MINUTES)
    return AuditEvent.objects.filter(
        at__gte=since, action=AuditAction.READ, detail__rrn_verified=False, **who
    ).count()


def patient_verify_rrn(*, patient: Patient, rrn: str, by: Any = None) -> bool:
    """Compare a presented number with the stored one; the attempt is audited, never the number.

    Not an oracle: after RRN_CHECK_MAX_MISSES wrong numbers within RRN_CHECK_WINDOW_MINUTES by
    the same user, or against the same patient from anyone, checks are refused (429) until the
    window passes; reaching the limit raises a security alert (logged and audited)."""
    user = by if by is not None else current_context().user
    limit = settings.RRN_CHECK_MAX_MISSES
    user_misses = _rrn_misses(actor_id=user.pk) if user is not None else 0
    patient_misses = _rrn_misses(patient_id=patient.pk)
    if user_misses >= limit or patient_misses >= limit:
        audit_record(action=AuditAction.READ, obj=patient, detail={"rrn_check_refused": True})
        raise Throttled(
            _("Too many resident-number checks did not match. Try again in %(minutes)s minutes.")
            % {"minutes": settings.RRN_CHECK_WINDOW_MINUTES}
        )
    try:
        digits = crypto.normalize_rrn(rrn)
    except ValueError:
        raise ValidationFailed.single("rrn", _rrn_format_message()) from None
    matches = bool(patient.rrn_digest) and patient.rrn_digest in crypto.digests(digits)
    audit_record(action=AuditAction.READ, obj=patient, detail={"rrn_verified": matches})
    if not matches and limit - 1 in (user_misses, patient_misses):
        who = user.get_username() if user is not None else "system"
        logger.warning(
            "security alert: %s wrong resident-number checks (user %s, patient %s)",
            limit,
            who,
            patient.mrn,
        )
        audit_record(
            action=AuditAction.READ,
            obj=patient,
            detail={"alert": "rrn_check_misses", "user": who, "limit": limit},
        )
    return matches


def patient_join_center(
    *, patient: Patient, by: User, center_code: str, since: dt.date | None = None
) -> PatientCenter:
    """Register the patient with one of the hospital's centers (again active if they had left)."""
    center = Center.objects.filter(code=center_code).first()
    if center is None:
        raise ValidationFailed.single("center", _("unknown center code"), center_code)
    since = since or timezone.localdate()
    with transaction.atomic():
        membership, created = PatientCenter.objects.get_or_create(
            patient=patient, center=center, defaults={"since": since}
        )
        if not created and not membership.active:
            membership.active = True
            membership.save(update_fields=["active", "updated_at"])
        audit_record(
            action=AuditAction.UPDATE,
            obj=membership,
            patient=patient,
            detail={"center": center_code},
        )
    return membership
