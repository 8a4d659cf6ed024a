"""Patients and guardians as users of their own portal.

Portal accounts are NOT staff users: they live in their own table, sign in on their own page and
carry their own session key, so no staff role can open a portal page and no portal account can
open a staff page. An account sees the patients it holds a grant for: the patient themself (an
adult, or an adolescent with their own access) or a child under 19 for a guardian.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from oncocenter.core.models import TimeStampedModel


class AccountKind(models.TextChoices):
    PATIENT = "patient", _("Patient")
    GUARDIAN = "guardian", _("Guardian")


class AccountStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for activation")
    ACTIVE = "active", _("Active")
    DISABLED = "disabled", _("Disabled")


class PortalAccount(TimeStampedModel):
    kind = models.CharField(_("kind"), max_length=10, choices=AccountKind.choices)
    display_name = models.CharField(_("name"), max_length=60)
    guardian = models.ForeignKey(
        "patients.Guardian",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="portal_accounts",
        help_text=_("The guardian record this account belongs to (guardian accounts)."),
    )
    # NULL until activation, when the person chooses it.
    username = models.CharField(
        _("sign-in name"), max_length=60, null=True, blank=True, unique=True
    )
    password = models.CharField(max_length=256, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=AccountStatus.choices, default=AccountStatus.PENDING
    )
    language = models.CharField(_("language"), max_length=5, default="ko")
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["display_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="guardian") | Q(guardian__isnull=False),
                name="portal_guardian_account_names_guardian",
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | (Q(username__isnull=False) & ~Q(password="")),
                name="portal_active_has_credentials",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.kind})"


class GrantRelation(models.TextChoices):
    SELF = "self", _("Own record")
    GUARDIAN = "guardian", _("Guardian of a child")


class PortalGrant(TimeStampedModel):
    """Which patient's records an account may see (checked on every portal request)."""

    account = models.ForeignKey(PortalAccount, on_delete=models.CASCADE, related_name="grants")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="portal_grants"
    )
    relation = models.CharField(_("relation"), max_length=10, choices=GrantRelation.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "patient"],
                condition=Q(revoked_at__isnull=True),
                name="portal_grant_once",
            ),
        ]


class ActivationCode(TimeStampedModel):
    """A one-time code given at the desk. Only its SHA-256 digest is stored."""

    account = models.ForeignKey(
        PortalAccount, on_delete=models.CASCADE, related_name="activation_codes"
    )
    digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(used_at__isnull=True) | Q(revoked_at__isnull=True),
                name="portal_code_used_or_revoked",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="portal_code_expires_later"
            ),
        ]


class Throttle(models.Model):
    """Failed attempts per key (sign-in: account name + address; activation: address)."""

    key = models.CharField(max_length=200, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.key}: {self.failures}"


# --- symptom and quality-of-life reports (ePRO) ---------------------------------------------


class ProSubmission(TimeStampedModel):
    """One completed questionnaire from the portal (append-only)."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="pro_submissions"
    )
    account = models.ForeignKey(PortalAccount, on_delete=models.PROTECT, related_name="+")
    instrument = models.CharField(_("questionnaire"), max_length=60)
    answered_at = models.DateTimeField(_("answered at"))
    answers = models.JSONField(_("answers"))
    by_proxy = models.BooleanField(
        _("answered by a guardian"), default=False, help_text=_("Pediatric proxy report.")
    )
    qol_response = models.ForeignKey(
        "nutrition.QoLResponse",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The quality-of-life answer it fed (eating-and-daily-life questionnaire)."),
    )

    class Meta:
        ordering = ["-answered_at", "-id"]
        indexes = [models.Index(fields=["patient", "instrument", "answered_at"], name="pro_pt")]


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLOSED = "closed", _("Closed")


class AlertOutcome(models.TextChoices):
    ADVICE = "advice", _("Advice by phone")
    MEDICATION = "medication", _("Medication started or changed")
    CLINIC_VISIT = "clinic_visit", _("Clinic visit arranged")
    EMERGENCY = "emergency", _("Sent to the emergency room")
    ADMITTED = "admitted", _("Admitted")
    NO_ACTION = "no_action", _("No action needed")


class SymptomAlert(TimeStampedModel):
    """A severe or worsening answer, on the responsible nurse's worklist."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="symptom_alerts"
    )
    submission = models.OneToOneField(ProSubmission, on_delete=models.PROTECT, related_name="alert")
    findings = models.JSONField(_("findings"), help_text=_("Item, answer, rule."))
    summary = models.CharField(_("summary"), max_length=300)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The patient's care-team nurse; empty: every nurse's list."),
    )
    status = models.CharField(
        _("status"), max_length=15, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=AlertOutcome.choices, blank=True
    )
    outcome_note = models.CharField(_("note"), max_length=300, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "assigned_to"], name="symptom_alert_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open")
                | (Q(acknowledged_by__isnull=False) & Q(acknowledged_at__isnull=False)),
                name="symptom_alert_ack_named",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed")
                | (~Q(outcome="") & Q(closed_by__isnull=False) & Q(closed_at__isnull=False)),
                name="symptom_alert_closed_has_outcome",
            ),
        ]


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    DECLINED = "declined", _("Declined")


