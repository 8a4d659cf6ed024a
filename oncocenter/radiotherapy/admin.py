"""Admin: the editable reference data (constraint sets, checklist, CTCAE terms, gap-sensitive
sites, DICOM machine names), with audited saves. Clinical records are viewable only: they change
through the services, with their interlocks and signatures."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from oncocenter.audit.admin import ClinicalRecordAdmin, ReferenceDataAdmin
from oncocenter.core.permissions import has_perm
from oncocenter.radiotherapy import models as m


class OrganConstraintInline(admin.TabularInline):
    """A constraint set's limits, edited with the set (same permission, audited by its save)."""

    model = m.OrganConstraint
    extra = 0

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return has_perm(request.user, "admin.view")

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return has_perm(request.user, "reference.edit")

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return has_perm(request.user, "reference.edit")

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(m.ConstraintSet)
class ConstraintSetAdmin(ReferenceDataAdmin):
    list_display = ("code", "name", "active")
    inlines = [OrganConstraintInline]


@admin.register(m.ChecklistItem)
class ChecklistItemAdmin(ReferenceDataAdmin):
    list_display = ("code", "kind", "text", "active", "order")
    list_filter = ("kind", "active")


@admin.register(m.CtcaeTerm)
class CtcaeTermAdmin(ReferenceDataAdmin):
    list_display = ("code", "term", "term_ko", "soc", "active")


@admin.register(m.GapSensitiveSite)
class GapSensitiveSiteAdmin(ReferenceDataAdmin):
    list_display = ("code", "label", "icd10_prefixes", "icdo3_morphologies", "active")


@admin.register(m.DicomMachineName)
class DicomMachineNameAdmin(ReferenceDataAdmin):
    list_display = ("dicom_name", "machine")


for model in (
    m.Course,
    m.Prescription,
    m.Plan,
    m.PlannedOrganDose,
    m.PriorOrganDose,
    m.Fraction,
    m.Delivery,
    m.BrachySession,
    m.Signature,
    m.PhysicsCheck,
    m.PatientSpecificQA,
    m.DoseOverride,
    m.InterruptionReview,
    m.WeeklyReview,
    m.ToxicityGrade,
):
    admin.site.register(model, ClinicalRecordAdmin)
