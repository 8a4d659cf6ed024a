"""Questions the oncology pages ask the apps above it (see `oncocenter.core.events.Hook`).

`RECORD_SECTIONS`: blocks an app adds to a patient's cancer record page (referrals adds the
patient's consults). Each provider is a `PatientSection`: shown when the user holds its
permission and its `context(request, patient)` returns a dict.
"""

from __future__ import annotations

from oncocenter.core.events import Hook
from oncocenter.core.registry import PatientSection

RECORD_SECTIONS: Hook[PatientSection] = Hook("oncology.record_sections")
