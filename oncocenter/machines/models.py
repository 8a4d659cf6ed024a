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


# --- beam matching: machines a plan may move between without re-planning (issue 15) ----------------


class BeamMatchGroup(TimeStampedModel):
    """Machines a physicist has shown to be dosimetrically matched (same beam data).

    A plan approved for one member may be booked and delivered on any other active member; any
    other machine needs a plan transfer. Signed and dated, with the evidence of the matching.
    Retired rather than deleted, so what was matched when stays readable.
    """

    name = models.CharField(_("name"), max_length=80, unique=True)
    evidence = models.TextField(
        _("matching evidence"),
        help_text=_("e.g. PDD/profiles within 1%, output factors, MLC transmission measured on."),
    )
    matched_on = models.DateField(_("matched on"), help_text=_("Date of the matching measurement."))
    signed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("signed by")
    )
    signed_at = models.DateTimeField(_("signed at"))
    active = models.BooleanField(_("active"), default=True)
    retired_reason = models.CharField(_("retired because"), max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(evidence=""), name="machine_match_has_evidence"),
            models.CheckConstraint(
                condition=Q(active=True) | ~Q(retired_reason=""),
                name="machine_match_retired_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class BeamMatchMember(models.Model):
    group = models.ForeignKey(BeamMatchGroup, on_delete=models.CASCADE, related_name="members")
    machine = models.ForeignKey(Machine, on_delete=models.PROTECT, related_name="match_members")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "machine"], name="machine_match_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.group_id}:{self.machine_id}"


# --- machine QA (TG-142 style, after QATrack+) (issue 15) -----------------------------------------


class QAFrequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    MONTHLY = "monthly", _("Monthly")
    ANNUAL = "annual", _("Annual")


class QAResultStatus(models.TextChoices):
    PASS = "pass", _("Within tolerance")
    TOLERANCE = "tolerance", _("Outside tolerance (within action level)")
    ACTION = "action", _("Outside action level (failed)")


class QATest(TimeStampedModel):
    """One test of a machine's QA program: what is measured, how often, and its limits.

    Limits are absolute deviations from `nominal` in the test's unit (TG-142: e.g. output
    constancy 3 %, laser 1.5 mm). A boolean test (door interlock works) has nominal 1, tolerance 0,
    action 0: anything but 1 fails.
    """

    machine = models.ForeignKey(Machine, on_delete=models.PROTECT, related_name="qa_tests")
    code = models.CharField(_("code"), max_length=40, help_text=_("e.g. output-6x"))
    name = models.CharField(_("test"), max_length=120)
    frequency = models.CharField(_("frequency"), max_length=10, choices=QAFrequency.choices)
    unit = models.CharField(_("unit"), max_length=12, blank=True, help_text=_("%, mm, 1 = works"))
    nominal = models.DecimalField(_("nominal value"), max_digits=9, decimal_places=3)
    tolerance = models.DecimalField(
        _("tolerance"), max_digits=9, decimal_places=3, help_text=_("Allowed deviation.")
    )
    action = models.DecimalField(
        _("action level"),
        max_digits=9,
        decimal_places=3,
        help_text=_("Beyond this deviation the test fails; a daily failure holds the machine."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["machine", "frequency", "code"]
        constraints = [
            models.UniqueConstraint(fields=["machine", "code"], name="machine_qa_test_once"),
            models.CheckConstraint(
                condition=Q(frequency__in=QAFrequency.values), name="machine_qa_test_frequency"
            ),
            models.CheckConstraint(
                condition=Q(tolerance__gte=0, action__gte=F("tolerance")),
                name="machine_qa_test_levels_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.machine_id} {self.code}"


class QAResult(models.Model):
    """A measured value of a QA test. Append-only (never edited; a re-measurement is a new row)."""

    test = models.ForeignKey(QATest, on_delete=models.PROTECT, related_name="results")
    machine = models.ForeignKey(Machine, on_delete=models.PROTECT, related_name="qa_results")
    value = models.DecimalField(_("value"), max_digits=9, decimal_places=3)
    status = models.CharField(_("status"), max_length=10, choices=QAResultStatus.choices)
    performed_at = models.DateTimeField(_("performed at"))
    performed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("performed by")
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    comment = models.CharField(_("comment"), max_length=300, blank=True)

    class Meta:
        ordering = ["-performed_at"]
        indexes = [models.Index(fields=["machine", "performed_at"], name="machine_qa_result_at")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=QAResultStatus.values), name="machine_qa_result_status"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.test_id} {self.value} ({self.status})"


class QAHold(models.Model):
    """A machine may not treat (nor take bookings for today) until a physicist releases it."""

    machine = models.ForeignKey(Machine, on_delete=models.PROTECT, related_name="qa_holds")
    started_at = models.DateTimeField(_("held since"))
    reason = models.CharField(_("reason"), max_length=300)
    result = models.ForeignKey(
        QAResult, on_delete=models.PROTECT, null=True, blank=True, related_name="holds"
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("released by"),
    )
    release_reason = models.CharField(_("release reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            # One open hold per machine: a second failure adds nothing to release.
            models.UniqueConstraint(
                fields=["machine"],
                condition=Q(released_at__isnull=True),
                name="machine_qa_one_open_hold",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="machine_qa_hold_reason"),
            models.CheckConstraint(
                condition=Q(released_at__isnull=True)
                | (Q(released_by__isnull=False) & ~Q(release_reason="")),
                name="machine_qa_release_documented",
            ),
        ]

    def __str__(self) -> str:
        return f"QA hold {self.machine_id} {self.started_at:%Y-%m-%d %H:%M}"
