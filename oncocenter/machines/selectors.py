"""Reads of the machines area: a machine by code, the list, recent and coming downtime."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from oncocenter.core.errors import NotFound
from oncocenter.machines.models import Machine, MachineDowntime


def machine_list() -> QuerySet[Machine]:
    """Every machine with its techniques, by code."""
    return Machine.objects.prefetch_related("techniques").order_by("code")


def machine_get(*, code: str) -> Machine:
    machine = Machine.objects.prefetch_related("techniques").filter(code=code).first()
    if machine is None:
        raise NotFound(_("No machine with code %(code)s.") % {"code": code})
    return machine


def machine_downtimes(*, machine: Machine, days_back: int = 7) -> QuerySet[MachineDowntime]:
    """QA windows and outages of the machine that ended at most `days_back` days ago, or later."""
    since = timezone.now() - dt.timedelta(days=days_back)
    return (
        MachineDowntime.objects.filter(machine=machine, end__gte=since)
        .select_related("reported_by", "confirmed_by")
        .order_by("start")
    )
