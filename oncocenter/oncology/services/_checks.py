"""Checks shared by the oncology services: a value from a choice list, a code from a shipped list.
Each appends its problem to the caller's list, so a service reports every broken rule at once."""

from __future__ import annotations

from django.db.models import TextChoices
from django.utils.translation import gettext as _

from oncocenter.core.errors import FieldProblem
from oncocenter.oncology import codes


def one_of(choices: type[TextChoices]) -> str:
    return _("must be one of %(choices)s") % {"choices": ", ".join(choices.values)}


def check_choice(
    problems: list[FieldProblem], field: str, value: str, choices: type[TextChoices]
) -> str:
    if value not in choices.values:
        problems.append(FieldProblem(field, one_of(choices), value))
    return value


def check_code(problems: list[FieldProblem], field: str, code_list: str, value: str) -> str:
    """The canonical spelling of a code of `code_list` ("" stays ""), or a problem."""
    if not value:
        return ""
    try:
        return codes.lookup(code_list, value).code
    except codes.UnknownCodeError:
        message = (
            _("is not in the curated code list")
            if codes.is_well_formed(code_list, value)
            else _("is not a well-formed code")
        )
        problems.append(FieldProblem(field, message, value))
        return value
