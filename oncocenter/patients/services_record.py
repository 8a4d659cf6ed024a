"""Writes for the patient record completion (issue 3): guardians, consent/assent, care team and
the reduced co-payment registration. Separate from ``services.py`` (foundation)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.core.permissions import user_roles
from oncocenter.core.roles import Role
from oncocenter.oncology.models import Diagnosis
from oncocenter.oncology.services import check_date
from oncocenter.patients.models import Center, Patient
from oncocenter.patients.models_record import (
    AGE_OF_MAJORITY,
    ASSENT_MIN_AGE,
    CareTeamMember,
    Consent,
    ConsentGiver,
    ConsentKind,
    CopayRegistration,
    Guardian,
    GuardianRelationship,
    copay_expiry,
)
from oncocenter.patients.services import HANGUL_NAME_RE, PHONE_RE


def guardian_add(
    *,
    patient: Patient,
    name_ko: str,
    relationship: str,
    phone: str = "",
    is_legal_representative: bool = True,
    birth_date: dt.date | None = None,
) -> Guardian:
    """Add a guardian; a legal representative needs a birth date showing an adult."""
    problems: list[FieldProblem] = []
    today = timezone.localdate()
    if birth_date is not None and birth_date > today:
        problems.append(
            FieldProblem("birth_date", "cannot be in the future", birth_date.isoformat())
        )
    elif is_legal_representative:
        if birth_date is None:
            problems.append(FieldProblem("birth_date", "is required for a legal representative"))
        else:
            age = (
                today.year
                - birth_date.year
                - ((today.month, today.day) < (birth_date.month, birth_date.day))
            )
            if age < AGE_OF_MAJORITY:
                problems.append(
                    FieldProblem(
                        "birth_date",
                        f"a legal representative must be an adult ({AGE_OF_MAJORITY} or older); this person is {age}",
                        birth_date.isoformat(),
                    )
                )
    name_ko = name_ko.strip()
    if not name_ko:
        problems.append(FieldProblem("name_ko", "is required"))
    elif not HANGUL_NAME_RE.match(name_ko):
        problems.append(FieldProblem("name_ko", "must be written in Hangul syllables", name_ko))
    if relationship not in GuardianRelationship.values:
        problems.append(
            FieldProblem(
                "relationship",
                f"must be one of {', '.join(GuardianRelationship.values)}",
                relationship,
            )
        )
    if phone.strip() and not PHONE_RE.match(phone.strip()):
        problems.append(
            FieldProblem("phone", "must be a Korean number such as 010-1234-5678", phone)
        )
    if problems:
        raise ValidationFailed(problems)
    guardian = Guardian(
        patient=patient,
        name_ko=name_ko,
        relationship=relationship,
        phone=phone.strip(),
        is_legal_representative=is_legal_representative,
        birth_date=birth_date,
    )
    with transaction.atomic():
        guardian.save()
        audit_record(
            action=AuditAction.CREATE,
            obj=guardian,
            patient=patient,
            detail={"relationship": relationship},
        )
    return guardian


def consent_record(
    *,
    patient: Patient,
    kind: str,
    given_by: str,
    signed_on: dt.date | str,
    guardian: Guardian | None = None,
    scope: str = "",
    recorded_by: Any = None,
) -> Consent:
    """A minor (under 19) consents through a legal-representative guardian and may add an assent
    (from age 7); an adult consents personally."""
    problems: list[FieldProblem] = []
    if kind not in ConsentKind.values:
        problems.append(
            FieldProblem("kind", f"must be one of {', '.join(ConsentKind.values)}", kind)
        )
    if given_by not in ConsentGiver.values:
        problems.append(
            FieldProblem("given_by", f"must be one of {', '.join(ConsentGiver.values)}", given_by)
        )
    when = check_date(problems, "signed_on", signed_on, patient)
    if when is not None and given_by in ConsentGiver.values:
        age = patient.age_on(when)
        minor = age < AGE_OF_MAJORITY
        if given_by == ConsentGiver.PATIENT and minor:
            problems.append(
                FieldProblem(
                    "given_by", f"a patient aged {age} consents through a guardian", given_by
                )
            )
        if given_by in (ConsentGiver.GUARDIAN, ConsentGiver.ASSENT) and not minor:
            problems.append(
                FieldProblem(
                    "given_by", f"the patient is an adult ({age}); consent is personal", given_by
                )
            )
        if given_by == ConsentGiver.ASSENT and age < ASSENT_MIN_AGE:
            problems.append(
                FieldProblem(
                    "given_by",
                    f"assent is asked from age {ASSENT_MIN_AGE}; the child is {age}",
                    given_by,
                )
            )
        if given_by == ConsentGiver.GUARDIAN:
            if guardian is None:
                problems.append(FieldProblem("guardian", "is required when a guardian consents"))
            elif guardian.patient_id != patient.pk:
                problems.append(
                    FieldProblem("guardian", "is not a guardian of this patient", guardian.pk)
                )
            elif not guardian.is_legal_representative:
                problems.append(
                    FieldProblem("guardian", "is not a legal representative", guardian.pk)
                )
    if problems:
        raise ValidationFailed(problems)
    assert when is not None
    consent = Consent(
        patient=patient,
        kind=kind,
        given_by=given_by,
        guardian=guardian if given_by == ConsentGiver.GUARDIAN else None,
        signed_on=when,
        scope=scope.strip(),
        recorded_by=recorded_by,
    )
    with transaction.atomic():
        consent.save()
        audit_record(
            action=AuditAction.CREATE,
            obj=consent,
            patient=patient,
            detail={"kind": kind, "given_by": given_by},
        )
    return consent


def care_team_add(
    *,
    patient: Patient,
    user: Any,
    role: str,
    center_code: str = "",
    is_lead: bool = False,
    since: dt.date | None = None,
) -> CareTeamMember:
    problems: list[FieldProblem] = []
    if role not in Role.values:
        problems.append(FieldProblem("role", "is not a staff role", role))
    elif role not in user_roles(user):
        problems.append(FieldProblem("role", f"{user} does not hold this role", role))
    center = None
    if center_code:
        center = Center.objects.filter(code=center_code).first()
        if center is None:
            problems.append(FieldProblem("center", "unknown center code", center_code))
    if problems:
        raise ValidationFailed(problems)
    member = CareTeamMember(
        patient=patient,
        user=user,
        role=role,
        center=center,
        is_lead=is_lead,
        since=since or timezone.localdate(),
    )
    try:
        with transaction.atomic():
            member.save()
            audit_record(
                action=AuditAction.CREATE,
                obj=member,
                patient=patient,
                detail={"role": role, "user": user.pk},
            )
    except IntegrityError:
        raise Conflict(
            f"{user} is already on the care team as {role}.", rule="care_team_once"
        ) from None
    return member


def copay_register(
    *,
    patient: Patient,
    registered_on: dt.date | str,
    registration_number: str = "",
    diagnosis: Diagnosis | None = None,
    special_code: str = "V193",
    recorded_by: Any = None,
) -> CopayRegistration:
    """Record the NHIS reduced co-payment registration; valid through registration + 5 years - 1 day."""
    problems: list[FieldProblem] = []
    when = check_date(problems, "registered_on", registered_on, patient)
    if diagnosis is not None and diagnosis.patient_id != patient.pk:
        problems.append(FieldProblem("diagnosis", "belongs to another patient", diagnosis.pk))
    if not special_code.strip():
        problems.append(FieldProblem("special_code", "is required"))
    if (
        when is not None
        and CopayRegistration.objects.filter(patient=patient, registered_on=when).exists()
    ):
        problems.append(
            FieldProblem(
                "registered_on", "a registration on this date is already recorded", when.isoformat()
            )
        )
    if problems:
        raise ValidationFailed(problems)
    assert when is not None
    registration = CopayRegistration(
        patient=patient,
        diagnosis=diagnosis,
        special_code=special_code.strip(),
        registration_number=registration_number.strip(),
        registered_on=when,
        expires_on=copay_expiry(when),
        recorded_by=recorded_by,
    )
    with transaction.atomic():
        registration.save()
        audit_record(
            action=AuditAction.CREATE,
            obj=registration,
            patient=patient,
            detail={
                "registered_on": when.isoformat(),
                "expires_on": registration.expires_on.isoformat(),
            },
        )
    return registration
