"""Admin: operations, complications, pathology and response assessments are view-only here."""

from __future__ import annotations

from django.contrib import admin

from oncocenter.audit.admin import ClinicalRecordAdmin
from oncocenter.surgery import models as m

for model in (m.Operation, m.Complication, m.PathologyReport, m.ResponseAssessment, m.TargetLesion):
    admin.site.register(model, ClinicalRecordAdmin)
