from django.contrib import admin

from oncocenter.audit.admin import ClinicalRecordAdmin
from oncocenter.referrals.models import Referral


@admin.register(Referral)
class ReferralAdmin(ClinicalRecordAdmin):
    list_display = (
        "patient",
        "from_department",
        "to_department",
        "urgency",
        "status",
        "requested_at",
    )
    list_filter = ("to_department", "status", "urgency")
    raw_id_fields = ("patient", "diagnosis", "requested_by", "responded_by")
