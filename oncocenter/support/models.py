"""Pediatric profile, HSCT, hospital school, aid, family shelter, palliative care, social work.

Invariants that the database can hold are declared here as constraints (the services check the
same rules first, to give a message that names the field). On PostgreSQL, a migration adds an
exclusion constraint so that two stays in the same room never share a night.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from oncocenter.core.models import TimeStampedModel
from oncocenter.support import vocab


def _choices(items: list[dict]) -> list[tuple[str, str]]:
    return [(i["code"], i["en"]) for i in items]


# ============================================================================ pediatric profile
class PediatricProfile(TimeStampedModel):
    """Pediatric-only facts about a child that other areas read (e.g. RT booking)."""

    patient = models.OneToOneField(
        "patients.Patient", on_delete=models.CASCADE, related_name="pediatric_profile"
    )
    sedation_required = models.BooleanField(
        _("sedation required"),
        default=False,
        help_text=_(
            "The child needs sedation or anesthesia for procedures and radiotherapy; RT booking "
            "reads this as the anesthesia flag (first slot of the day, fasting)."
        ),
    )
    sedation_notes = models.CharField(
        _("sedation notes"),
        max_length=300,
        blank=True,
        help_text=_("e.g. propofol by the anesthesia team; fasting from midnight."),
    )

    def __str__(self) -> str:
        return f"pediatric profile of {self.patient_id}"


class BodyMeasurement(TimeStampedModel):
    """Height and weight on a date, with the Mosteller BSA computed from them."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="body_measurements"
    )
    measured_on = models.DateField(_("measured on"), help_text=_("Date the child was measured."))
    height_cm = models.DecimalField(
        _("height (cm)"), max_digits=5, decimal_places=1, help_text=_("Height in centimetres.")
    )
    weight_kg = models.DecimalField(
        _("weight (kg)"), max_digits=6, decimal_places=2, help_text=_("Weight in kilograms.")
    )
    bsa_m2 = models.DecimalField(
        _("BSA (m²)"),
        max_digits=4,
        decimal_places=2,
        editable=False,
        help_text=_("Body surface area by Mosteller: sqrt(height cm x weight kg / 3600)."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-measured_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(height_cm__gte=30) & Q(height_cm__lte=230), name="measure_height_range"
            ),
            models.CheckConstraint(
                condition=Q(weight_kg__gte=Decimal("0.4")) & Q(weight_kg__lte=250),
                name="measure_weight_range",
            ),
            models.CheckConstraint(condition=Q(bsa_m2__gt=0), name="measure_bsa_positive"),
        ]


# ============================================================================ HSCT
class HSCTStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    CONDITIONING = "conditioning", _("Conditioning")
    INFUSED = "infused", _("Infused (awaiting engraftment)")
    ENGRAFTED = "engrafted", _("Engrafted")
    GRAFT_FAILURE = "graft_failure", _("Graft failure")
    COMPLETED = "completed", _("Completed (follow-up)")
    CANCELLED = "cancelled", _("Cancelled")
    ENTERED_IN_ERROR = "entered-in-error", _("Entered in error")


