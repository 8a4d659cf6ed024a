"""Domain events and hooks: how a lower app lets a higher one react, without importing it.

The dependency order between apps (ARCHITECTURE.md, enforced by import-linter) only lets an app
import the apps below it. When something that happens low down must change something higher up
(a clinic appointment completed -> the follow-up item it fulfils is done), the lower app declares
an *event* in its own `events.py` and publishes it; the higher app subscribes from its
`AppConfig.ready()`. When a lower app needs an answer only a higher app knows (the scheduler asks
which patients need anesthesia; the pediatric profile knows), the lower app declares a *hook* and
the higher app registers a provider.

Both are synchronous and run inside the publisher's transaction on purpose: the reaction is part
of the same clinical fact, so it is saved together with it or not at all. A subscriber that
raises a `DomainError` rolls the whole write back and the user sees its message.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

E = TypeVar("E", bound="Event")
T = TypeVar("T")


@dataclass(frozen=True)
class Event:
    """Base of every domain event. Subclasses are frozen dataclasses named in the past tense."""

    # A stable name for logs and documentation, e.g. "clinics.appointment_completed".
    name: ClassVar[str] = ""


_subscribers: dict[type[Event], list[Callable[[Any], None]]] = defaultdict(list)


def subscribe(event_type: type[E], handler: Callable[[E], None]) -> None:
    """Call `handler(event)` whenever an event of `event_type` is published (idempotent)."""
    handlers = _subscribers[event_type]
    if handler not in handlers:
        handlers.append(handler)


def publish(event: Event) -> None:
    """Run every subscriber of the event's type, in subscription order, in this transaction."""
    for handler in list(_subscribers.get(type(event), ())):
        handler(event)


def subscribers(event_type: type[Event]) -> list[Callable[[Any], None]]:
    """The handlers registered for an event type (for tests and the architecture document)."""
    return list(_subscribers.get(event_type, ()))


class Hook(Generic[T]):
    """A question a lower app asks and higher apps answer: `providers()` lists the answers.

    Declared once, at module level, by the app that asks:
        ANESTHESIA_REQUIRED: Hook[Callable[[Collection[int]], set[int]]] = Hook("...")
    and filled by the app that knows, from its `ready()`: `ANESTHESIA_REQUIRED.register(fn)`.
    With no provider installed the asking app falls back to its own default.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._providers: list[T] = []

    def register(self, provider: T) -> None:
        if provider not in self._providers:
            self._providers.append(provider)

    def providers(self) -> list[T]:
        return list(self._providers)

    def __repr__(self) -> str:
        return f"Hook({self.name!r}, {len(self._providers)} provider(s))"


@dataclass(frozen=True)
class HomePanelsShown(Event):
    """The home page is about to show these panels (key, context) to the signed-in user.

    The audit app subscribes and records which patients the panels list (issue 17: every page or
    list that shows patient data is audited), so a panel needs no audit call of its own."""

    name: ClassVar[str] = "core.home_panels_shown"
    panels: tuple[tuple[str, dict[str, Any]], ...]
