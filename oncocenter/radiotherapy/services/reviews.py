"""The physician's on-treatment reviews: weekly visits with CTCAE grading, interruptions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.core.permissions import require
from oncocenter.core.roles import Role
from oncocenter.radiotherapy import selectors
from oncocenter.radiotherapy.models import (
    Course,
    CtcaeTerm,
    InterruptionReview,
    Prescription,
    SignatureMeaning,
    ToxicityGrade,
    WeeklyReview,
)
from oncocenter.radiotherapy.services._common import PHYSICIAN_CREDENTIALS
from oncocenter.radiotherapy.services.signing import _require_signer, _sign


def weekly_review_record(
    *,
    course: Course,
    by: User,
    reviewed_on: dt.date,
    grades: Mapping[str, int | str],
    notes: str = "",
    continue_treatment: bool = True,
) -> WeeklyReview:
    """Weekly on-treatment visit with CTCAE v5 grades (term code -> grade 0..5)."""
    _require_signer(
        by, "rt.review.record", PHYSICIAN_CREDENTIALS, _("A weekly on-treatment review")
    )
    terms = {t.code: t for t in CtcaeTerm.objects.filter(active=True, code__in=list(grades))}
    problems, rows = [], []
    for code, raw in grades.items():
        term = terms.get(code)
        if term is None:
            problems.append(FieldProblem(f"grades.{code}", _("unknown CTCAE term"), code))
            continue
        try:
            g = int(raw)
        except (TypeError, ValueError):
            problems.append(FieldProblem(f"grades.{code}", _("must be a whole number"), raw))
            continue
        if not 0 <= g <= term.max_grade:
            problems.append(
                FieldProblem(
                    f"grades.{code}",
                    _("must be 0 to %(max)d for %(term)s") % {"max": term.max_grade, "term": term},
                    g,
                )
            )
            continue
        rows.append((term, g))
    if reviewed_on > timezone.localdate():
        problems.append(
            FieldProblem("reviewed_on", _("cannot be in the future"), reviewed_on.isoformat())
        )
    if problems:
        raise ValidationFailed(problems)
    with transaction.atomic():
        delivered = sum(rx.fractions_delivered for rx in course.prescriptions.all())
        sig = _sign(
            meaning=SignatureMeaning.WEEKLY_REVIEW,
            course=course,
            signer=by,
            role=Role.RADIATION_ONCOLOGIST,
            kinds=PHYSICIAN_CREDENTIALS,
            statement=f"weekly review after {delivered} fractions",
        )
        review = WeeklyReview.objects.create(
            course=course,
            reviewed_on=reviewed_on,
            fractions_at_review=delivered,
            notes=notes,
            continue_treatment=continue_treatment,
            signature=sig,
        )
        ToxicityGrade.objects.bulk_create(
            [ToxicityGrade(review=review, term=t, grade=g) for t, g in rows]
        )
        audit_record(
            action=AuditAction.CREATE,
            obj=review,
            patient=course.patient,
            detail={"grades": {t.code: g for t, g in rows}},
        )
    return review


def interruption_review_record(
    *, prescription: Prescription, by: User, decision: str, note: str
) -> InterruptionReview:
    """The physician records what is done about the open days lost so far; the interruption
    leaves the worklist until more days are lost."""
    require(by, "rt.review.record")
    problems = []
    if decision not in InterruptionReview.Decision.values:
        problems.append(
            FieldProblem(
                "decision",
                _("must be one of %(choices)s")
                % {"choices": ", ".join(InterruptionReview.Decision.values)},
                decision,
            )
        )
    if not (note or "").strip():
        problems.append(FieldProblem("note", _("describe the compensation, or why none is needed")))
    if problems:
        raise ValidationFailed(problems)
    report = selectors.prescription_interruptions(rx=prescription)
    if not report.interrupted:
        raise Conflict(_("No open day has been lost on this prescription."), rule="no_interruption")
    with transaction.atomic():
        review = InterruptionReview.objects.create(
            prescription=prescription,
            days_lost=report.days_lost,
            decision=decision,
            note=note.strip()[:300],
            reviewed_by=by,
        )
        audit_record(
            action=AuditAction.CREATE,
            obj=review,
            patient=prescription.course.patient,
            detail={"days_lost": report.days_lost, "decision": decision},
        )
    return review
