"""Admin: clinic templates, the calendar, the priority policy and wards are reference data
(editable by `reference.edit`, audited); sessions, appointments, waitlists and admissions are
the clinical record (view only: they change through the services and their interlocks)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from oncocenter.audit.admin import ClinicalRecordAdmin, ReferenceDataAdmin, ReferenceDataInline
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
class PriorityPolicyAdmin(ReferenceDataAdmin):
    list_display = (
        "prior_treatment_points",
        "urgency_soon_points",
        "urgency_urgent_points",
        "waiting_points_per_day",
        "waiting_points_cap",
        "reserved_share_percent",
        "release_days_before",
    )

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # One policy row (id 1): it can be changed, never doubled.
        return super().has_add_permission(request, obj) and not PriorityPolicy.objects.exists()


@admin.register(CalendarException)
class CalendarExceptionAdmin(ReferenceDataAdmin):
    list_display = ("date", "is_open", "reason")


@admin.register(ClinicTemplate)
class ClinicTemplateAdmin(ReferenceDataAdmin):
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
class ClinicSessionAdmin(ClinicalRecordAdmin):
    list_display = ("template", "date", "status", "closed_reason")
    list_filter = ("status",)
    date_hierarchy = "date"


@admin.register(Appointment)
class AppointmentAdmin(ClinicalRecordAdmin):
    list_display = ("patient", "starts_at", "appointment_type", "status", "previously_treated")
    list_filter = ("status", "appointment_type")
    raw_id_fields = ("patient", "slot", "session", "rescheduled_to")


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(ClinicalRecordAdmin):
    list_display = ("patient", "center", "appointment_type", "urgency", "requested_on", "status")
    raw_id_fields = ("patient", "offered_slot", "appointment")


class BedInline(ReferenceDataInline):
    """Beds are edited with their ward, under the same permission (never deleted: take a bed
    out of service instead)."""

    model = Bed
    extra = 1


@admin.register(Ward)
class WardAdmin(ReferenceDataAdmin):
    list_display = ("code", "name", "center")
    inlines = [BedInline]


@admin.register(Admission)
class AdmissionAdmin(ClinicalRecordAdmin):
    list_display = ("patient", "bed", "status", "admitted_at", "discharged_at")
    raw_id_fields = ("patient", "bed", "readmission_request")


@admin.register(ReadmissionRequest)
class ReadmissionRequestAdmin(ClinicalRecordAdmin):
    list_display = ("patient", "ward", "urgency", "requested_on", "status")
    raw_id_fields = ("patient",)
