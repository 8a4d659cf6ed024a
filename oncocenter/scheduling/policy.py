"""Center scheduling policy as data: session lengths, urgency tiers, horizons (no Django).

These are the *example* figures of DOMAIN.md ("LINAC scheduling"); a center changes them here.
"""

from __future__ import annotations

#: Standard session minutes by technique, image guidance included; the first fraction adds
#: FIRST_EXTRA_MIN (imaging and checks). DOMAIN.md's typical slots are 10-12 min 3D/electrons,
#: 12-15 min IMRT/VMAT and 20-40 min SBRT/SRS; the figures below are those of the calibrated
#: benchmark `rt6c` (linac_optimizer/scenario.py: 3D/electrons 10-12, mean 11; VMAT 10-13,
#: arc delivery being shorter than step-and-shoot IMRT; SBRT 20-40, mean 30), with IMRT and
#: SRS at the top of DOMAIN.md's ranges. They give a 12-13 min mean session with the first
#: fractions, which is what lets six LINACs hold 300+ sessions in 12 hours (docs/scheduler.md,
#: "The demo's day"); the issue-5 figures (12/15/15/40/45) topped out at ~298 (issue 16).
SESSION_MIN = {
    "3D": 11,
    "ELECTRON": 11,
    "IMRT": 15,
    "VMAT": 12,
    "SBRT": 30,
    "SRS": 40,
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


#: Capacity held as real slots (issue 16): open days ahead for which acute slots (emergency and
#: urgent patients) are held, their quantile of the daily arrivals, the quantile of the
#: children's morning block, how many open days ahead the block is materialised, and how many
#: days of booking history size them (Legrain et al.; Vieira et al.: reserve from the arrival
#: rate's quantile, released when unused).
ACUTE_DAYS = 2
ACUTE_SLOTS_QUANTILE = 0.9
ANESTHESIA_BLOCK_QUANTILE = 0.75
ANESTHESIA_BLOCK_DAYS = 20
ARRIVAL_HISTORY_DAYS = 84
#: The acute slots give way to a queue (issue 16): once the palliative and radical courses
#: booked over the last QUEUE_WINDOW_DAYS open days wait QUEUE_LIMIT_DAYS open days or more on
#: average from their ready date, the quantile held falls to ACUTE_SLOTS_QUANTILE_QUEUED (None:
#: no acute slots): held minutes no acute patient takes lengthen the queue. Measured in
#: benchmarks/README.md section 7h; the same values as `linac_optimizer.simulate`.
QUEUE_WINDOW_DAYS = 5
QUEUE_LIMIT_DAYS = 1.0
ACUTE_SLOTS_QUANTILE_QUEUED: float | None = 0.5
#: Techniques a child under anesthesia is treated with: the morning block goes on the machines
#: that do all of them and are not needed for SBRT/SRS (named in `anesthesia_machines`).
PEDIATRIC_TECHNIQUES = frozenset({"3D", "IMRT", "VMAT"})


def anesthesia_machines(machines: dict[str, set[str]]) -> list[str]:
    """Codes of the machines that hold the children's morning block (machine code -> its
    techniques): those that do every pediatric technique and no SBRT/SRS, else any that does a
    pediatric technique."""
    named = [
        code
        for code, techs in sorted(machines.items())
        if techs >= PEDIATRIC_TECHNIQUES and not techs & {"SBRT", "SRS"}
    ]
    return named or [c for c, t in sorted(machines.items()) if t & PEDIATRIC_TECHNIQUES]
