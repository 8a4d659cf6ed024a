"""Admin: outbox rows are records (view only); opt-outs are reference data (audited edits)."""

from __future__ import annotations

from django.contrib import admin

from oncocenter.audit.admin import ClinicalRecordAdmin, ReferenceDataAdmin
from oncocenter.notifications import models as m


@admin.register(m.OutboxMessage)
class OutboxMessageAdmin(ClinicalRecordAdmin):
    list_display = ("created_at", "channel", "category", "to_address", "status", "attempts")
    list_filter = ("status", "channel", "category")


@admin.register(m.OptOut)
class OptOutAdmin(ReferenceDataAdmin):
    list_display = ("channel", "address", "category")
