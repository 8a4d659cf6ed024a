from django.contrib import admin

from oncocenter.clinics.models import (
    Admission,
    Appointment,
    Bed,
    CalendarException,
    ClinicSession,
    ClinicTemplate,
    PriorityPolicy,
    ReadmissionRequest,
    WaitlistEntry,
    Ward,
)


@admin.register(PriorityPolicy)
class PriorityPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "prior_treatment_points",
        "urgency_soon_points",
        "urgency_urgent_points",
        "waiting_points_per_day",
        "waiting_points_cap",
        "reserved_share_percent",
        "release_days_before",
    )

    def has_add_permission(self, request):
        return not PriorityPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarException)
class CalendarExceptionAdmin(admin.ModelAdmin):
    list_display = ("date", "is_open", "reason")


@admin.register(ClinicTemplate)
class ClinicTemplateAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "physician",
        "center",
        "weekday",
        "start_time",
        "end_time",
        "slot_minutes",
        "active",
    )
    list_filter = ("center", "weekday", "active")


@admin.register(ClinicSession)
class ClinicSessionAdmin(admin.ModelAdmin):
    list_display = ("template", "date", "status", "closed_reason")
    list_filter = ("status",)
    date_hierarchy = "date"


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ("patient", "starts_at", "appointment_type", "status", "previously_treated")
    list_filter = ("status", "appointment_type")
    raw_id_fields = ("patient", "slot", "session", "rescheduled_to")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(admin.ModelAdmin):
    list_display = ("patient", "center", "appointment_type", "urgency", "requested_on", "status")
    raw_id_fields = ("patient", "offered_slot", "appointment")


class BedInline(admin.TabularInline):
    model = Bed
    extra = 1


@admin.register(Ward)
class WardAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "center")
    inlines = [BedInline]


@admin.register(Admission)
class AdmissionAdmin(admin.ModelAdmin):
    list_display = ("patient", "bed", "status", "admitted_at", "discharged_at")
    raw_id_fields = ("patient", "bed", "readmission_request")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReadmissionRequest)
class ReadmissionRequestAdmin(admin.ModelAdmin):
    list_display = ("patient", "ward", "urgency", "requested_on", "status")
    raw_id_fields = ("patient",)