class ChangeRequest(TimeStampedModel):
    """A patient asks to move an appointment; the scheduler answers by phone and closes it."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="portal_change_requests"
    )
    account = models.ForeignKey(PortalAccount, on_delete=models.PROTECT, related_name="+")
    appointment_key = models.CharField(max_length=60, help_text=_("Source and id, e.g. clinic:12."))
    appointment_label = models.CharField(_("appointment"), max_length=200)
    reason = models.CharField(_("reason"), max_length=300)
    preferred = models.CharField(_("preferred days or times"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "appointment_key"],
                condition=Q(status="open"),
                name="portal_change_request_once_open",
            ),
            models.CheckConstraint(
                condition=Q(status="open") | Q(handled_by__isnull=False),
                name="portal_change_request_handled_named",
            ),
        ]


class ResultRelease(TimeStampedModel):
    """A laboratory result the care team released to the patient's portal. Append-only: a
    release is not taken back; a corrected result is a new row that needs its own release, and
    the portal hides a superseded or entered-in-error one."""

    result = models.OneToOneField(
        "labs.LabResult",
        on_delete=models.PROTECT,
        related_name="portal_release",
        verbose_name=_("result"),
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="portal_result_releases"
    )
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField(_("released at"))
    note = models.CharField(_("note for the patient"), max_length=300, blank=True)

    class Meta:
        ordering = ["-released_at", "-id"]
        verbose_name = _("result released to the portal")
        verbose_name_plural = _("results released to the portal")
        indexes = [models.Index(fields=["patient", "released_at"], name="portal_release_patient")]

    def __str__(self) -> str:
        return f"release of result {self.result_id}"


class DocumentKind(models.TextChoices):
    DISCHARGE = "discharge", _("Discharge summary")


class DocumentRelease(TimeStampedModel):
    """A document the care team released to the portal (today: the discharge summary of one
    admission). Append-only like result releases: once released it stays released; a second
    release of the same admission's summary is refused by the database."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="portal_document_releases"
    )
    kind = models.CharField(_("document"), max_length=20, choices=DocumentKind.choices)
    admission = models.ForeignKey(
        "clinics.Admission",
        on_delete=models.PROTECT,
        related_name="portal_releases",
        verbose_name=_("admission"),
        help_text=_("The stay the discharge summary is about."),
    )
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField(_("released at"))
    note = models.CharField(
        _("instructions for home"),
        max_length=1000,
        blank=True,
        help_text=_("What to watch for and whom to call, printed in the summary."),
    )

    class Meta:
        ordering = ["-released_at", "-id"]
        verbose_name = _("document released to the portal")
        constraints = [
            models.UniqueConstraint(fields=["kind", "admission"], name="portal_document_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of admission {self.admission_id}"


class GuardianSharing(TimeStampedModel):
    """What an adolescent (14-18, with their own portal access) lets their guardians see. One row
    per patient; every change is audited with the old and new settings. Without a row, guardians
    see everything the portal shows."""

    patient = models.OneToOneField(
        "patients.Patient", on_delete=models.PROTECT, related_name="portal_guardian_sharing"
    )
    share_symptom_reports = models.BooleanField(
        _("symptom reports"), default=True, help_text=_("The adolescent's own symptom reports.")
    )
    share_results = models.BooleanField(
        _("test results"), default=True, help_text=_("Released laboratory results.")
    )
    share_documents = models.BooleanField(
        _("documents"),
        default=True,
        help_text=_("Care plan, discharge summary, record download (the school letter stays)."),
    )
    set_by = models.ForeignKey(PortalAccount, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"guardian sharing of patient {self.patient_id}"


class PasskeyCredential(TimeStampedModel):
    """A WebAuthn public-key credential (passkey) of a portal account. Only the public key is
    stored; the sign counter is kept to notice a cloned authenticator."""

    account = models.ForeignKey(PortalAccount, on_delete=models.CASCADE, related_name="passkeys")
    credential_id = models.CharField(max_length=512, unique=True, help_text=_("base64url"))
    public_key = models.BinaryField()
    sign_count = models.PositiveBigIntegerField(default=0)
    transports = models.JSONField(default=list, blank=True)
    name = models.CharField(_("name"), max_length=60, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"passkey {self.pk} of account {self.account_id}"
