"""Treatment machines (LINACs, HDR afterloader) and what each can deliver."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from oncocenter.core.models import TimeStampedModel


class Technique(models.TextChoices):
    """Delivery techniques; the codes are those of the scheduler's file format (linac-schedule/1)."""

    CRT3D = "3D", _("3D-CRT")
    IMRT = "IMRT", _("IMRT")
    VMAT = "VMAT", _("VMAT")
    SBRT = "SBRT", _("SBRT")
    SRS = "SRS", _("SRS")
    ELECTRON = "ELECTRON", _("Electrons")
    HDR = "HDR", _("HDR brachytherapy")


class MachineKind(models.TextChoices):
    LINAC = "linac", _("Linear accelerator")
    AFTERLOADER = "afterloader", _("HDR afterloader")


class Machine(TimeStampedModel):
    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        help_text=_("Short id used in schedules, e.g. LINAC-1."),
    )
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=20, choices=MachineKind.choices)
    model = models.CharField(
        _("model"), max_length=80, blank=True, help_text=_("Vendor model, e.g. TrueBeam.")
    )
    room = models.CharField(_("room"), max_length=40, blank=True)
    opens_at = models.TimeField(
        _("opens at"), help_text=_("Start of treatment hours (center time).")
    )
    closes_at = models.TimeField(
        _("closes at"), help_text=_("End of treatment hours (center time).")
    )
    in_service = models.BooleanField(
        _("in service"),
        default=True,
        help_text=_("Off: the machine cannot be booked or record deliveries."),
    )
    commissioned_on = models.DateField(_("commissioned on"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="machine_hours_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def technique_codes(self) -> list[str]:
        return sorted(t.technique for t in self.techniques.all())

    def can_deliver(self, technique: str) -> bool:
        return any(t.technique == technique for t in self.techniques.all())


class MachineTechnique(models.Model):
    machine = models.ForeignKey(Machine, on_delete=models.CASCADE, related_name="techniques")
    technique = models.CharField(max_length=10, choices=Technique.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["machine", "technique"], name="machine_technique_once"),
            models.CheckConstraint(
                condition=Q(technique__in=Technique.values), name="machine_technique_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.machine_id}:{self.technique}"


# --- downtime: planned QA windows and unplanned outages --------------------------------------------


class DowntimeKind(models.TextChoices):
    QA = "qa", _("Planned QA / maintenance")
    OUTAGE = "outage", _("Unplanned outage")


class MachineDowntime(TimeStampedModel):
    """A time when a machine cannot treat: a planned QA window or an unplanned breakdown.

    Both are fixed intervals for the scheduler (DESIGN.md, habit 8); an outage reported after
    sessions were booked triggers their rebooking (`services.outage_report`).
    """

    machine = models.ForeignKey(Machine, on_delete=models.PROTECT, related_name="downtimes")
    kind = models.CharField(_("kind"), max_length=10, choices=DowntimeKind.choices)
    start = models.DateTimeField(_("start"), help_text=_("First minute the machine is down."))
    end = models.DateTimeField(_("end"), help_text=_("The machine can treat again from this time."))
    reason = models.CharField(
        _("reason"), max_length=300, help_text=_("e.g. monthly QA, MLC fault, magnetron failure.")
    )
    reported_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("reported by")
    )
    confirmed_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changes confirmed by"),
        help_text=_("Scheduler who reviewed the automatic rebooking of an outage."),
    )
    confirmed_at = models.DateTimeField(_("changes confirmed at"), null=True, blank=True)
    rebook_summary = models.JSONField(
        _("rebooking summary"),
        default=dict,
        blank=True,
        help_text=_("Counts and unresolved sessions of the automatic rebooking."),
    )

    class Meta:
        ordering = ["-start"]
        indexes = [models.Index(fields=["machine", "start"], name="sched_downtime_machine_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="sched_downtime_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=DowntimeKind.values), name="sched_downtime_kind"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="sched_downtime_reason_given"),
            models.CheckConstraint(
                condition=Q(confirmed_at__isnull=True) | Q(confirmed_by__isnull=False),
                name="sched_downtime_confirm_has_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.machine_id} {self.get_kind_display()} {self.start:%Y-%m-%d %H:%M}"


# --- bookings: one row per fraction (treatment session) ---------------------------------------------


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    MOVED = "moved", _("Moved (replaced by a new booking)")
    CANCELLED = "cancelled", _("Cancelled")


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
        ]

    def __str__(self) -> str:
        return f"{self.machine_id} {self.start:%Y-%m-%d %H:%M} fraction {self.fraction_id}"

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)
