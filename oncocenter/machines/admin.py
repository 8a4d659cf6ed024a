"""Admin: machines and their techniques are reference data (audited edits by `reference.edit`).

Service state and downtime change only through the services, which check the booked sessions
first (`machine_set_in_service`, `qa_window_plan`, the outage workflow): the admin shows them.
"""

from __future__ import annotations

from django.contrib import admin

from oncocenter.audit.admin import ClinicalRecordAdmin, ReferenceDataAdmin, ReferenceDataInline
from oncocenter.machines.models import (
    BeamMatchGroup,
    Machine,
    MachineDowntime,
    MachineTechnique,
    QAHold,
    QAResult,
    QATest,
)


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


# Machine QA and beam matching (issue 15): written only through `machines.qa` (signed, audited).


@admin.register(BeamMatchGroup)
class BeamMatchGroupAdmin(ClinicalRecordAdmin):
    list_display = ("name", "matched_on", "signed_by", "signed_at", "active")


@admin.register(QATest)
class QATestAdmin(ClinicalRecordAdmin):
    list_display = ("machine", "code", "name", "frequency", "nominal", "tolerance", "action")
    list_filter = ("frequency", "machine")


@admin.register(QAResult)
class QAResultAdmin(ClinicalRecordAdmin):
    list_display = ("machine", "test", "value", "status", "performed_at", "performed_by")
    list_filter = ("status", "machine")


@admin.register(QAHold)
class QAHoldAdmin(ClinicalRecordAdmin):
    list_display = ("machine", "started_at", "reason", "released_at", "released_by")
