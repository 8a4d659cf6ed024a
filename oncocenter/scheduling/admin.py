"""Admin: bookings are viewable only; they change through the booking services."""

from __future__ import annotations

from django.contrib import admin

from oncocenter.audit.admin import ClinicalRecordAdmin
from oncocenter.scheduling.models import Booking


@admin.register(Booking)
class BookingAdmin(ClinicalRecordAdmin):
    list_display = ("start", "machine", "patient", "fraction", "status", "urgency")
    list_filter = ("status", "machine")
