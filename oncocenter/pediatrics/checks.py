"""Checks the services of the pediatric apps share, turned into the project's typed errors.

Each raises ``ValidationFailed`` naming the field, with the message in the user's language. The
pure rule modules' errors (``rules.SupportRuleError``) are translated here too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from oncocenter.core.errors import ValidationFailed
from oncocenter.patients.models import Patient
from oncocenter.pediatrics.rules import RuleText, SupportRuleError


def translate(text: str) -> str:
    """A rule module's sentence in the user's language (plain strings pass unchanged)."""
    if isinstance(text, RuleText):
        translated = _(text.template)
        return translated % text.params if text.params else translated
    return text


def rule_message(exc: SupportRuleError) -> str:
    translated = _(exc.template)
    return translated % exc.params if exc.params else translated


def invalid(exc: SupportRuleError) -> ValidationFailed:
    """The rule module's refusal as a 422 naming its field."""
    return ValidationFailed.single(exc.field, rule_message(exc), exc.value)


def today() -> dt.date:
    return timezone.localdate()


def choice(field: str, value: str, allowed: Iterable[str]) -> None:
    allowed = list(allowed)
    if value not in allowed:
        raise ValidationFailed.single(
            field, _("must be one of %(allowed)s") % {"allowed": ", ".join(allowed)}, value
        )


def required(field: str, value: Any) -> None:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationFailed.single(field, _("is required"), value)


def not_before_birth(field: str, value: dt.date | None, patient: Patient) -> None:
    if value is not None and value < patient.birth_date:
        raise ValidationFailed.single(
            field,
            _("must not be before the birth date (%(date)s)")
            % {"date": patient.birth_date.isoformat()},
            value,
        )


def not_before(field: str, value: dt.date | None, *, earliest: dt.date | None, what: str) -> None:
    """``value`` (the field ``field``) must not be before ``earliest`` (``what``, translated)."""
    if value is not None and earliest is not None and value < earliest:
        raise ValidationFailed.single(
            field,
            _("must not be before the %(what)s (%(date)s)")
            % {"what": what, "date": earliest.isoformat()},
            value,
        )


def not_in_future(field: str, value: dt.date) -> None:
    if value > today():
        raise ValidationFailed.single(field, _("must not be in the future"), value)
