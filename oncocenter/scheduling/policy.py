"""Center scheduling policy as data: session lengths, urgency tiers, horizons (no Django).

These are the *example* figures of DOMAIN.md ("LINAC scheduling"); a center changes them here.
"""

from __future__ import annotations

#: Standard session minutes by technique; the first fraction adds FIRST_EXTRA_MIN (imaging).
SESSION_MIN = {
    "3D": 12,
    "ELECTRON": 12,
    "IMRT": 15,
    "VMAT": 15,
    "SBRT": 40,
    "SRS": 45,
    "HDR": 60,
}
FIRST_EXTRA_MIN = 10
#: Extra minutes for a child under sedation (induction and recovery happen outside the room, but
#: positioning takes longer).
ANESTHESIA_EXTRA_MIN = 5

#: Default urgency from the prescription's intent; the scheduler can raise it when booking.
URGENCY_FROM_INTENT = {"curative": "radical", "prophylactic": "radical", "palliative": "palliative"}
URGENCIES = ("emergency", "urgent", "palliative", "radical")

#: Days the engine may look ahead beyond the course's own length when booking.
HORIZON_MARGIN_DAYS = 42


def session_minutes(technique: str, *, first: bool, anesthesia: bool = False) -> int:
    base = SESSION_MIN.get(technique, 15)
    return base + (FIRST_EXTRA_MIN if first else 0) + (ANESTHESIA_EXTRA_MIN if anesthesia else 0)


def course_calendar_days(fractions: int, pattern: str) -> int:
    """Calendar days a course of `fractions` needs, with weekends (5 open days in 7)."""
    open_days = fractions * 2 if pattern == "alternate" else fractions
    if pattern == "bid":
        open_days = (fractions + 1) // 2
    return (open_days * 7) // 5 + 7
