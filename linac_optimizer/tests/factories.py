"""Small instance builders for tests."""

import os

import pytest


def tiny(machines=None, patients=None, start="2027-03-08", days=7, **kw):
    """A small instance dict (2027-03-08 is a Monday); machines open 08:00-10:00 by default."""
    d = {
        "format": "linac-schedule/1",
        "start_date": start,
        "horizon_days": days,
        "timezone": "Asia/Seoul",
        "holiday_calendar": "KR",
        "closed_dates": [],
        "machines": machines
        if machines is not None
        else [{"id": "M1", "techniques": ["3D", "IMRT"], "open": "08:00", "close": "10:00"}],
        "patients": patients or [],
    }
    d.update(kw)
    return d


def pat(pid="P1", **kw):
    p = {
        "id": pid,
        "ready_date": "2027-03-08",
        "due_date": "2027-03-12",
        "urgency": "radical",
        "fractions": 3,
        "pattern": "daily",
        "technique": "3D",
        "duration_min": 10,
        "first_duration_min": 20,
    }
    p.update(kw)
    return p


slow = pytest.mark.skipif(os.environ.get("LINAC_SLOW") != "1", reason="set LINAC_SLOW=1")
