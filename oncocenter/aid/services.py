"""Writes of aid applications to associations. Each service checks its rules, then writes and
audits atomically; the status flow and amount rules are in ``calc`` (pure Python)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.aid import calc, vocab
from oncocenter.aid.models import (
    AidApplication,
    AidNeed,
    AidOrganisation,
    AidStatus,
    AidStatusChange,
)
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict, ValidationFailed
from oncocenter.patients.models import Patient
from oncocenter.pediatrics.checks import choice, invalid, required, today
from oncocenter.pediatrics.rules import SupportRuleError

Money = Decimal | int | str


def _money(field: str, value: Money | None) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationFailed.single(field, _("must be an amount in won"), value) from None
    if amount != amount.to_integral_value():
        raise ValidationFailed.single(field, _("must be whole won"), value)
    return amount


def _documents(documents: Iterable[str] | None) -> list[str]:
    codes = [d["code"] for d in vocab.aid_documents()]
    docs = list(dict.fromkeys(documents or []))
    for d in docs:
        choice("documents", d, codes)
    return docs


@transaction.atomic
def aid_organisation_create(
    *, by: User, name: str, contact: str = "", support_types: str = ""
) -> AidOrganisation:
    required("name", name)
    if AidOrganisation.objects.filter(name=name.strip()).exists():
        raise ValidationFailed.single("name", _("an organisation with this name exists"), name)
    org = AidOrganisation.objects.create(
        name=name.strip(), contact=contact, support_types=support_types
    )
    audit_record(action="create", obj=org)
    return org


@transaction.atomic
def aid_application_create(
    *,
    patient: Patient,
    by: User,
    organisation: AidOrganisation,
    need: str,
    amount_requested: Money | None,
    need_description: str = "",
    documents: Iterable[str] | None = None,
) -> AidApplication:
    """A draft application of the family to an association (amounts in won)."""
    choice("need", need, AidNeed.values)
    if not organisation.active:
        raise ValidationFailed.single(
            "organisation", _("the organisation is inactive"), organisation.pk
        )
    requested = _money("amount_requested", amount_requested)
    if requested is None:
        raise ValidationFailed.single("amount_requested", _("is required"))
    try:
        calc.check_aid_amounts(requested=requested, granted=None, note=None)
    except SupportRuleError as exc:
        raise invalid(exc) from None
    app = AidApplication.objects.create(
        patient=patient,
        organisation=organisation,
        need=need,
        need_description=need_description,
        amount_requested=requested,
        documents=_documents(documents),
        created_by=by,
    )
    audit_record(action="create", obj=app, patient=patient, detail={"amount_requested": requested})
    return app


@transaction.atomic
def aid_application_set_documents(
    *, application: AidApplication, by: User, documents: Iterable[str]
) -> AidApplication:
    app = AidApplication.objects.select_for_update().get(pk=application.pk)
    if app.status in calc.AID_TERMINAL:
        raise Conflict(
            _("The application is %(status)s.") % {"status": app.get_status_display()},
            rule="aid_final",
        )
    app.documents = _documents(documents)
    app.save(update_fields=["documents", "updated_at"])
    audit_record(action="update", obj=app, patient=app.patient, detail={"documents": app.documents})
    return app


@transaction.atomic
def aid_application_transition(
    *,
    application: AidApplication,
    by: User,
    to_status: str,
    amount_granted: Money | None = None,
    decision_note: str = "",
    on: dt.date | None = None,
) -> AidApplication:
    """Move along the status flow. Granting needs an amount; above the request, a note too."""
    app = AidApplication.objects.select_for_update().get(pk=application.pk)
    choice("status", to_status, AidStatus.values)
    try:
        calc.check_aid_transition(app.status, to_status)
        if to_status == AidStatus.SUBMITTED:
            calc.check_aid_submission(app.documents)
    except SupportRuleError as exc:
        raise invalid(exc) from None
    on = on or today()
    note = (decision_note or "").strip()
    if to_status == AidStatus.GRANTED:
        granted = _money("amount_granted", amount_granted)
        if granted is None:
            raise ValidationFailed.single(
                "amount_granted", _("is required to grant an application")
            )
        if granted <= 0:
            raise ValidationFailed.single(
                "amount_granted", _("must be greater than 0 (reject instead)"), granted
            )
        try:
            calc.check_aid_amounts(requested=app.amount_requested, granted=granted, note=note)
        except SupportRuleError as exc:
            raise invalid(exc) from None
        app.amount_granted = granted
        app.decided_on = on
        app.decision_note = note[:300]
    elif amount_granted not in (None, ""):
        raise ValidationFailed.single(
            "amount_granted", _("is only given when granting"), amount_granted
        )
    if to_status == AidStatus.REJECTED:
        app.decided_on = on
        app.decision_note = note[:300]
    if to_status == AidStatus.SUBMITTED and app.submitted_on is None:
        app.submitted_on = on
    before = app.status
    app.status = to_status
    app.save()
    AidStatusChange.objects.create(
        application=app, from_status=before, to_status=to_status, by=by, note=note[:300]
    )
    audit_record(
        action="update",
        obj=app,
        patient=app.patient,
        detail={"status": [before, to_status], "amount_granted": app.amount_granted},
    )
    return app
