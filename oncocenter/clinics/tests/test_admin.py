"""The Django admin of clinics, follow-up and nutrition never changes the clinical record:
reference data is editable (audited), clinical rows are view-only."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from oncocenter.accounts.tests.factories import UserFactory
from oncocenter.audit.admin import ClinicalRecordAdmin, ReferenceDataAdmin
from oncocenter.clinics import models as clinics
from oncocenter.followup import models as followup
from oncocenter.nutrition import models as nutrition

pytestmark = pytest.mark.django_db

REFERENCE = [
    clinics.PriorityPolicy,
    clinics.CalendarException,
    clinics.ClinicTemplate,
    clinics.Ward,
    followup.ProtocolTemplate,
    nutrition.AlertSettings,
    nutrition.Questionnaire,
]
CLINICAL = [
    clinics.ClinicSession,
    clinics.Appointment,
    clinics.WaitlistEntry,
    clinics.Admission,
    clinics.ReadmissionRequest,
    followup.FollowUpPlan,
    followup.DueItem,
    followup.FollowUpEvent,
    nutrition.NutritionRecord,
    nutrition.NRSScreening,
    nutrition.Milestone,
    nutrition.NutritionAlert,
    nutrition.QoLResponse,
    nutrition.QoLAlert,
]


def _request(*roles):
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(roles=list(roles))
    return request


@pytest.mark.parametrize("model", REFERENCE, ids=lambda m: m.__name__)
def test_reference_data_is_editable_by_administrators_only(model):
    model_admin = admin.site._registry[model]
    assert isinstance(model_admin, ReferenceDataAdmin)
    assert model_admin.has_change_permission(_request("administrator"))
    assert not model_admin.has_change_permission(_request("scheduler"))
    assert not model_admin.has_delete_permission(_request("administrator"))


@pytest.mark.parametrize("model", CLINICAL, ids=lambda m: m.__name__)
def test_clinical_rows_are_view_only(model):
    model_admin = admin.site._registry[model]
    assert isinstance(model_admin, ClinicalRecordAdmin)
    request = _request("administrator")
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_single_row_settings_are_never_doubled():
    request = _request("administrator")
    clinics.PriorityPolicy.objects.get_or_create(id=1)
    nutrition.AlertSettings.objects.get_or_create(id=1)
    assert not admin.site._registry[clinics.PriorityPolicy].has_add_permission(request)
    assert not admin.site._registry[nutrition.AlertSettings].has_add_permission(request)


def test_beds_are_edited_with_their_ward_and_never_deleted():
    ward_admin = admin.site._registry[clinics.Ward]
    (inline,) = ward_admin.get_inline_instances(_request("administrator"))
    assert inline.has_change_permission(_request("administrator"))
    assert not inline.has_delete_permission(_request("administrator"))
    assert not inline.has_change_permission(_request("nurse"))
