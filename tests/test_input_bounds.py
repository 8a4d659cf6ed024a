"""Every string a person or a client sends is bounded (issue 17): each API body's `str` fields
(through nested schemas, lists and dicts) and each form `CharField` have a maximum length, and a
longer value is refused with 422 naming the field. A new unbounded input fails here.

Path and query parameters are not walked: they travel in the request line, which the server
bounds (gunicorn's `limit_request_line`, 4,094 bytes). File uploads are bounded by
`FILE_UPLOAD_MAX_MEMORY_SIZE`/the importers' own limits, other bodies by
`DATA_UPLOAD_MAX_MEMORY_SIZE`.
"""

from __future__ import annotations

import enum
import importlib
import pkgutil
import types
import typing

import annotated_types
import pytest
from django import forms
from django.conf import settings
from pydantic import BaseModel
from pydantic.fields import FieldInfo

import oncocenter
from oncocenter.core.limits import TEXT_MAX

# Inputs allowed without a bound of their own, with the reason.
EXCEPTIONS = {
    # Reference data edited by administrators in the admin site: a JSON list of disciplines,
    # bounded by DATA_UPLOAD_MAX_MEMORY_SIZE.
    "oncocenter.mdt.admin.BoardTypeForm.required_disciplines",
}


def _bounded(meta: list, model: type[BaseModel]) -> bool:
    if model.model_config.get("str_max_length"):
        return True
    for m in meta:
        if isinstance(m, annotated_types.MaxLen):
            return True
        if isinstance(m, FieldInfo) and any(
            isinstance(x, annotated_types.MaxLen) for x in m.metadata
        ):
            return True
    return False


def _walk_type(tp, meta, model, name, seen, found):
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        base, *extra = typing.get_args(tp)
        return _walk_type(base, [*meta, *extra], model, name, seen, found)
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(tp):
            _walk_type(arg, meta, model, name, seen, found)
        return None
    if origin in (list, set, tuple, frozenset, dict):
        for arg in typing.get_args(tp):
            _walk_type(arg, [], model, name, seen, found)
        return None
    if origin is typing.Literal or (isinstance(tp, type) and issubclass(tp, enum.Enum)):
        return None
    if tp is str and not _bounded(meta, model):
        found.append(f"{model.__module__}.{model.__qualname__}.{name}")
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        _walk_model(tp, seen, found)
    return None


def _walk_model(model, seen, found):
    if model in seen:
        return
    seen.add(model)
    for name, field in model.model_fields.items():
        _walk_type(field.annotation, field.metadata, model, name, seen, found)


def test_every_api_body_string_is_bounded():
    from ninja.params.models import BodyModel, FormModel

    from config.api import operations

    seen: set = set()
    found: list[str] = []
    bodies = 0
    for _method, _path, operation in operations():
        for model in operation.models:
            if issubclass(model, (BodyModel, FormModel)):
                bodies += 1
                _walk_model(model, seen, found)
    assert bodies > 100
    unbounded = sorted(set(found) - EXCEPTIONS)
    assert not unbounded, f"unbounded string inputs (derive from InputSchema): {unbounded}"


def _all_forms() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(oncocenter.__path__, "oncocenter."):
        if (
            ".tests" in module.name
            or ".migrations" in module.name
            or module.name.endswith("__main__")
        ):
            continue
        importlib.import_module(module.name)

    def below(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from below(sub)

    # Forms defined inside test modules (imported when the whole suite runs) are not product.
    return [
        c
        for c in set(below(forms.BaseForm))
        if c.__module__.startswith("oncocenter.") and ".tests" not in c.__module__
    ]


def test_every_form_text_field_is_bounded():
    found = []
    all_forms = _all_forms()
    for cls in all_forms:
        for name, field in cls.base_fields.items():
            if isinstance(field, forms.CharField) and field.max_length is None:
                found.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert len(all_forms) > 50
    unbounded = sorted(set(found) - EXCEPTIONS)
    assert not unbounded, f"form text fields without max_length: {unbounded}"


def test_request_bodies_are_capped():
    assert 0 < settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 10 * 1024 * 1024
    assert 0 < settings.DATA_UPLOAD_MAX_NUMBER_FIELDS <= 10_000


@pytest.mark.django_db
def test_an_overlong_value_is_refused_with_422_naming_the_field():
    from django.test import Client

    from oncocenter.accounts.services import token_issue
    from oncocenter.accounts.tests.factories import UserFactory

    user = UserFactory(roles=["nurse"])
    _t, raw = token_issue(user=user, name="bounds", scopes=["read", "write"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = client.post(
        "/api/patients/",
        {
            "family_name_en": "Kim",
            "birth_date": "2010-01-01",
            "sex": "male",
            "address": "x" * (TEXT_MAX + 1),
            "centers": ["radonc"],
        },
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == ["address"], errors
    assert str(TEXT_MAX) in errors[0]["message"].replace(",", "")
