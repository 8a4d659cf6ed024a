import copy

import pytest

from linac_optimizer.model import Instance

SAMPLE = {
    "format": "linac-schedule/1",
    "start_date": "2027-03-02",
    "horizon_days": 84,
    "timezone": "Asia/Seoul",
    "holiday_calendar": "KR",
    "closed_dates": ["2027-03-03"],
    "machines": [
        {
            "id": "LINAC-1",
            "techniques": ["3D", "IMRT", "VMAT", "SBRT"],
            "open": "08:00",
            "close": "20:00",
            "downtime": [{"start": "2027-03-04T08:00", "end": "2027-03-04T13:00"}],
        },
        {"id": "LINAC-2", "techniques": ["3D", "IMRT"], "open": "08:00", "close": "20:00"},
    ],
    "patients": [
        {
            "id": "P0001",
            "ready_date": "2027-03-02",
            "due_date": "2027-03-30",
            "urgency": "radical",
            "fractions": 25,
            "pattern": "daily",
            "technique": "IMRT",
            "duration_min": 15,
            "first_duration_min": 25,
            "allowed_machines": ["LINAC-1", "LINAC-2"],
            "preferred_window": ["08:00", "12:00"],
            "anesthesia": False,
            "booked": [{"fraction": 1, "machine": "LINAC-1", "start": "2027-03-02T08:00"}],
        },
    ],
}


@pytest.fixture
def sample_json():
    return copy.deepcopy(SAMPLE)


@pytest.fixture
def sample(sample_json):
    return Instance.from_json(sample_json)
