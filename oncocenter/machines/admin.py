"""Admin: machines and their techniques are reference data (audited edits by `reference.edit`).

Service state and downtime change only through the services, which check the booked sessions
first (`machine_set_in_service`, `qa_window_plan`, the outage workflow): the admin shows them.
"""

from __future__ import annotations

from django.contrib import admin

from oncocenter.audit.admin import ClinicalRecordAdmin, ReferenceDataAdmin, ReferenceDataInline
from oncocenter.machines.models import Machine, MachineDowntime, MachineTechnique


class TechniqueInline(ReferenceDataInline):
    """A machine's techniques, editable with the machine (same permission, audited by its save)."""

    model = MachineTechnique
    extra = 1


@admin.register(Machine)
class MachineAdmin(ReferenceDataAdmin):
    inlines = [TechniqueInline]
    list_display = ("code", "name", "kind", "model", "opens_at", "closes_at", "in_service")
    # Taking a machine out of service is refused while sessions are booked on it ahead.
    readonly_fields = ("in_service",)


@admin.register(MachineDowntime)
class MachineDowntimeAdmin(ClinicalRecordAdmin):
    list_display = ("machine", "kind", "start", "end", "reason", "reported_by")
    list_filter = ("kind", "machine")
