"""The Django admin never changes the clinical record (issue 14).

Every model registered in `admin.site` uses one of the two base classes of
`oncocenter/audit/admin.py`: `ClinicalRecordAdmin` (view-only, reads audited) or
`ReferenceDataAdmin` (vocabularies, templates, thresholds: edited by `reference.edit`, audited).
Over HTTP an administrator opens a clinical row but cannot add, change or delete one.
"""

from __future__ import annotations

import pytest
from django.contrib import admin

from oncocenter.audit.admin import (
    ClinicalRecordAdmin,
    ClinicalRecordInline,
    ReferenceDataAdmin,
    ReferenceDataInline,
)
from oncocenter.audit.models import AuditEvent

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


@pytest.mark.parametrize(
    "model_admin", [a for _m, a in REGISTERED], ids=[m._meta.label for m, _a in REGISTERED]
)
def test_every_registered_model_uses_a_base_class(model_admin):
    assert isinstance(model_admin, ClinicalRecordAdmin | ReferenceDataAdmin), (
        f"{type(model_admin).__name__} for {model_admin.model._meta.label} must extend "
        "ClinicalRecordAdmin (clinical rows: view-only) or ReferenceDataAdmin (reference data)"
    )


@pytest.mark.parametrize(
    "model_admin", [a for _m, a in REGISTERED], ids=[m._meta.label for m, _a in REGISTERED]
)
def test_inlines_follow_their_parent(model_admin):
    """A view-only record shows view-only rows; reference data edits its rows with it."""
    expected = (
        ReferenceDataInline if isinstance(model_admin, ReferenceDataAdmin) else ClinicalRecordInline
    )
    for inline in model_admin.inlines:
        assert issubclass(inline, expected), f"{inline.__name__} must extend {expected.__name__}"


def _clinical_rows():
    """One row of each kind the clinical core owns, built by its factories."""
    from oncocenter.accounts.tests.factories import CredentialFactory
    from oncocenter.oncology.models import CopayRegistration, copay_expiry
    from oncocenter.oncology.tests.factories import DiagnosisFactory
    from oncocenter.patients.models_record import Guardian
    from oncocenter.referrals.models import Referral

    diagnosis = DiagnosisFactory()
    patient = diagnosis.patient
    registered = diagnosis.diagnosed_on
    return {
        "oncology/diagnosis": diagnosis,
        "oncology/copayregistration": CopayRegistration.objects.create(
            patient=patient, registered_on=registered, expires_on=copay_expiry(registered)
        ),
        "patients/guardian": Guardian.objects.create(
            patient=patient, name_ko="김영희", relationship="mother"
        ),
        "referrals/referral": Referral.objects.create(
            patient=patient,
            from_department="surgery",
            to_department="radiology",
            reason="?",
            requested_at=diagnosis.created_at,
        ),
        "accounts/credential": CredentialFactory(),
    }


@pytest.mark.django_db
def test_administrator_views_but_cannot_change_a_clinical_row(client_as):
    client = client_as("administrator")
    for path, row in _clinical_rows().items():
        url = f"/admin/{path}/{row.pk}/change/"
        before = AuditEvent.objects.filter(action="read").count()
        response = client.get(url)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert 'name="_save"' not in html, path  # no save button: the form is read-only
        assert AuditEvent.objects.filter(action="read").count() == before + 1, path
        assert client.post(url, {}).status_code == 403, path
        assert client.get(f"/admin/{path}/add/").status_code == 403, path
        assert client.post(f"/admin/{path}/{row.pk}/delete/", {"post": "yes"}).status_code == 403
        type(row).objects.get(pk=row.pk)  # still there


@pytest.mark.django_db
def test_administrator_edits_reference_data_with_an_audit_event(client_as):
    from oncocenter.mdt.models import BoardType

    board = BoardType.objects.create(
        code="test", name_en="Test board", name_ko="시험", required_disciplines=["surgery"]
    )
    client = client_as("administrator")
    url = f"/admin/mdt/boardtype/{board.pk}/change/"
    data = {
        "code": "test",
        "name_en": "Test board",
        "name_ko": "시험 위원회",
        "required_disciplines": '["surgery", "pathology"]',
    }
    response = client.post(url, {**data, "required_disciplines": '["astrology"]'})
    assert response.status_code == 200 and "astrology" in response.content.decode()
    assert client.post(url, data).status_code == 302
    board.refresh_from_db()
    assert board.required_disciplines == ["surgery", "pathology"]
    assert AuditEvent.objects.filter(action="update", object_type="mdt.boardtype").exists()
    assert (
        client.post(f"/admin/mdt/boardtype/{board.pk}/delete/", {"post": "yes"}).status_code == 403
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["nurse", "radiation_oncologist", "scheduler"])
def test_the_admin_is_for_administrators_only(client_as, role):
    response = client_as(role).get("/admin/oncology/diagnosis/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
