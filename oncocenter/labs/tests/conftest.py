import datetime as dt

import pytest
from django.utils import timezone

from oncocenter.patients.tests.factories import PatientFactory


@pytest.fixture
def adult(db):
    return PatientFactory(birth_date=dt.date(1960, 5, 17), sex="male")


@pytest.fixture
def child(db):
    return PatientFactory(
        birth_date=timezone.localdate() - dt.timedelta(days=5 * 365 + 30), sex="female"
    )


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0) - dt.timedelta(hours=1)
