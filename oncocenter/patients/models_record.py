"""Patient record completion (issue 3): guardians with consent and assent, and the care team.

Kept apart from ``models.py`` (demographics) and imported at its bottom. The National Health
Insurance co-payment registration, which is made for a cancer diagnosis, lives in ``oncology``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from oncocenter.core.models import TimeStampedModel
from oncocenter.core.roles import Role

# Korean civil law: majority at 19. Assent is asked from children old enough to understand.
AGE_OF_MAJORITY = 19
ASSENT_MIN_AGE = 7


class GuardianRelationship(models.TextChoices):
    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    GRANDPARENT = "grandparent", _("Grandparent")
    SIBLING = "sibling", _("Sibling")
    LEGAL_GUARDIAN = "legal_guardian", _("Legal guardian")
    OTHER = "other", _("Other")


class Guardian(TimeStampedModel):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="guardians"
    )
    name_ko = models.CharField(_("name (Hangul)"), max_length=40)
    relationship = models.CharField(
        _("relationship"), max_length=20, choices=GuardianRelationship.choices
    )
    phone = models.CharField(
        _("phone"), max_length=20, blank=True, help_text=_("e.g. 010-1234-5678")
    )
    birth_date = models.DateField(
        _("birth date"),
        null=True,
        blank=True,
        help_text=_("Required for a legal representative, who must be an adult (19 or older)."),
    )
    is_legal_representative = models.BooleanField(
        _("legal representative"),
        default=True,
        help_text=_("May give consent on the child's behalf."),
    )

    class Meta:
        ordering = ["patient", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(relationship__in=GuardianRelationship.values),
                name="guardian_relationship_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name_ko} ({self.get_relationship_display()})"


class ConsentKind(models.TextChoices):
    TREATMENT = "treatment", _("Treatment")
    RESEARCH = "research", _("Research / clinical trial")
    DATA_USE = "data_use", _("Use of data")
    SEDATION = "sedation", _("Sedation / anesthesia")


class ConsentGiver(models.TextChoices):
    PATIENT = "patient", _("Patient (adult)")
    GUARDIAN = "guardian", _("Guardian on behalf of a minor")
    ASSENT = "assent", _("Child's assent")


class Consent(TimeStampedModel):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="consents"
    )
    kind = models.CharField(_("consent for"), max_length=12, choices=ConsentKind.choices)
    given_by = models.CharField(_("given by"), max_length=10, choices=ConsentGiver.choices)
    guardian = models.ForeignKey(
        Guardian,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consents",
        help_text=_("Required when a guardian consents."),
    )
    signed_on = models.DateField(_("signed on"))
    scope = models.CharField(
        _("scope"), max_length=300, blank=True, help_text=_("e.g. protocol or procedure.")
    )
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-signed_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(given_by="guardian") | Q(guardian__isnull=False),
                name="consent_guardian_named",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=F("signed_on")),
                name="consent_withdrawn_after_signed",
            ),
        ]


class CareTeamMember(TimeStampedModel):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="care_team"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="care_teams"
    )
    role = models.CharField(_("role"), max_length=40, choices=Role.choices)
    center = models.ForeignKey(
        "patients.Center", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_lead = models.BooleanField(_("lead clinician"), default=False)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["patient", "-is_lead", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "user", "role"],
                condition=Q(until__isnull=True),
                name="care_team_once_active",
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=F("since")),
                name="care_team_until_after_since",
            ),
        ]
