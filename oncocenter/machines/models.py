"""Treatment machines (LINACs, HDR afterloader), what each can deliver, and when each is down.

Below radiotherapy and scheduling in the dependency order: a plan, a delivery and a booking all
name a machine, and the scheduler treats its QA windows and outages as fixed intervals.
The tables kept their constraint names from the scheduling app they came from (migration
`machines.0001`), so the database schema is the same before and after the move.
"""

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

    Both are fixed intervals for the scheduler (DESIGN.md, habit 8). QA windows are planned by
    `machines.services.qa_window_plan`; an outage reported after sessions were booked is recorded
    by `machines.services.outage_record` from the scheduling area's outage workflow, which then
    rebooks the sessions it hits (`rebook_summary`, `confirmed_by`).
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
