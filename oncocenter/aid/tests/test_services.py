"""Service rules: each one rejects bad input naming the field, and saves nothing."""

import pytest
from django.db import IntegrityError, transaction

from oncocenter.aid import selectors, services
from oncocenter.aid.models import AidApplication
from oncocenter.aid.tests.factories import AidOrganisationFactory
from oncocenter.core.errors import ValidationFailed
from oncocenter.pediatrics.tests.factories import ChildFactory, staff
from oncocenter.pediatrics.tests.world import REQUIRED_DOCS

pytestmark = pytest.mark.django_db


def _field(exc) -> str:
    return exc.value.problems[0].field


def _application(**kw):
    return services.aid_application_create(
        by=staff(),
        patient=kw.pop("patient", None) or ChildFactory(),
        organisation=AidOrganisationFactory(),
        need="medical_costs",
        amount_requested=kw.pop("amount_requested", 1_000_000),
        documents=kw.pop("documents", REQUIRED_DOCS),
    )


def test_aid_full_flow_and_family_summary():
    a = _application()
    for s in ("submitted", "under_review"):
        services.aid_application_transition(by=staff(), application=a, to_status=s)
    a = services.aid_application_transition(
        by=staff(), application=a, to_status="granted", amount_granted=800_000
    )
    assert a.status == "granted" and a.amount_granted == 800_000 and a.decided_on
    s = selectors.family_aid_summary(a.patient)
    assert s["total_granted"] == 800_000 and s["total_requested"] == 1_000_000
    assert [c.to_status for c in a.status_changes.all()] == ["submitted", "under_review", "granted"]


def test_grant_above_request_without_note_rejected_nothing_saved():
    a = _application()
    services.aid_application_transition(by=staff(), application=a, to_status="submitted")
    services.aid_application_transition(by=staff(), application=a, to_status="under_review")
    with pytest.raises(ValidationFailed) as e:
        services.aid_application_transition(
            by=staff(), application=a, to_status="granted", amount_granted=1_200_000
        )
    assert _field(e) == "amount_granted"
    a.refresh_from_db()
    assert a.status == "under_review" and a.amount_granted is None
    a = services.aid_application_transition(
        by=staff(),
        application=a,
        to_status="granted",
        amount_granted=1_200_000,
        decision_note="Added transport",
    )
    assert a.amount_granted == 1_200_000


def test_grant_above_request_db_constraint():
    a = _application()
    AidApplication.objects.filter(pk=a.pk).update(amount_granted=5)  # fine: below
    with pytest.raises(IntegrityError), transaction.atomic():
        AidApplication.objects.filter(pk=a.pk).update(amount_granted=2_000_000)


def test_aid_illegal_transition_and_missing_documents():
    a = _application(documents=["application_form"])
    with pytest.raises(ValidationFailed) as e:
        services.aid_application_transition(
            by=staff(), application=a, to_status="granted", amount_granted=1
        )
    assert _field(e) == "status"
    with pytest.raises(ValidationFailed) as e:
        services.aid_application_transition(by=staff(), application=a, to_status="submitted")
    assert _field(e) == "documents"
    with pytest.raises(ValidationFailed) as e:
        _application(amount_requested=0)
    assert _field(e) == "amount_requested"
