from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from oncocenter.accounts.models import ApiToken, Credential, RoleAssignment, User


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 1


class CredentialInline(admin.TabularInline):
    model = Credential
    extra = 0


@admin.register(User)
class StaffAdmin(UserAdmin):
    inlines = [RoleInline, CredentialInline]
    list_display = (
        "username",
        "display_name_ko",
        "first_name",
        "last_name",
        "department",
        "is_active",
    )
    search_fields = ("username", "display_name_ko", "first_name", "last_name")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("OncoCenter", {"fields": ("display_name_ko", "department")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "prefix", "expires_at", "revoked_at", "last_used_at")
    readonly_fields = ("key_hash", "prefix")
