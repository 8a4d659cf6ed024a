"""Questions the machines area asks of higher apps (see `oncocenter.core.events.Hook`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from oncocenter.core.events import Hook

if TYPE_CHECKING:
    from oncocenter.machines.models import Machine

# (machine, start, end) -> how many treatment sessions are booked on the machine overlapping
# [start, end); `end` None means "from `start` on". A machine is not taken out of service, and a
# QA window is not planned, over booked sessions. The scheduling area answers (its bookings);
# with no provider installed nothing is booked anywhere.
BOOKED_SESSIONS: Hook[Callable[[Machine, dt.datetime, dt.datetime | None], int]] = Hook(
    "machines.booked_sessions"
)
