"""One POST view per service call, declared instead of written out.

Most pages hold several forms, and each form's POST does the same four things: parse the form,
call one service through `run_service`, redirect on success, and on a refusal render the page
again with the bound form (status 422 for bad input, 409 for a state that forbids it). A
`FormPage` names what the POSTs of one page share (how to render the page again, which row the
URL names, where a success goes); `FormPage.post` turns the function that calls the service into
the POST view, from what differs: the permission, the form, the form's key on the page and the
message. The view keeps `@require_POST` and the declared access of `@permission_required`::

    @_detail.post("aid.edit", forms.AidDocumentsForm, "docs_form", gettext_lazy("Saved."))
    def aid_documents(p: Posted[forms.AidDocumentsForm]) -> AidApplication:
        return services.aid_application_set_documents(application=p.obj, by=p.by, ...)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Generic, TypeVar

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from oncocenter.core.forms import run_service
from oncocenter.core.views import permission_required

F = TypeVar("F", bound=forms.Form)

# Where a success goes: a URL name (redirected to with the POST's own URL arguments, e.g. back
# to the detail page the form is on), or a function of the POST and the service's value.
Done = str | Callable[["Posted[Any]", Any], HttpResponse]


@dataclass(frozen=True)
class Posted(Generic[F]):
    """One POST: the request, its bound form, the row its URL names (or None) and the URL's
    arguments."""

    request: HttpRequest
    form: F
    obj: Any
    url: dict[str, Any] = field(default_factory=dict)

    @property
    def by(self) -> Any:
        """The signed-in user (the permission check let only a signed-in user through)."""
        return self.request.user

    @property
    def data(self) -> dict[str, Any]:
        return self.form.cleaned_data


def to_new(url_name: str) -> Callable[[Posted[Any], Any], HttpResponse]:
    """A success goes to the page of the row the service created (`url_name` takes its pk)."""
    return lambda posted, value: redirect(url_name, pk=value.pk)


def to(url_name: str) -> Callable[[Posted[Any], Any], HttpResponse]:
    """A success goes to `url_name`, which takes no arguments (an index page)."""
    return lambda posted, value: redirect(url_name)


@dataclass(frozen=True)
class FormPage:
    """The POSTs of one page.

    `render(request, [obj,] status, **bound)` renders the page again with the bound form under
    its context key; `load(**url_kwargs)` finds the row the URL names (raising `NotFound`), before
    the form is read; `done` is where a success goes unless a POST says otherwise.
    """

    render: Callable[..., HttpResponse]
    load: Callable[..., Any] | None = None
    done: Done | None = None

    def post(
        self,
        perm: str,
        form_class: type[F],
        key: str,
        success: Any,
        *,
        done: Done | None = None,
        refresh: bool = False,
    ) -> Callable[[Callable[[Posted[F]], Any]], Callable[..., HttpResponse]]:
        """Make the decorated service call a POST view: it needs `perm`, parses `form_class`,
        runs the call and flashes `success` (a lazy string, or a function of the service's value);
        a refusal renders the page again with the form under `key` (after `refresh_from_db` of the
        row when `refresh`: the service may have changed it in memory before it refused)."""
        target = done if done is not None else self.done
        if target is None:
            raise ValueError(f"{form_class.__name__}: no page to go to after success")

        def decorator(call: Callable[[Posted[F]], Any]) -> Callable[..., HttpResponse]:
            @require_POST
            @permission_required(perm)
            @wraps(call)
            def view(request: HttpRequest, **url: Any) -> HttpResponse:
                obj = self.load(**url) if self.load is not None else None
                posted = Posted(request, form_class(request.POST), obj, url)
                outcome = run_service(request, posted.form, lambda: call(posted), success=success)
                if outcome.ok:
                    if isinstance(target, str):
                        return redirect(target, **url)
                    return target(posted, outcome.value)
                if refresh and obj is not None:
                    obj.refresh_from_db()
                row = (obj,) if self.load is not None else ()
                return self.render(request, *row, outcome.status, **{key: posted.form})

            return view

        return decorator
