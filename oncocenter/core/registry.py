"""Extension points other apps fill from their AppConfig.ready(): navigation, home panels,
patient-page sections and chart-timeline sources.

The foundation owns the shell; each clinical area adds its links and worklists here instead of
editing shared templates, so areas grow independently.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
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


@dataclass(frozen=True)
class ChartEvent:
    """One dated entry of a patient's chart timeline. `status` is the code (as the API gives it),
    `status_label` its translated label for the page."""

    on: dt.date
    kind: str
    title: str
    detail: str = ""
    status: str = ""
    status_label: str = ""

    @property
    def kind_label(self) -> str:
        return str(registry.chart_kind_labels().get(self.kind, self.kind))


@dataclass(frozen=True)
class ChartSource:
    """Events an app adds to the chart timeline: `events(patient)` runs one query per table it
    reads, whatever the number of events, so the timeline's cost does not grow with them.
    `kinds` maps each `ChartEvent.kind` it emits to its translated label."""

    key: str
    kinds: dict[str, Any]
    events: Callable[[Any], Iterable[ChartEvent]]
    order: int = 100


@dataclass
class _Registry:
    nav: list[NavItem] = field(default_factory=list)
    panels: list[HomePanel] = field(default_factory=list)
    patient_sections: list[PatientSection] = field(default_factory=list)
    chart_sources: list[ChartSource] = field(default_factory=list)

    def add_chart_source(self, source: ChartSource) -> None:
        if all(existing.key != source.key for existing in self.chart_sources):
            self.chart_sources.append(source)

    def chart_kind_labels(self) -> dict[str, Any]:
        labels: dict[str, Any] = {}
        for source in sorted(self.chart_sources, key=lambda s: s.order):
            labels.update(source.kinds)
        return labels

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
