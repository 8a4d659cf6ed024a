"""What the pure rule modules of the pediatric services share (no Django).

The rule modules (``pediatrics.calc``, ``shelter.calc``, ``aid.calc``) never import Django, so
they cannot translate. A broken rule raises :class:`SupportRuleError` with an English message
*template* marked by :func:`gettext_noop` (so that ``makemessages`` extracts it) and the values to
put in it; the services translate it into the user's language (``pediatrics.checks``). Sentences
that are not errors (plausibility warnings) travel as :class:`RuleText` the same way.
"""

from __future__ import annotations

from typing import Any


def gettext_noop(message: str) -> str:
    """Mark a string for translation without translating it (keeps these modules Django-free)."""
    return message


def _fill(template: str, params: dict[str, Any]) -> str:
    return template % params if params else template


class SupportRuleError(ValueError):
    """A rule was broken: names the field, the value and the rule.

    ``rule`` is the English sentence; ``template`` and ``params`` let a caller translate it.
    """

    def __init__(self, field: str, value: Any, template: str, **params: Any) -> None:
        self.field = field
        self.value = value
        self.template = template
        self.params = params
        self.rule = _fill(template, params)
        super().__init__(f"{field}={value!r}: {self.rule}")


class RuleText(str):
    """An English sentence that remembers its template and values, so it can be translated."""

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, **params: Any) -> RuleText:
        text = super().__new__(cls, _fill(template, params))
        text.template = template
        text.params = params
        return text