class HSCTEpisode(TimeStampedModel):
    """One transplant (a tandem autologous programme is two episodes)."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="hsct_episodes"
    )
    indication = models.CharField(
        _("indication"),
        max_length=200,
        help_text=_("Disease and state that justify the transplant, e.g. 'ALL, second CR'."),
    )
    donor_type = models.CharField(
        _("donor type"),
        max_length=20,
        choices=_choices(vocab.donor_types()),
        help_text=_("Autologous, related, haploidentical, unrelated or cord blood."),
    )
    stem_cell_source = models.CharField(
        _("stem cell source"),
        max_length=20,
        blank=True,
        choices=_choices(vocab.load("donor_types.json")["stem_cell_sources"]),
        help_text=_("Bone marrow, peripheral blood or cord blood."),
    )
    hla_match = models.CharField(
        _("HLA match"),
        max_length=5,
        blank=True,
        help_text=_("Matched/tested loci, e.g. 8/8 or 10/10; empty for autologous."),
    )
    conditioning_regimen = models.CharField(
        _("conditioning regimen"),
        max_length=30,
        blank=True,
        choices=_choices(vocab.conditioning_regimens()),
        help_text=_("Pick-list of examples; describe others in the details."),
    )
    conditioning_details = models.CharField(
        _("conditioning details"),
        max_length=300,
        blank=True,
        help_text=_("Doses, TBI, serotherapy."),
    )
    conditioning_start = models.DateField(
        _("conditioning start"), null=True, blank=True, help_text=_("First day of conditioning.")
    )
    day0 = models.DateField(
        _("day 0"), null=True, blank=True, help_text=_("Date of the stem cell infusion.")
    )
    neutrophil_engraftment_on = models.DateField(
        _("neutrophil engraftment"),
        null=True,
        blank=True,
        help_text=_("First of 3 consecutive days with ANC >= 0.5 x10^9/L; not before day 0."),
    )
    platelet_engraftment_on = models.DateField(
        _("platelet engraftment"),
        null=True,
        blank=True,
        help_text=_("First of 7 days with platelets >= 20 x10^9/L without transfusion."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=HSCTStatus.choices, default=HSCTStatus.PLANNED
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-day0", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(neutrophil_engraftment_on__isnull=True)
                | Q(day0__isnull=False, neutrophil_engraftment_on__gte=F("day0")),
                name="hsct_engraftment_after_day0",
            ),
            models.CheckConstraint(
                condition=Q(platelet_engraftment_on__isnull=True)
                | Q(day0__isnull=False, platelet_engraftment_on__gte=F("day0")),
                name="hsct_platelets_after_day0",
            ),
            models.CheckConstraint(
                condition=Q(conditioning_start__isnull=True)
                | Q(day0__isnull=True)
                | Q(conditioning_start__lte=F("day0")),
                name="hsct_conditioning_before_day0",
            ),
            models.CheckConstraint(
                condition=~Q(donor_type="autologous") | Q(hla_match=""),
                name="hsct_no_hla_for_autologous",
            ),
            models.CheckConstraint(
                condition=Q(status__in=HSCTStatus.values), name="hsct_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"HSCT {self.get_donor_type_display()} ({self.day0 or 'planned'})"


class GVHDKind(models.TextChoices):
    ACUTE = "acute", _("Acute (MAGIC stage 0-4)")
    CHRONIC = "chronic", _("Chronic (NIH score 0-3)")


class GVHDEntry(TimeStampedModel):
    """Stage (acute) or score (chronic) of one organ on one date."""

    episode = models.ForeignKey(HSCTEpisode, on_delete=models.CASCADE, related_name="gvhd_entries")
    kind = models.CharField(_("kind"), max_length=10, choices=GVHDKind.choices)
    organ = models.CharField(
        _("organ"), max_length=20, help_text=_("Organ code of the MAGIC or NIH vocabulary.")
    )
    stage = models.PositiveSmallIntegerField(
        _("stage / score"), help_text=_("Acute: MAGIC organ stage 0-4. Chronic: NIH score 0-3.")
    )
    observed_on = models.DateField(_("observed on"))
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        ordering = ["observed_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="acute", stage__lte=4) | Q(kind="chronic", stage__lte=3),
                name="gvhd_stage_range",
            ),
        ]


class ComplicationKind(models.TextChoices):
    SOS_VOD = "sos_vod", _("Sinusoidal obstruction syndrome (VOD)")
    INFECTION = "infection", _("Infection")
    CMV = "cmv", _("CMV reactivation")
    MUCOSITIS = "mucositis", _("Mucositis")
    TMA = "tma", _("Transplant-associated TMA")
    ENGRAFTMENT_SYNDROME = "engraftment_syndrome", _("Engraftment syndrome")
    GRAFT_FAILURE = "graft_failure", _("Graft failure")
    OTHER = "other", _("Other")


class HSCTComplication(TimeStampedModel):
    episode = models.ForeignKey(HSCTEpisode, on_delete=models.CASCADE, related_name="complications")
    kind = models.CharField(_("complication"), max_length=30, choices=ComplicationKind.choices)
    onset_on = models.DateField(_("onset"))
    grade = models.PositiveSmallIntegerField(
        _("CTCAE grade"), null=True, blank=True, help_text=_("CTCAE v5 grade 1-5, if graded.")
    )
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        ordering = ["onset_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(grade__isnull=True) | (Q(grade__gte=1) & Q(grade__lte=5)),
                name="hsct_complication_grade",
            ),
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=F("onset_on")),
                name="hsct_complication_resolved_after_onset",
            ),
        ]


# ============================================================================ hospital school
class SchoolLevel(models.TextChoices):
    PRESCHOOL = "preschool", _("Preschool")
    ELEMENTARY = "elementary", _("Elementary")
    MIDDLE = "middle", _("Middle school")
    HIGH = "high", _("High school")


class SchoolClass(TimeStampedModel):
    name = models.CharField(_("name"), max_length=80)
    level = models.CharField(_("level"), max_length=12, choices=SchoolLevel.choices)
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="school_classes",
        help_text=_("Hospital-school teacher in charge."),
    )
    room = models.CharField(_("room"), max_length=40, blank=True)
    schedule = models.CharField(_("schedule"), max_length=120, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["level", "name"]
        verbose_name_plural = "school classes"

    def __str__(self) -> str:
        return self.name


class SchoolEnrollment(TimeStampedModel):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="school_enrollments"
    )
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.PROTECT, related_name="enrollments"
    )
    enrolled_on = models.DateField(_("enrolled on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    home_school = models.CharField(
        _("home school"), max_length=120, blank=True, help_text=_("The child's own school.")
    )
    home_grade = models.CharField(_("grade at home school"), max_length=20, blank=True)

    class Meta:
        ordering = ["-enrolled_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("enrolled_on")),
                name="enrollment_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["patient", "school_class"],
                condition=Q(ended_on__isnull=True),
                name="enrollment_one_open_per_class",
            ),
        ]


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    ABSENT_TREATMENT = "absent_treatment", _("Absent (treatment)")
    ABSENT_OTHER = "absent_other", _("Absent (other)")


class AttendanceSetting(models.TextChoices):
    CLASSROOM = "classroom", _("Hospital classroom")
    BEDSIDE = "bedside", _("Bedside (ward)")
    ONLINE = "online", _("Online")


class SchoolAttendance(TimeStampedModel):
    enrollment = models.ForeignKey(
        SchoolEnrollment, on_delete=models.CASCADE, related_name="attendance"
    )
    on = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=20, choices=AttendanceStatus.choices)
    setting = models.CharField(
        _("setting"), max_length=12, choices=AttendanceSetting.choices, default="classroom"
    )
    during_admission = models.BooleanField(
        _("during admission"), default=False, help_text=_("The child was an inpatient that day.")
    )
    minutes = models.PositiveSmallIntegerField(_("minutes"), default=0)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-on"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "on"], name="attendance_once_a_day"),
            models.CheckConstraint(condition=Q(minutes__lte=600), name="attendance_minutes_max"),
        ]


class ReturnPlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SHARED = "shared", _("Shared with the school")
    COMPLETED = "completed", _("Child returned")


class ReturnToSchoolPlan(TimeStampedModel):
    enrollment = models.OneToOneField(
        SchoolEnrollment, on_delete=models.CASCADE, related_name="return_plan"
    )
    planned_return_on = models.DateField(_("planned return"), null=True, blank=True)
    school_contact = models.CharField(_("school contact"), max_length=120, blank=True)
    accommodations = models.TextField(
        _("accommodations"),
        blank=True,
        help_text=_("e.g. half days, infection precautions, mask, rest breaks, PE exemption."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ReturnPlanStatus.choices, default="draft"
    )


# ============================================================================ aid associations
class AidOrganisation(TimeStampedModel):
    name = models.CharField(_("name"), max_length=120, unique=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    support_types = models.CharField(
        _("support types"), max_length=200, blank=True, help_text=_("e.g. medical costs, living.")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AidNeed(models.TextChoices):
    MEDICAL = "medical_costs", _("Medical costs")
    LIVING = "living_costs", _("Living costs")
    TRANSPORT = "transport", _("Transport")
    LODGING = "lodging", _("Lodging")
    EDUCATION = "education", _("Education")
    OTHER = "other", _("Other")


class AidStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    DOCUMENTS_REQUESTED = "documents_requested", _("Documents requested")
    UNDER_REVIEW = "under_review", _("Under review")
    GRANTED = "granted", _("Granted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    DISBURSED = "disbursed", _("Disbursed")


class AidApplication(TimeStampedModel):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="aid_applications"
    )
    organisation = models.ForeignKey(
        AidOrganisation, on_delete=models.PROTECT, related_name="applications"
    )
    need = models.CharField(_("need"), max_length=20, choices=AidNeed.choices)
    need_description = models.CharField(_("need description"), max_length=300, blank=True)
    amount_requested = models.DecimalField(
        _("amount requested (KRW)"), max_digits=12, decimal_places=0
    )
    amount_granted = models.DecimalField(
        _("amount granted (KRW)"), max_digits=12, decimal_places=0, null=True, blank=True
    )
    decision_note = models.CharField(
        _("decision note"),
        max_length=300,
        blank=True,
        help_text=_("Required when the grant is above the amount requested."),
    )
    documents = models.JSONField(
        _("documents provided"), default=list, blank=True, help_text=_("Checklist codes provided.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=AidStatus.choices, default=AidStatus.DRAFT
    )
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_requested__gt=0), name="aid_requested_positive"
            ),
            models.CheckConstraint(
                condition=Q(amount_granted__isnull=True) | Q(amount_granted__gte=0),
                name="aid_granted_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(amount_granted__isnull=True)
                | Q(amount_granted__lte=F("amount_requested"))
                | ~Q(decision_note=""),
                name="aid_grant_above_request_needs_note",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["granted", "disbursed"]) | Q(amount_granted__isnull=False),
                name="aid_granted_has_amount",
            ),
            models.CheckConstraint(
                condition=Q(status__in=AidStatus.values), name="aid_status_valid"
            ),
        ]


class AidStatusChange(models.Model):
    application = models.ForeignKey(
        AidApplication, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=20)
    to_status = models.CharField(max_length=20)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} -> {self.to_status}"


# ============================================================================ family shelter
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
        choices=_choices(vocab.shelter_ranking()["financial_need_levels"]),
    )
    treatment_intensity = models.CharField(
        _("treatment intensity"),
        max_length=20,
        choices=_choices(vocab.shelter_ranking()["treatment_intensity_levels"]),
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


# ============================================================================ palliative care
class PalliativeStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACTIVE = "active", _("Active")
    DECLINED = "declined", _("Declined")
    CLOSED = "closed", _("Closed")


class PlaceOfCare(models.TextChoices):
    UNDECIDED = "undecided", _("Not yet discussed")
    HOME = "home", _("Home")
    HOSPITAL = "hospital", _("Hospital")
    HOSPICE = "hospice", _("Children's hospice")
    LOCAL_HOSPITAL = "local_hospital", _("Hospital near home")


class PalliativeReferral(TimeStampedModel):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="palliative_referrals"
    )
    referred_on = models.DateField(_("referred on"))
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(
        _("status"), max_length=12, choices=PalliativeStatus.choices, default="requested"
    )
    goals_of_care = models.TextField(_("goals of care"), blank=True)
    symptom_plan = models.TextField(
        _("symptom plan"),
        blank=True,
        help_text=_("Pain, nausea, dyspnoea, sleep: plan per symptom."),
    )
    advance_care_planning = models.TextField(
        _("advance care planning notes"),
        blank=True,
        help_text=_("Conversations with the family and, as appropriate, the child."),
    )
    place_of_care = models.CharField(
        _("place-of-care preference"),
        max_length=16,
        choices=PlaceOfCare.choices,
        default="undecided",
    )
    decline_reason = models.CharField(_("reason declined"), max_length=300, blank=True)

    class Meta:
        ordering = ["-referred_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="palliative_decline_has_reason",
            ),
        ]


class BereavementFollowUp(TimeStampedModel):
    referral = models.ForeignKey(
        PalliativeReferral, on_delete=models.CASCADE, related_name="bereavement"
    )
    planned_on = models.DateField(_("planned on"))
    kind = models.CharField(
        _("contact"),
        max_length=12,
        choices=[
            ("call", _("Call")),
            ("visit", _("Visit")),
            ("letter", _("Letter")),
            ("memorial", _("Memorial")),
        ],
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        ordering = ["planned_on", "id"]


# ============================================================================ social work
class SocialCase(TimeStampedModel):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="social_cases"
    )
    social_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="social_cases"
    )
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                name="social_case_closed_after_opened",
            ),
            models.UniqueConstraint(
                fields=["patient"], condition=Q(closed_on__isnull=True), name="social_case_one_open"
            ),
        ]


class NeedsAssessment(TimeStampedModel):
    case = models.ForeignKey(SocialCase, on_delete=models.CASCADE, related_name="assessments")
    assessed_on = models.DateField(_("assessed on"))
    levels = models.JSONField(
        _("need levels"), default=dict, help_text=_("Domain code -> none/low/moderate/high.")
    )
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        ordering = ["-assessed_on", "-id"]


class InterventionOutcome(models.TextChoices):
    PENDING = "pending", _("In progress")
    ACHIEVED = "achieved", _("Achieved")
    PARTIAL = "partial", _("Partly achieved")
    NOT_ACHIEVED = "not_achieved", _("Not achieved")


class SocialIntervention(TimeStampedModel):
    case = models.ForeignKey(SocialCase, on_delete=models.CASCADE, related_name="interventions")
    domain = models.CharField(
        _("domain"), max_length=20, choices=_choices(vocab.social_work_domains())
    )
    description = models.CharField(_("intervention"), max_length=300)
    started_on = models.DateField(_("started on"))
    outcome = models.CharField(
        _("outcome"), max_length=14, choices=InterventionOutcome.choices, default="pending"
    )
    outcome_note = models.CharField(_("outcome note"), max_length=300, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(completed_on__gte=F("started_on")),
                name="intervention_completed_after_start",
            ),
        ]


# ============================================================================ guardians
class GuardianBirthDate(TimeStampedModel):
    """The guardian's birth date, so that a minor cannot be registered as a legal guardian.

    The Guardian model (patients app) has no birth date; this area adds it beside the guardian
    and checks it in ``services.guardian_register`` before the guardian is created.
    """

    guardian = models.OneToOneField(
        "patients.Guardian", on_delete=models.CASCADE, related_name="support_birth_date"
    )
    birth_date = models.DateField(_("guardian's birth date"))

    def __str__(self) -> str:
        return f"{self.guardian_id}: {self.birth_date}"
