"""Staff users, their roles and their professional credentials."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from oncocenter.core.models import TimeStampedModel
from oncocenter.core.roles import Role


class User(AbstractUser):
    """A staff member. Patients and guardians are not users."""

    display_name_ko = models.CharField(
        _("name (Hangul)"),
        max_length=60,
        blank=True,
        help_text=_("The staff member's name in Hangul."),
    )
    department = models.CharField(_("department"), max_length=120, blank=True)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name_ko or self.get_full_name() or self.username

    @property
    def role_list(self) -> list[str]:
        return sorted(self.role_assignments.values_list("role", flat=True))


class RoleAssignment(TimeStampedModel):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=40, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="role_once_per_user"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="role_known"),
        ]

    def __str__(self) -> str:
        return f"{self.user.username}: {self.role}"


class CredentialKind(models.TextChoices):
    MEDICAL_LICENSE = "medical_license", _("Physician licence")
    SPECIALIST_RADIATION_ONCOLOGY = (
        "specialist_radiation_oncology",
        _("Board certification: radiation oncology"),
    )
    SPECIALIST_OTHER = "specialist_other", _("Board certification: other specialty")
    MEDICAL_PHYSICIST = "medical_physicist", _("Medical physicist certification")
    RADIATION_THERAPIST = "radiation_therapist", _("Radiological technologist licence")
    NURSE = "nurse", _("Nursing licence")
    DIETITIAN = "dietitian", _("Clinical dietitian licence")
    SOCIAL_WORKER = "social_worker", _("Medical social worker licence")
    TEACHER = "teacher", _("Teaching certificate")
    GCP = "gcp", _("Good Clinical Practice training")
    PHARMACIST = "pharmacist", _("Pharmacist licence")


class Credential(TimeStampedModel):
    """A licence or certification. Signatures check that the right kind is current that day."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="credentials")
    kind = models.CharField(_("kind"), max_length=40, choices=CredentialKind.choices)
    number = models.CharField(
        _("number"), max_length=60, help_text=_("Licence or certificate number.")
    )
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(
        _("expires on"),
        null=True,
        blank=True,
        help_text=_("Empty for a licence that does not expire."),
    )

    class Meta:
        ordering = ["user", "kind", "-issued_on"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="credential_number_unique"),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gt=F("issued_on")),
                name="credential_expires_after_issue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def is_current(self, on: dt.date) -> bool:
        return self.issued_on <= on and (self.expires_on is None or on <= self.expires_on)


class ApiToken(TimeStampedModel):
    """A bearer token for API clients. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text="First characters, to tell tokens apart.")
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    scopes = models.JSONField(
        default=list,
        blank=True,
        help_text="What the token may do: 'read' or 'write' (every area), or per area "
        "'read:patients', 'write:radiotherapy'. Writing implies reading the same area.",
    )

    def __str__(self) -> str:
        return f"{self.user.username}:{self.name} ({self.prefix}...)"

    def allows(self, *, area: str, write: bool) -> bool:
        """True when the scopes cover a read (or a write) in the API area (`/api/<area>/`)."""
        wanted = ("write",) if write else ("read", "write")
        scopes = set(self.scopes or [])
        return any(w in scopes or f"{w}:{area}" in scopes for w in wanted)


class LoginFailure(models.Model):
    """A failed sign-in, counted to throttle password guessing by username and by address."""

    username = models.CharField(max_length=150, db_index=True)
    client_address = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.username}@{self.client_address} {self.at:%Y-%m-%d %H:%M}"


class LoginThrottle(models.Model):
    """Failed sign-ins counted per key, updated under a row lock so parallel guesses are counted
    one by one: `pair:<user>|<address>` (a person mistyping locks only themselves, at that
    address), `user:<user>` (guessing one account from many addresses), `addr:<address>`
    (spraying many accounts from one address; a high limit, so one typist never locks out a ward
    behind a NAT). Past its limit a key is locked with a delay that doubles per further failure."""

    key = models.CharField(max_length=230, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.failures}"
