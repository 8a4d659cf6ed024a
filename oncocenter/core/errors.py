"""Typed domain errors. Services raise them; the API and the views turn them into 4xx answers.

Every error names what was wrong in words a person can act on: the field, the value and the rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class FieldProblem:
    """One broken rule: `field` is the input's name (as the API and forms spell it), `message`
    the rule in the user's language, `label` the field's label where the service knows it (a
    form shows the message beside its field; elsewhere "label: message")."""

    field: str
    message: str
    value: Any = None
    label: Any = None

    def label_or_field(self) -> str:
        if self.label:
            return str(self.label)
        return self.field.replace("_", " ").replace(".", " ").strip().capitalize()

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"field": self.field, "message": self.message}
        if self.label:  # what the person sees the field as, in their language
            data["label"] = str(self.label)
        if self.value is not None:
            data["value"] = (
                self.value if isinstance(self.value, (int, float, bool)) else str(self.value)
            )
        return data


@dataclass
class DomainError(Exception):
    """Base class: `status` is the HTTP status the API answers with."""

    message: str
    problems: list[FieldProblem] = field(default_factory=list)
    status: int = 400
    code: str = "invalid"

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        if self.problems:
            return self.message + ": " + "; ".join(f"{p.field}: {p.message}" for p in self.problems)
        return self.message


class ValidationFailed(DomainError):
    """Input breaks a rule. Build with `ValidationFailed.single(field, message, value)` or a list."""

    def __init__(self, problems: list[FieldProblem], message: str = "Invalid input") -> None:
        super().__init__(message=message, problems=problems, status=422, code="validation")

    @classmethod
    def single(cls, field_name: str, message: str, value: Any = None) -> ValidationFailed:
        return cls([FieldProblem(field_name, message, value)])


class NotPermitted(DomainError):
    def __init__(self, message: str, *, permission: str | None = None) -> None:
        super().__init__(message=message, status=403, code="forbidden")
        self.permission = permission


class NotFound(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(message=message, status=404, code="not_found")


class Conflict(DomainError):
    """The request is valid but the current state forbids it (an interlock, a full slot)."""

    def __init__(
        self, message: str, *, rule: str = "", problems: list[FieldProblem] | None = None
    ) -> None:
        super().__init__(
            message=message, problems=problems or [], status=409, code=rule or "conflict"
        )
        self.rule = rule


class Throttled(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(message=message, status=429, code="throttled")
