"""Bookings: one row per fraction (treatment session) on a machine at a time.

The machines themselves, their techniques and their downtime live in `oncocenter.machines`.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from oncocenter.core.models import TimeStampedModel
from oncocenter.machines.models import Machine, MachineDowntime, Technique

# --- bookings: one row per fraction (treatment session) ---------------------------------------------


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    MOVED = "moved", _("Moved (replaced by a new booking)")
    CANCELLED = "cancelled", _("Cancelled")
    TREATED = "treated", _("Treated (consumed by the delivery record)")


#: How the engine moved a session after an outage (`linac_optimizer.online`'s change kinds, as
#: stored: cut to the column's 40 characters), in the user's language. An unknown kind is shown
#: as stored.
CHANGE_KIND_LABELS = {
    kind[:40]: label
    for kind, label in (
        ("moved same day", _("Moved the same day")),
        ("moved same day to make room", _("Moved the same day to make room")),
        ("moved to a free day of the course", _("Moved to a free day of the course")),
        ("first session moved to the next day", _("First session moved to the next day")),
        ("moved to the next open days", _("Moved to the next open days")),
        ("moved to the end of the course", _("Moved to the end of the course")),
        (
            "moved same day in place of a non-urgent session",
            _("Moved the same day in place of a non-urgent session"),
        ),
        (
            "moved same day in place of a course's first session",
            _("Moved the same day in place of a course's first session"),
        ),
        ("course restarted", _("Course restarted")),
        ("cancelled", _("Cancelled: to rebook by hand")),
    )
}


class Urgency(models.TextChoices):
    """Waiting-time tiers of the scheduler file format (linac-schedule/1)."""

    EMERGENCY = "emergency", _("Emergency (within 1 working day)")
    URGENT = "urgent", _("Urgent (within 3 working days)")
    PALLIATIVE = "palliative", _("Palliative (within 14 days)")
    RADICAL = "radical", _("Radical (within 28 days)")


class Booking(TimeStampedModel):
    """A treatment session of one fraction on one machine at one time.

    Rows are not edited in place when a session moves: the old row becomes `moved` and points to
    its replacement, so the day board can highlight changes and the history stays readable. The
    database refuses two active bookings for one fraction and, on PostgreSQL, two overlapping
    active bookings on one machine (an exclusion constraint added by migration 0003).
    """

    fraction = models.ForeignKey(
        "radiotherapy.Fraction", on_delete=models.PROTECT, related_name="bookings"
    )
    prescription = models.ForeignKey(
        "radiotherapy.Prescription",
        on_delete=models.PROTECT,
        related_name="bookings",
        help_text=_("Copied from the fraction so a day's board is one query."),
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="rt_bookings"
    )
    machine = models.ForeignKey(Machine, on_delete=models.PROTECT, related_name="bookings")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    technique = models.CharField(_("technique"), max_length=10, choices=Technique.choices)
    is_first = models.BooleanField(
        _("first fraction"), default=False, help_text=_("Longer session with imaging.")
    )
    anesthesia = models.BooleanField(
        _("under anesthesia"), default=False, help_text=_("Child under sedation: first slot.")
    )
    urgency = models.CharField(
        _("urgency"), max_length=12, choices=Urgency.choices, default=Urgency.RADICAL
    )
    status = models.CharField(
        _("status"), max_length=10, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        help_text=_("The booking this one replaced (a moved session)."),
    )
    moved_by_downtime = models.ForeignKey(
        MachineDowntime,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rebooked",
        help_text=_("The outage that forced this new time."),
    )
    change_kind = models.CharField(
        _("change"),
        max_length=40,
        blank=True,
        help_text=_("How the engine moved it: same day, end of course, restarted."),
    )
    penalties = models.JSONField(
        _("penalties"),
        default=dict,
        blank=True,
        help_text=_("Named scheduler penalties that explain this slot."),
    )
    booked_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    cancel_reason = models.CharField(_("cancel reason"), max_length=300, blank=True)
    treated_at = models.DateTimeField(
        _("treated at"),
        null=True,
        blank=True,
        help_text=_("The delivery's console time, when the treatment record consumed the booking."),
    )

    class Meta:
        ordering = ["start", "machine"]
        indexes = [
            models.Index(fields=["machine", "start"], name="sched_booking_machine_start"),
            models.Index(fields=["patient", "start"], name="sched_booking_patient_start"),
            models.Index(fields=["status", "start"], name="sched_booking_status_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="sched_booking_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(status__in=BookingStatus.values), name="sched_booking_status"
            ),
            models.CheckConstraint(
                condition=Q(urgency__in=Urgency.values), name="sched_booking_urgency"
            ),
            models.CheckConstraint(
                condition=Q(technique__in=Technique.values), name="sched_booking_technique"
            ),
            models.UniqueConstraint(
                fields=["fraction"],
                condition=Q(status="booked"),
                name="sched_booking_one_per_fraction",
            ),
            # Portable guard (SQLite too) against the most common double booking; overlaps in
            # general are refused under the machine row lock and, on PostgreSQL, by exclusion.
            models.UniqueConstraint(
                fields=["machine", "start"],
                condition=Q(status="booked"),
                name="sched_booking_machine_start_once",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                name="sched_booking_cancel_has_reason",
            ),
            # Consumed by a delivery exactly when it carries the treatment time (issue 15).
            models.CheckConstraint(
                condition=Q(status="treated", treated_at__isnull=False)
                | (~Q(status="treated") & Q(treated_at__isnull=True)),
                name="sched_booking_treated_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.machine_id} {self.start:%Y-%m-%d %H:%M} fraction {self.fraction_id}"

    @property
    def change_kind_label(self) -> str:
        """`change_kind` in the user's language (`CHANGE_KIND_LABELS`)."""
        return str(CHANGE_KIND_LABELS.get(self.change_kind, self.change_kind))

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)
