"""Questions the labs app asks higher apps.

``TREATMENT_DAYS``: the dated treatment days to draw on a patient's trend charts (systemic
therapy answers with its released and given days). Each provider is called once per chart page
with the patient and the period, and returns ``(date, label)`` pairs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from oncocenter.core.events import Hook

TreatmentDays = Callable[[Any, dt.date, dt.date], list[tuple[dt.date, str]]]

TREATMENT_DAYS: Hook[TreatmentDays] = Hook("labs.treatment_days")
