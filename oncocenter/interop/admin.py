from django.contrib import admin

from oncocenter.audit.admin import ClinicalRecordAdmin
from oncocenter.interop.models import Hl7Message


@admin.register(Hl7Message)
class Hl7MessageAdmin(ClinicalRecordAdmin):
    list_display = (
        "received_at",
        "sending_facility",
        "control_id",
        "message_type",
        "ack_code",
        "outcome",
    )
    list_filter = ("ack_code", "message_type")
    raw_id_fields = ("patient",)
