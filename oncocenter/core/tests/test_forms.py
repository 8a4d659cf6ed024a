import pytest
from django import forms
from django.test import RequestFactory

from oncocenter.core.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from oncocenter.core.forms import DomainForm, run_service


class DoseForm(DomainForm):
    field_aliases = {"dose_per_fraction": "dose"}
    dose = forms.DecimalField(label="Dose per fraction (Gy)")
    site = forms.CharField(label="Site")


def test_problems_go_beside_their_field_or_above_with_a_label():
    form = DoseForm(data={"dose": "2", "site": "lung"})
    assert form.is_valid()
    form.add_domain_errors(
        ValidationFailed(
            [
                FieldProblem("dose_per_fraction", "must be at most 20"),
                FieldProblem("site", "is unknown"),
                FieldProblem("machine_code", "is out of service", label="Machine"),
                FieldProblem("total_dose_gy", "does not add up"),
            ]
        )
    )
    assert form.errors["dose"] == ["must be at most 20"]
    assert form.errors["site"] == ["is unknown"]
    assert form.non_field_errors() == [
        "Machine: is out of service",
        "Total dose gy: does not add up",
    ]


def test_a_conflict_shows_its_message():
    form = DoseForm(data={"dose": "2", "site": "lung"})
    form.is_valid()
    form.add_domain_errors(Conflict("The plan is not approved.", rule="plan_approved"))
    assert form.non_field_errors() == ["The plan is not approved."]


@pytest.mark.django_db
def test_run_service_reports_the_outcome():
    from django.contrib.messages.storage.fallback import FallbackStorage

    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)

    bad = DoseForm(data={"dose": "x", "site": ""})
    assert run_service(request, bad, lambda: 1).status == 422

    form = DoseForm(data={"dose": "2", "site": "lung"})
    outcome = run_service(request, form, lambda: 7, success=lambda v: f"saved {v}")
    assert outcome and outcome.value == 7
    assert [str(m) for m in request._messages] == ["saved 7"]

    def refuse() -> None:
        raise Conflict("Slot taken.", rule="slot")

    form = DoseForm(data={"dose": "2", "site": "lung"})
    outcome = run_service(request, form, refuse)
    assert not outcome and outcome.status == 409
    assert form.non_field_errors() == ["Slot taken."]

    def missing() -> None:
        raise NotFound("gone")

    with pytest.raises(NotFound):
        run_service(request, DoseForm(data={"dose": "2", "site": "lung"}), missing)
