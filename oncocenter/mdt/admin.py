"""Board types are reference data (which disciplines make a quorum): editable by `reference.edit`,
audited. Meetings, attendance, cases and recommendations are clinical: view-only here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from oncocenter.audit.admin import ClinicalRecordAdmin, ReferenceDataAdmin
from oncocenter.mdt.models import Attendance, BoardCase, BoardType, Meeting, Recommendation
from oncocenter.referrals.models import Department


class BoardTypeForm(forms.ModelForm):
    class Meta:
        model = BoardType
        fields = ("code", "name_en", "name_ko", "required_disciplines")

    def clean_required_disciplines(self) -> Any:
        value = self.cleaned_data["required_disciplines"]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise forms.ValidationError(_("must be a list of department codes"))
        unknown = [v for v in value if v not in Department.values]
        if unknown:
            raise forms.ValidationError(
                _("unknown department code(s): %(codes)s") % {"codes": ", ".join(unknown)}
            )
        return value


@admin.register(BoardType)
class BoardTypeAdmin(ReferenceDataAdmin):
    form = BoardTypeForm
    list_display = ("code", "name_en", "name_ko", "required_disciplines")


@admin.register(Meeting)
class MeetingAdmin(ClinicalRecordAdmin):
    list_display = ("board_type", "held_on", "status", "location")
    list_filter = ("board_type", "status")


@admin.register(Attendance)
class AttendanceAdmin(ClinicalRecordAdmin):
    list_display = ("meeting", "user", "discipline")


@admin.register(BoardCase)
class BoardCaseAdmin(ClinicalRecordAdmin):
    list_display = ("meeting", "patient", "question")
    raw_id_fields = ("patient", "diagnosis")


@admin.register(Recommendation)
class RecommendationAdmin(ClinicalRecordAdmin):
    list_display = ("case", "intent", "quorum_met")
