"""Admin: protocol templates are reference data (editable by `reference.edit`, validated and
audited); plans, due items and events are the clinical record (view only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from oncocenter.audit.admin import ClinicalRecordAdmin, ReferenceDataAdmin
from oncocenter.followup import protocols
from oncocenter.followup.models import DueItem, FollowUpEvent, FollowUpPlan, ProtocolTemplate


@admin.register(ProtocolTemplate)
class ProtocolTemplateAdmin(ReferenceDataAdmin):
    """Templates are editable data; the definition is validated before it is saved."""

    list_display = ("code", "kind", "name_en", "active", "reviewed_by")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        try:
            if obj.kind == "late-effects":
                protocols.validate_late_effects(obj.definition)
            else:
                protocols.validate_protocol(obj.definition)
        except protocols.TemplateError as exc:
            raise ValidationError(str(exc)) from exc
        super().save_model(request, obj, form, change)


@admin.register(FollowUpPlan)
class FollowUpPlanAdmin(ClinicalRecordAdmin):
    list_display = ("patient", "template", "treatment_end", "status")
    raw_id_fields = ("patient",)


@admin.register(DueItem)
class DueItemAdmin(ClinicalRecordAdmin):
    list_display = ("patient", "item_code", "due_on", "window_end", "status")
    list_filter = ("status", "kind")
    raw_id_fields = ("patient", "plan", "appointment")


@admin.register(FollowUpEvent)
class FollowUpEventAdmin(ClinicalRecordAdmin):
    list_display = ("patient", "event_type", "occurred_on", "grade")
    raw_id_fields = ("patient", "plan")
