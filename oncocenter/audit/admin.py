"""Base classes for every app's `admin.py`: the Django admin never changes the clinical record.

- `ClinicalRecordAdmin`: clinical rows (diagnoses, courses, appointments, admissions, consents,
  ...) are viewable by administrators and never added, changed or deleted here: those writes go
  through the services, with their interlocks and the audit trail. Opening a row is audited as a
  read of the patient's data, a list as a search.
- `ReferenceDataAdmin`: reference data (vocabularies, templates, thresholds, rooms) may be added
  and changed by roles holding `reference.edit`; every save is audited. Nothing is deleted here
  (rows are referenced by the record; retire them with their own `active` flag instead).

Access follows the one permission table (`admin.view`, `reference.edit`), not Django's per-model
permissions, and not `is_superuser`: a superuser gets no more than an administrator.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.permissions import has_perm


def _patient_of(obj: Any) -> Any:
    for path in ("patient", "course.patient", "prescription.patient", "episode.patient"):
        value = obj
        for part in path.split("."):
            value = getattr(value, part, None)
            if value is None:
                break
        if value is not None:
            return value
    return None


class _PermissionTableAdmin(admin.ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return has_perm(request.user, "admin.view")

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return has_perm(request.user, "admin.view")

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ClinicalRecordAdmin(_PermissionTableAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        # The change view already loaded the row; read it from the response, not the database again.
        context = getattr(response, "context_data", None) or {}
        obj = context.get("original")
        if obj is not None and response.status_code == 200:
            audit_record(
                action=AuditAction.READ, obj=obj, patient=_patient_of(obj), detail={"admin": True}
            )
        return response

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        if response.status_code == 200:
            audit_record(
                action=AuditAction.SEARCH,
                object_type=self.model._meta.label_lower,
                object_id="admin",
                detail={"query": request.GET.urlencode()[:200]},
            )
        return response


class ReferenceDataAdmin(_PermissionTableAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return has_perm(request.user, "reference.edit")

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return has_perm(request.user, "reference.edit")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            action=AuditAction.UPDATE if change else AuditAction.CREATE,
            obj=obj,
            detail={"admin": True, "fields": sorted(form.changed_data)},
        )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects + [o for o, _fields in formset.changed_objects]:
            audit_record(action=AuditAction.UPDATE, obj=obj, detail={"admin": True})


class _PermissionTableInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return has_perm(request.user, "admin.view")

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ClinicalRecordInline(_PermissionTableInline):
    """Rows shown inside a view-only clinical (or staff) record: never added or changed here."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ReferenceDataInline(_PermissionTableInline):
    """Rows edited with their reference-data parent (a machine's techniques, a ward's beds), under
    the same permission; saved and audited through `ReferenceDataAdmin.save_formset`."""

    extra = 1

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return has_perm(request.user, "reference.edit")

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return has_perm(request.user, "reference.edit")


# Background-job results keep their arguments and return values, which can name patients: the
# admin shows them under the same view-only, audited, permission-table rules as clinical rows.
from django_tasks_db.admin import DBTaskResultAdmin  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class JobResultAdmin(ClinicalRecordAdmin, DBTaskResultAdmin):
    pass
