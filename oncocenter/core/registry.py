"""Extension points other apps fill from their AppConfig.ready(): navigation and home panels.

The foundation owns the shell; each clinical area adds its links and worklists here instead of
editing shared templates, so areas grow independently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class NavItem:
    key: str
    label: Any  # a lazy translated string
    url_name: str
    permission: str
    section: str = "main"  # main | radonc | esophageal | pediatric | admin
    order: int = 100


@dataclass(frozen=True)
class HomePanel:
    """A block on a role's home page; `context` returns the template context or None to hide."""

    key: str
    title: Any
    template: str
    roles: frozenset[str]
    context: Callable[[HttpRequest], dict[str, Any] | None]
    order: int = 100
    permission: str | None = None


@dataclass(frozen=True)
class PatientSection:
    """A block on the patient page; `context(request, patient)` returns context or None to hide."""

    key: str
    title: Any
    template: str
    permission: str
    context: Callable[[HttpRequest, Any], dict[str, Any] | None]
    order: int = 100


@dataclass
class _Registry:
    nav: list[NavItem] = field(default_factory=list)
    panels: list[HomePanel] = field(default_factory=list)
    patient_sections: list[PatientSection] = field(default_factory=list)

    def add_patient_section(self, section: PatientSection) -> None:
        if all(existing.key != section.key for existing in self.patient_sections):
            self.patient_sections.append(section)

    def add_nav(self, item: NavItem) -> None:
        if all(existing.key != item.key for existing in self.nav):
            self.nav.append(item)

    def add_panel(self, panel: HomePanel) -> None:
        if all(existing.key != panel.key for existing in self.panels):
            self.panels.append(panel)


registry = _Registry()
