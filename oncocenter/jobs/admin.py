"""Admin: jobs are viewable only; they are started from the pages that need them."""

from __future__ import annotations

from django.contrib import admin

from oncocenter.audit.admin import ClinicalRecordAdmin
from oncocenter.jobs.models import Job


@admin.register(Job)
class JobAdmin(ClinicalRecordAdmin):
    list_display = ("pk", "kind", "status", "created_by", "patient", "attempts", "created_at")
    list_filter = ("status", "kind")
