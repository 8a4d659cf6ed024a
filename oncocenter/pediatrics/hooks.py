"""What the pediatric record asks of the support services built on it (see core.events.Hook).

The hospital school, aid, shelter, palliative-care and social-work apps sit above ``pediatrics``
in the dependency order, so this app never imports them. The pediatric reports and the "support
services" block of the patient page ask them instead, through these hooks, which each service
fills from its ``AppConfig.ready()``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from oncocenter.core.events import Hook


@dataclass(frozen=True)
class Chart:
    """A bar chart of one measure on the report page (labels lazily translated)."""

    title: Any
    series: Any
    unit: Any


@dataclass(frozen=True)
class ServiceUseMeasure:
    """One column of the yearly service-use report, counted by the service that owns the data.

    ``values(years, until)`` gives one number per calendar year in ``years`` (``until`` is the
    last day counted). ``key`` names the column in the CSV file and the API.
    """

    key: str
    label: Any
    values: Callable[[list[int], dt.date], list[Any]]
    order: int = 100
    money: bool = False  # amounts in won
    chart: Chart | None = None


@dataclass(frozen=True)
class ServiceLink:
    """A link on the patient page's "Support services" block, shown to holders of `permission`."""

    label: Any
    permission: str
    url: Callable[[Any], str]  # patient -> URL
    order: int = 100


SERVICE_USE: Hook[ServiceUseMeasure] = Hook("pediatrics.service_use")
SERVICE_LINKS: Hook[ServiceLink] = Hook("pediatrics.service_links")
