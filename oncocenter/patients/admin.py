"""The record completion rows (guardians, consents, care team) are clinical: viewable by
administrators, changed only through the services (`services_record.py`)."""

from django.contrib import admin

from oncocenter.audit.admin import ClinicalRecordAdmin
from oncocenter.patients.models import PatientIdentifier
from oncocenter.patients.models_breakglass import BreakGlassAccess
from oncocenter.patients.models_record import CareTeamMember, Consent, Guardian


@admin.register(Guardian)
class GuardianAdmin(ClinicalRecordAdmin):
    list_display = ("patient", "name_ko", "relationship", "is_legal_representative")
    raw_id_fields = ("patient",)


@admin.register(Consent)
class ConsentAdmin(ClinicalRecordAdmin):
    list_display = ("patient", "kind", "given_by", "signed_on", "withdrawn_on")
    raw_id_fields = ("patient", "guardian", "recorded_by")


@admin.register(CareTeamMember)
class CareTeamMemberAdmin(ClinicalRecordAdmin):
    list_display = ("patient", "user", "role", "is_lead", "since", "until")
    raw_id_fields = ("patient", "user")


@admin.register(PatientIdentifier)
class PatientIdentifierAdmin(ClinicalRecordAdmin):
    list_display = ("patient", "authority", "value", "type_code")
    raw_id_fields = ("patient",)


@admin.register(BreakGlassAccess)
class BreakGlassAccessAdmin(ClinicalRecordAdmin):
    list_display = ("opened_at", "expires_at", "user", "patient", "reason")
    raw_id_fields = ("patient", "user")
