"""Outpatient clinics (templates, sessions, slots, appointments, waitlist), the priority policy
for previously treated patients, and wards, beds, admissions and the re-admission waitlist."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from oncocenter.clinics import priority
from oncocenter.core.models import TimeStampedModel


class AppointmentType(models.TextChoices):
    NEW = "new", _("New patient")
    ON_TREATMENT = "on-treatment", _("On-treatment review")
    FOLLOW_UP = "follow-up", _("Follow-up")
    MDT = "multidisciplinary", _("Multidisciplinary")


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    SOON = "soon", _("Soon (within 2 weeks)")
    URGENT = "urgent", _("Urgent (within days)")


class PriorityPolicy(TimeStampedModel):
    """The administrator-editable weights of the priority rule (one row, id 1)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    prior_treatment_points = models.DecimalField(
        _("points for prior treatment here"),
        max_digits=6,
        decimal_places=2,
        default=50,
        help_text=_("Added when the patient was previously treated at this center."),
    )
    urgency_routine_points = models.DecimalField(
        _("points: routine"), max_digits=6, decimal_places=2, default=0
    )
    urgency_soon_points = models.DecimalField(
        _("points: soon"), max_digits=6, decimal_places=2, default=20
    )
    urgency_urgent_points = models.DecimalField(
        _("points: urgent"), max_digits=6, decimal_places=2, default=40
    )
    waiting_points_per_day = models.DecimalField(
        _("points per day waiting"),
        max_digits=6,
        decimal_places=2,
        default=0.5,
        help_text=_("Accrue from the request date."),
    )
    waiting_points_cap = models.DecimalField(
        _("cap on waiting points"), max_digits=6, decimal_places=2, default=30
    )
    reserved_share_percent = models.PositiveSmallIntegerField(
        _("reserved share (%)"),
        default=30,
        help_text=_("Share of each clinic session's slots held for previously treated patients."),
    )
    release_days_before = models.PositiveSmallIntegerField(
        _("release days before"),
        default=7,
        help_text=_("Held slots are released to every patient this many days before the session."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("priority policy")
        verbose_name_plural = _("priority policy")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="priority_policy_single_row"),
            models.CheckConstraint(
                condition=Q(reserved_share_percent__lte=100), name="priority_share_le_100"
            ),
            models.CheckConstraint(
                condition=Q(prior_treatment_points__gte=0)
                & Q(urgency_routine_points__gte=0)
                & Q(urgency_soon_points__gte=0)
                & Q(urgency_urgent_points__gte=0)
                & Q(waiting_points_per_day__gte=0)
                & Q(waiting_points_cap__gte=0),
                name="priority_points_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Priority policy"))

    def params(self) -> priority.PolicyParams:
        return priority.PolicyParams(
            prior_treatment_points=float(self.prior_treatment_points),
            urgency_points={
                "routine": float(self.urgency_routine_points),
                "soon": float(self.urgency_soon_points),
                "urgent": float(self.urgency_urgent_points),
            },
            waiting_points_per_day=float(self.waiting_points_per_day),
            waiting_points_cap=float(self.waiting_points_cap),
            reserved_share_percent=int(self.reserved_share_percent),
            release_days_before=int(self.release_days_before),
        )


class CalendarException(TimeStampedModel):
    """A date the center closes (beyond public holidays) or opens (despite a holiday)."""

    date = models.DateField(_("date"), unique=True)
    is_open = models.BooleanField(
        _("open"), default=False, help_text=_("Ticked: open despite a holiday.")
    )
    reason = models.CharField(_("reason"), max_length=120)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'open' if self.is_open else 'closed'}: {self.reason}"


