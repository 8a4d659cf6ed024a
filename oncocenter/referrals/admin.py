from django.contrib import admin

from oncocenter.referrals.models import Referral


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
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
