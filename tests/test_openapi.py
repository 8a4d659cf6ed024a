"""The OpenAPI document names each schema once: two schemas with one name would make /api/docs
show one body for both (it once showed the follow-up plan body for creating an RT plan)."""

from __future__ import annotations

from collections import defaultdict

import pydantic

from config.api import api


def _models(model: object, seen: set[object]) -> None:
    if model in seen:
        return
    seen.add(model)
    if isinstance(model, type) and issubclass(model, pydantic.BaseModel):
        for field in model.model_fields.values():
            for arg in (*getattr(field.annotation, "__args__", ()), field.annotation):
                _models(arg, seen)
    for arg in getattr(model, "__args__", ()):
        _models(arg, seen)


def schema_classes() -> dict[str, set[str]]:
    seen: set[object] = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:
                    _models(model, seen)
                for model in (operation.response_models or {}).values():
                    _models(model, seen)
    names: dict[str, set[str]] = defaultdict(set)
    for model in seen:
        if isinstance(model, type) and issubclass(model, pydantic.BaseModel):
            names[model.__name__].add(f"{model.__module__}.{model.__qualname__}")
    return names


def test_schema_component_names_are_unique():
    names = schema_classes()
    assert len(names) > 50  # the walk reaches the API's schemas
    collisions = {name: sorted(where) for name, where in names.items() if len(where) > 1}
    assert not collisions, f"schema names used by more than one class: {collisions}"


def test_openapi_components_match_the_schema_classes(client):
    spec = client.get("/api/openapi.json").json()
    components = set(spec["components"]["schemas"])
    assert {"RtPlanIn", "FollowUpPlanIn"} <= components
