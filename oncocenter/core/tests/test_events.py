from dataclasses import dataclass

import pytest

from oncocenter.core import events


@dataclass(frozen=True)
class Happened(events.Event):
    name = "tests.happened"
    value: int


@dataclass(frozen=True)
class Other(events.Event):
    value: int


def test_publish_calls_the_subscribers_of_that_type_in_order(monkeypatch):
    monkeypatch.setattr(events, "_subscribers", type(events._subscribers)(list))
    seen: list[tuple[str, int]] = []

    def first(e: Happened) -> None:
        seen.append(("first", e.value))

    def second(e: Happened) -> None:
        seen.append(("second", e.value))

    events.subscribe(Happened, first)
    events.subscribe(Happened, second)
    events.subscribe(Happened, first)  # once only
    events.publish(Happened(3))
    events.publish(Other(4))
    assert seen == [("first", 3), ("second", 3)]
    assert events.subscribers(Happened) == [first, second]


def test_a_subscriber_error_reaches_the_publisher(monkeypatch):
    monkeypatch.setattr(events, "_subscribers", type(events._subscribers)(list))

    def refuse(e: Happened) -> None:
        raise ValueError("no")

    events.subscribe(Happened, refuse)
    with pytest.raises(ValueError):
        events.publish(Happened(1))


def test_hook_providers_are_registered_once():
    hook: events.Hook[object] = events.Hook("tests.question")
    assert hook.providers() == []
    hook.register(len)
    hook.register(len)
    assert hook.providers() == [len]
    assert "tests.question" in repr(hook)
