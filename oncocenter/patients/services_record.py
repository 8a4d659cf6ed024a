"""Writes for the patient record completion (issue 3): guardians, consent/assent and the care
team. Separate from ``services.py`` (demographics). The co-payment registration, which belongs to
a diagnosis, is in ``oncology``."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.core.permissions import user_roles
from oncocenter.core.roles import Role
from oncocenter.patients.checks import check_date
from oncocenter.patients.models import Center, Patient
from oncocenter.patients.models_record import (
    AGE_OF_MAJORITY,
    ASSENT_MIN_AGE,
    CareTeamMember,
    Consent,
    ConsentGiver,
    ConsentKind,
    Guardian,
    GuardianRelationship,
)
from oncocenter.patients.services import HANGUL_NAME_RE, PHONE_RE


def _one_of(values: list[str]) -> str:
    return _("must be one of %(choices)s") % {"choices": ", ".join(values)}


def guardian_add(
    *,
    patient: Patient,
    by: User,
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
            FieldProblem("birth_date", _("cannot be in the future"), birth_date.isoformat())
        )
    elif is_legal_representative:
        if birth_date is None:
            problems.append(FieldProblem("birth_date", _("is required for a legal representative")))
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
                        _(
                            "a legal representative must be an adult (%(majority)s or older); "
                            "this person is %(age)s"
                        )
                        % {"majority": AGE_OF_MAJORITY, "age": age},
                        birth_date.isoformat(),
                    )
                )
    name_ko = name_ko.strip()
    if not name_ko:
        problems.append(FieldProblem("name_ko", _("is required")))
    elif not HANGUL_NAME_RE.match(name_ko):
        problems.append(FieldProblem("name_ko", _("must be written in Hangul syllables"), name_ko))
    if relationship not in GuardianRelationship.values:
        problems.append(
            FieldProblem("relationship", _one_of(GuardianRelationship.values), relationship)
        )
    if phone.strip() and not PHONE_RE.match(phone.strip()):
        problems.append(
            FieldProblem("phone", _("must be a Korean number such as 010-1234-5678"), phone)
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
    by: User,
    kind: str,
    given_by: str,
    signed_on: dt.date | str,
    guardian: Guardian | None = None,
    scope: str = "",
) -> Consent:
    """A minor (under 19) consents through a legal-representative guardian and may add an assent
    (from age 7); an adult consents personally."""
    problems: list[FieldProblem] = []
    if kind not in ConsentKind.values:
        problems.append(FieldProblem("kind", _one_of(ConsentKind.values), kind))
    if given_by not in ConsentGiver.values:
        problems.append(FieldProblem("given_by", _one_of(ConsentGiver.values), given_by))
    when = check_date(problems, "signed_on", signed_on, patient)
    if when is not None and given_by in ConsentGiver.values:
        age = patient.age_on(when)
        minor = age < AGE_OF_MAJORITY
        if given_by == ConsentGiver.PATIENT and minor:
            problems.append(
                FieldProblem(
                    "given_by",
                    _("a patient aged %(age)s consents through a guardian") % {"age": age},
                    given_by,
                )
            )
        if given_by in (ConsentGiver.GUARDIAN, ConsentGiver.ASSENT) and not minor:
            problems.append(
                FieldProblem(
                    "given_by",
                    _("the patient is an adult (%(age)s); consent is personal") % {"age": age},
                    given_by,
                )
            )
        if given_by == ConsentGiver.ASSENT and age < ASSENT_MIN_AGE:
            problems.append(
                FieldProblem(
                    "given_by",
                    _("assent is asked from age %(min_age)s; the child is %(age)s")
                    % {"min_age": ASSENT_MIN_AGE, "age": age},
                    given_by,
                )
            )
        if given_by == ConsentGiver.GUARDIAN:
            if guardian is None:
                problems.append(FieldProblem("guardian", _("is required when a guardian consents")))
            elif guardian.patient_id != patient.pk:
                problems.append(
                    FieldProblem("guardian", _("is not a guardian of this patient"), guardian.pk)
                )
            elif not guardian.is_legal_representative:
                problems.append(
                    FieldProblem("guardian", _("is not a legal representative"), guardian.pk)
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
        recorded_by=by,
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
    by: User,
    user: User,
    role: str,
    center_code: str = "",
    is_lead: bool = False,
    since: dt.date | None = None,
) -> CareTeamMember:
    """Put a staff member on the patient's care team in one of the roles they hold."""
    problems: list[FieldProblem] = []
    if role not in Role.values:
        problems.append(FieldProblem("role", _("is not a staff role"), role))
    elif role not in user_roles(user):
        problems.append(
            FieldProblem("role", _("%(user)s does not hold this role") % {"user": user}, role)
        )
    center = None
    if center_code:
        center = Center.objects.filter(code=center_code).first()
        if center is None:
            problems.append(FieldProblem("center", _("unknown center code"), center_code))
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
            _("%(user)s is already on the care team as %(role)s.")
            % {"user": user, "role": Role(role).label},
            rule="care_team_once",
        ) from None
    return member