class ClinicTemplate(TimeStampedModel):
    """A physician's weekly clinic: weekday, hours, slot length and the appointment types."""

    physician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="clinic_templates",
        help_text=_("The physician holding the clinic."),
    )
    center = models.ForeignKey("patients.Center", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(
        _("name"), max_length=120, help_text=_("e.g. Esophageal follow-up clinic")
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday"),
        choices=[
            (0, _("Monday")),
            (1, _("Tuesday")),
            (2, _("Wednesday")),
            (3, _("Thursday")),
            (4, _("Friday")),
            (5, _("Saturday")),
            (6, _("Sunday")),
        ],
    )
    start_time = models.TimeField(_("start"))
    end_time = models.TimeField(_("end"))
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (min)"), default=15)
    appointment_types = models.JSONField(
        _("appointment types"),
        default=list,
        help_text=_("Codes: new, on-treatment, follow-up, multidisciplinary."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["physician_id", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="clinic_template_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=5) & Q(slot_minutes__lte=240),
                name="clinic_template_slot_5_240",
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="clinic_template_weekday_0_6"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_weekday_display()} {self.start_time:%H:%M})"


class SessionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class ClinicSession(TimeStampedModel):
    """One dated occurrence of a template; closed on holidays (with the reason)."""

    template = models.ForeignKey(ClinicTemplate, on_delete=models.PROTECT, related_name="sessions")
    physician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="clinic_sessions"
    )
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start"))
    end_time = models.TimeField(_("end"))
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (min)"))
    status = models.CharField(
        _("status"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.OPEN
    )
    closed_reason = models.CharField(_("closed because"), max_length=120, blank=True)

    class Meta:
        ordering = ["date", "start_time"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "date"], name="clinic_session_once_per_date"
            ),
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="clinic_session_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(status="open") | ~Q(closed_reason=""),
                name="clinic_session_closed_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["physician", "date"], name="clinic_session_phys_date")]

    def __str__(self) -> str:
        return f"{self.template.name} {self.date}"


class Slot(models.Model):
    session = models.ForeignKey(ClinicSession, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["session", "starts_at"], name="slot_unique_start"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="slot_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} {self.starts_at:%H:%M}"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CHECKED_IN = "checked-in", _("Checked in")
    COMPLETED = "completed", _("Completed")
    NO_SHOW = "no-show", _("No-show")
    CANCELLED = "cancelled", _("Cancelled")
    RESCHEDULED = "rescheduled", _("Rescheduled")
    ENTERED_IN_ERROR = "entered-in-error", _("Entered in error")


# Statuses that hold the slot (and the patient's time).
HOLDING = ("booked", "checked-in", "completed", "no-show")


class Appointment(TimeStampedModel):
    """A patient in a slot. At most one holding appointment per slot and per patient per time."""

    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="appointments")
    session = models.ForeignKey(
        ClinicSession, on_delete=models.PROTECT, related_name="appointments"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="appointments"
    )
    starts_at = models.DateTimeField(
        _("starts at"), help_text=_("Copied from the slot for the per-patient rule.")
    )
    appointment_type = models.CharField(_("type"), max_length=20, choices=AppointmentType.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=AppointmentStatus.choices, default="booked"
    )
    previously_treated = models.BooleanField(
        _("previously treated here"),
        default=False,
        help_text=_("At booking time: the patient had finished a treatment at this center."),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    status_reason = models.CharField(_("cancellation/no-show note"), max_length=200, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_in_at = models.DateTimeField(null=True, blank=True)
    rescheduled_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot"], condition=Q(status__in=HOLDING), name="appointment_one_per_slot"
            ),
            models.UniqueConstraint(
                fields=["patient", "starts_at"],
                condition=Q(status__in=HOLDING),
                name="appointment_patient_once_per_time",
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "starts_at"], name="appointment_patient_time"),
            models.Index(fields=["session", "status"], name="appointment_session_status"),
        ]

    def __str__(self) -> str:
        return f"{self.patient.mrn} {self.starts_at:%Y-%m-%d %H:%M} {self.status}"


class WaitStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    OFFERED = "offered", _("Slot offered")
    BOOKED = "booked", _("Booked")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class WaitlistEntry(TimeStampedModel):
    """A patient waiting for a clinic appointment; freed slots are offered by priority score."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="clinic_waitlist"
    )
    physician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: any physician of the center."),
    )
    center = models.ForeignKey("patients.Center", on_delete=models.PROTECT, related_name="+")
    appointment_type = models.CharField(_("type"), max_length=20, choices=AppointmentType.choices)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default="routine"
    )
    requested_on = models.DateField(_("requested on"))
    wanted_by = models.DateField(_("wanted by"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=WaitStatus.choices, default="waiting"
    )
    offered_slot = models.ForeignKey(
        Slot, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    offered_at = models.DateTimeField(null=True, blank=True)
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["requested_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "center", "appointment_type"],
                condition=Q(status__in=["waiting", "offered"]),
                name="waitlist_one_open_entry",
            ),
            models.CheckConstraint(
                condition=~Q(status="offered") | Q(offered_slot__isnull=False),
                name="waitlist_offer_has_slot",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient.mrn} waiting {self.appointment_type}"


# --- admissions ----------------------------------------------------------------------------


class Ward(TimeStampedModel):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    center = models.ForeignKey(
        "patients.Center", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Bed(TimeStampedModel):
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="beds")
    code = models.CharField(_("code"), max_length=20)
    in_service = models.BooleanField(_("in service"), default=True)

    class Meta:
        ordering = ["ward_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["ward", "code"], name="bed_code_unique_in_ward")
        ]

    def __str__(self) -> str:
        return f"{self.ward.code}-{self.code}"


class AdmissionStatus(models.TextChoices):
    ADMITTED = "admitted", _("Admitted")
    DISCHARGED = "discharged", _("Discharged")
    ENTERED_IN_ERROR = "entered-in-error", _("Entered in error")


class Admission(TimeStampedModel):
    """A stay in a bed. One current admission per bed and per patient (database constraints)."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="admissions"
    )
    bed = models.ForeignKey(Bed, on_delete=models.PROTECT, related_name="admissions")
    status = models.CharField(
        _("status"), max_length=20, choices=AdmissionStatus.choices, default="admitted"
    )
    admitted_at = models.DateTimeField(_("admitted at"))
    discharged_at = models.DateTimeField(_("discharged at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    previously_treated = models.BooleanField(_("previously treated here"), default=False)
    readmission_request = models.ForeignKey(
        "ReadmissionRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-admitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["bed"], condition=Q(status="admitted"), name="admission_one_per_bed"
            ),
            models.UniqueConstraint(
                fields=["patient"], condition=Q(status="admitted"), name="admission_one_per_patient"
            ),
            models.CheckConstraint(
                condition=Q(discharged_at__isnull=True) | Q(discharged_at__gte=F("admitted_at")),
                name="admission_discharge_after_admit",
            ),
            models.CheckConstraint(
                condition=~Q(status="discharged") | Q(discharged_at__isnull=False),
                name="admission_discharged_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient.mrn} in {self.bed}"


class BedMove(models.Model):
    """Transfer log: the admission moved from one bed to another."""

    admission = models.ForeignKey(Admission, on_delete=models.CASCADE, related_name="moves")
    from_bed = models.ForeignKey(Bed, on_delete=models.PROTECT, related_name="+")
    to_bed = models.ForeignKey(Bed, on_delete=models.PROTECT, related_name="+")
    moved_at = models.DateTimeField(_("moved at"))
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["moved_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(from_bed=F("to_bed")), name="bed_move_changes_bed")
        ]

    def __str__(self) -> str:
        return f"{self.from_bed} -> {self.to_bed}"


class ReadmissionRequest(TimeStampedModel):
    """A request for a bed, ranked on the bed waitlist by the priority policy."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="readmission_requests"
    )
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="requests")
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default="routine"
    )
    requested_on = models.DateField(_("requested on"))
    reason = models.CharField(_("reason"), max_length=200)
    status = models.CharField(
        _("status"),
        max_length=10,
        default="waiting",
        choices=[
            ("waiting", _("Waiting")),
            ("admitted", _("Admitted")),
            ("withdrawn", _("Withdrawn")),
        ],
    )

    class Meta:
        ordering = ["requested_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"], condition=Q(status="waiting"), name="readmission_one_waiting"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient.mrn} -> {self.ward.code}"
