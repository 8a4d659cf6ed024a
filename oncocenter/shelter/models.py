"""Family shelter: houses, rooms, stays and the waitlist.

Two stays of one room never share a night: the service checks it under a lock of the room row,
the database holds check constraints and a partial unique index (one open stay per room), and
on PostgreSQL an exclusion constraint on ``daterange(check_in, check_out)`` per room (created by
the former ``support`` app's migration 0002; it moved with the table when the app was split).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from oncocenter.core.models import TimeStampedModel
from oncocenter.pediatrics.labels import vocab_choices
from oncocenter.shelter import vocab


class ShelterHouse(TimeStampedModel):
    name = models.CharField(_("name"), max_length=120, unique=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ShelterRoom(TimeStampedModel):
    house = models.ForeignKey(ShelterHouse, on_delete=models.PROTECT, related_name="rooms")
    number = models.CharField(_("room"), max_length=20)
    capacity = models.PositiveSmallIntegerField(
        _("capacity"), help_text=_("Beds: the most people one family may bring.")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["house__name", "number"]
        constraints = [
            models.UniqueConstraint(fields=["house", "number"], name="room_number_unique"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="room_capacity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.house.name} {self.number}"


class StayStatus(models.TextChoices):
    ACTIVE = "active", _("Staying")
    CHECKED_OUT = "checked_out", _("Checked out")
    CANCELLED = "cancelled", _("Cancelled")


class ShelterStay(TimeStampedModel):
    """A family's stay in one room, nights [check_in, check_out); open-ended while staying."""

    room = models.ForeignKey(ShelterRoom, on_delete=models.PROTECT, related_name="stays")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="shelter_stays"
    )
    guests = models.PositiveSmallIntegerField(
        _("guests"), help_text=_("People staying (the child counts if the child sleeps there).")
    )
    room_capacity = models.PositiveSmallIntegerField(
        editable=False, help_text="Room capacity when checked in; lets the database check guests."
    )
    check_in = models.DateField(_("check-in"))
    check_out = models.DateField(
        _("check-out"), null=True, blank=True, help_text=_("Empty while the family is staying.")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=StayStatus.choices, default=StayStatus.ACTIVE
    )

    class Meta:
        ordering = ["-check_in", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(check_out__isnull=True) | Q(check_out__gt=F("check_in")),
                name="stay_check_out_after_check_in",
            ),
            models.CheckConstraint(
                condition=Q(guests__gte=1) & Q(guests__lte=F("room_capacity")),
                name="stay_guests_within_capacity",
            ),
            # At most one open-ended stay per room, on every database (PostgreSQL also
            # excludes overlapping date ranges, see migration 0002).
            models.UniqueConstraint(
                fields=["room"],
                condition=Q(check_out__isnull=True) & ~Q(status="cancelled"),
                name="stay_one_open_per_room",
            ),
        ]


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    HOUSED = "housed", _("Housed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ShelterWaitlistEntry(TimeStampedModel):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="shelter_waitlist"
    )
    requested_on = models.DateField(_("requested on"))
    distance_km = models.PositiveIntegerField(
        _("distance from home (km)"), help_text=_("Road distance from home to the hospital.")
    )
    financial_need = models.CharField(
        _("financial need"),
        max_length=12,
        choices=vocab_choices(vocab.shelter_ranking()["financial_need_levels"]),
    )
    treatment_intensity = models.CharField(
        _("treatment intensity"),
        max_length=20,
        choices=vocab_choices(vocab.shelter_ranking()["treatment_intensity_levels"]),
    )
    guests = models.PositiveSmallIntegerField(_("guests"), default=2)
    status = models.CharField(
        _("status"), max_length=12, choices=WaitlistStatus.choices, default="waiting"
    )
    stay = models.ForeignKey(
        ShelterStay, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        ordering = ["requested_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"], condition=Q(status="waiting"), name="waitlist_once_per_child"
            ),
            models.CheckConstraint(condition=Q(guests__gte=1), name="waitlist_guests_positive"),
        ]
