"""Forms glue: one way from a service's domain error to the form the user filled in.

A view parses a `DomainForm`, calls one service through `run_service`, and renders. The rules
live in the service; when it refuses, each `FieldProblem` comes back beside the field it names
(with the field's label, never its internal name), and a problem about a field the form does not
show is listed above the form as "label: message". `NotPermitted` and `NotFound` are not form
problems: they propagate to `DomainErrorMiddleware`, which answers 403 / 404 in the shell.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.utils import timezone

from oncocenter.core.errors import Conflict, DomainError, ValidationFailed

T = TypeVar("T")

DATE = forms.DateInput(attrs={"type": "date"})
TIME = forms.TimeInput(attrs={"type": "time"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def today() -> dt.date:
    """The center's date (a callable, for `initial=`)."""
    return timezone.localdate()


def set_choices(form: forms.Form, name: str, choices: list[tuple[Any, Any]]) -> None:
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{name} is not a choice field")
    field.choices = choices


class DomainForm(forms.Form):
    """The shape of one service call.

    `field_aliases` maps a service's field name to the form field that shows it, where the two
    differ (e.g. `{"preferred_window": "window_start"}`). Several forms on one page give their
    inputs ids prefixed with the form's class name, so that labels stay unique.
    """

    field_aliases: ClassVar[dict[str, str]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{type(self).__name__.lower()}_%s")
        super().__init__(*args, **kwargs)

    def field_for(self, name: str) -> str | None:
        """The form field a service's problem belongs to, or None when the form has no such input."""
        for candidate in (name, name.split(".")[0], name.split("[")[0]):
            candidate = self.field_aliases.get(candidate, candidate)
            if candidate in self.fields:
                return candidate
        return None

    def add_domain_errors(self, exc: DomainError) -> None:
        placed = False
        for problem in exc.problems:
            name = self.field_for(problem.field)
            if name is not None:
                self.add_error(name, problem.message)
            else:
                self.add_error(None, f"{problem.label_or_field()}: {problem.message}")
            placed = True
        # A conflict names the interlock in its message: show it even when fields are marked.
        shows_message = not placed or (isinstance(exc, Conflict) and bool(exc.message))
        if shows_message and exc.message not in self.non_field_errors():
            self.add_error(None, exc.message)


@dataclass
class Outcome(Generic[T]):
    """What `run_service` did: `ok` and the service's return value, or the status to answer."""

    ok: bool
    value: T | None = None
    status: int = 200

    def __bool__(self) -> bool:
        return self.ok


def run_service(
    request: HttpRequest,
    form: forms.Form,
    call: Callable[[], T],
    *,
    success: str | Callable[[T], str] | None = None,
) -> Outcome[T]:
    """Validate `form`, then `call()` the service; a refusal goes onto the form.

    Returns an `Outcome`: on success the value (and a flash message when `success` is given), else
    `status` 422 (bad input) or 409 (an interlock or a full slot) for the re-rendered page.
    `NotPermitted` and `NotFound` are not caught: the middleware renders them as 403 / 404.
    """
    if not form.is_valid():
        return Outcome(ok=False, status=422)
    try:
        value = call()
    except (ValidationFailed, Conflict) as exc:
        if isinstance(form, DomainForm):
            form.add_domain_errors(exc)
        else:
            form.add_error(None, str(exc))
        return Outcome(ok=False, status=exc.status)
    if success is not None:
        text = success(value) if callable(success) else success
        messages.success(request, text)
    return Outcome(ok=True, value=value, status=200)
