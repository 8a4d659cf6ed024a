"""Pediatric palliative care: referrals and bereavement follow-up of the family.

The tables were created by the former ``support`` app and renamed when it was split (see
``migrations/0001``); constraint names are unchanged.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oncocenter.core.models import TimeStampedModel


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


class BereavementKind(models.TextChoices):
    CALL = "call", _("Call")
    VISIT = "visit", _("Visit")
    LETTER = "letter", _("Letter")
    MEMORIAL = "memorial", _("Memorial")


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
        choices=BereavementKind.choices,
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        ordering = ["planned_on", "id"]
