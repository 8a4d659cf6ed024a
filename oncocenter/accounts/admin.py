"""Staff accounts in the Django admin: view-only. Staff, roles and credentials are managed on
the staff pages (`accounts:staff`, permission `staff.manage`), through audited services; API
tokens by their owners on "My account"."""

from django.contrib import admin
from django.contrib.auth.models import Group

from oncocenter.accounts.models import ApiToken, Credential, RoleAssignment, User
from oncocenter.audit.admin import ClinicalRecordAdmin, ClinicalRecordInline

# Roles are OncoCenter's own (RoleAssignment and the permission table), not Django groups.
admin.site.unregister(Group)


class RoleInline(ClinicalRecordInline):
    model = RoleAssignment


class CredentialInline(ClinicalRecordInline):
    model = Credential


@admin.register(User)
class StaffAdmin(ClinicalRecordAdmin):
    inlines = [RoleInline, CredentialInline]
    list_display = (
        "username",
        "display_name_ko",
        "first_name",
        "last_name",
        "department",
        "is_active",
    )
    list_filter = ("is_active", "role_assignments__role")
    search_fields = ("username", "display_name_ko", "first_name", "last_name")
    # Never the password hash, nor Django's per-model permissions (unused: see core.permissions).
    fields = (
        "username",
        "display_name_ko",
        "first_name",
        "last_name",
        "department",
        "email",
        "is_active",
        "is_staff",
        "last_login",
        "date_joined",
    )


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ClinicalRecordAdmin):
    list_display = ("user", "role", "created_at")
    list_filter = ("role",)


@admin.register(Credential)
class CredentialAdmin(ClinicalRecordAdmin):
    list_display = ("user", "kind", "number", "issued_on", "expires_on")
    list_filter = ("kind",)


@admin.register(ApiToken)
class ApiTokenAdmin(ClinicalRecordAdmin):
    list_display = ("user", "name", "prefix", "expires_at", "revoked_at", "last_used_at")
    # The hash is useless to a reader and need not leave the database.
    exclude = ("key_hash",)
