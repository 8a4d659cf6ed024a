"""Questions the scheduler asks of higher apps (see `oncocenter.core.events.Hook`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from oncocenter.core.events import Hook

# patient -> True / False when an app knows whether the patient is treated under sedation or
# anesthesia (the `anesthesia` flag of the linac-schedule format: first slot of the day), None
# when it has no opinion. The pediatric profile answers it.
SEDATION_REQUIRED: Hook[Callable[[Any], bool | None]] = Hook("scheduling.sedation_required")
