"""Admin: the editable reference data (constraint sets, checklist, CTCAE terms, gap-sensitive
sites, DICOM machine names), with audited saves. Clinical records are viewable only: they change
through the services, with their interlocks and signatures."""

from __future__ import annotations

from django.contrib import admin

from oncocenter.audit.admin import ClinicalRecordAdmin, ReferenceDataAdmin, ReferenceDataInline
from oncocenter.radiotherapy import models as m


class OrganConstraintInline(ReferenceDataInline):
    """A constraint set's limits, edited with the set (same permission, audited by its save)."""

    model = m.OrganConstraint
    extra = 0


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
    m.TreatmentRecordImport,
    m.ImageReview,
):
    admin.site.register(model, ClinicalRecordAdmin)
