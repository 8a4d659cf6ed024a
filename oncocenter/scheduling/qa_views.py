"""Machine QA pages (issue 15): per machine the QA state, the result entry of one test list
(daily, monthly, annual) for therapists and physicists, the hold review and release for
physicists (reason required, audited by the service), and a chart of each test over time.

The rules live in `machines.qa` (`qa_result_record`, `qa_hold_release`); these views parse the
input and call them. A batch of results is all or nothing: one refused value (e.g. outside
tolerance without a comment) saves none of them and is shown beside its test.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from oncocenter.accounts.selectors import current_user
from oncocenter.core.errors import Conflict, NotFound, ValidationFailed
from oncocenter.core.forms import DATETIME, DomainForm, run_service
from oncocenter.core.middleware import error_response
from oncocenter.core.permissions import has_perm, require
from oncocenter.core.views import permission_required
from oncocenter.machines import qa
from oncocenter.machines.charts import QAPoint, qa_test_svg
from oncocenter.machines.models import Machine, QAFrequency, QAHold, QAResult, QATest
from oncocenter.machines.selectors import machine_get

CHART_POINTS = 120


class QAEntryForm(forms.Form):
    """One value (and a comment) per active test of one list; empty values are not recorded."""

    performed_at = forms.DateTimeField(
        label=gettext_lazy("Measured at"),
        widget=DATETIME,
        required=False,
        help_text=gettext_lazy("Empty: now."),
    )

    def __init__(self, *args: Any, tests: list[QATest], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "qa-%s")
        super().__init__(*args, **kwargs)
        self.tests = tests
        for t in tests:
            unit = f" ({t.unit})" if t.unit else ""
            self.fields[f"value-{t.pk}"] = forms.DecimalField(
                label=f"{t.name}{unit}",
                required=False,
                max_digits=9,
                decimal_places=3,
                widget=forms.NumberInput(attrs={"step": "any"}),
            )
            self.fields[f"comment-{t.pk}"] = forms.CharField(
                label=_("Comment on %(test)s") % {"test": t.name}, required=False, max_length=300
            )

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"test": t, "value": self[f"value-{t.pk}"], "comment": self[f"comment-{t.pk}"]}
            for t in self.tests
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.tests and all(data.get(f"value-{t.pk}") is None for t in self.tests):
            raise forms.ValidationError(_("Enter at least one measured value."))
        return data


class QAReleaseForm(DomainForm):
    reason = forms.CharField(
        label=gettext_lazy("Review and reason for release"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What was checked, what was found, why treatment may resume."),
    )


def _frequency(request: HttpRequest) -> str | None:
    value = request.POST.get("frequency") or request.GET.get("frequency") or QAFrequency.DAILY
    return value if value in QAFrequency.values else None


def _tests(machine: Machine, frequency: str) -> list[QATest]:
    return list(
        QATest.objects.filter(machine=machine, frequency=frequency, active=True).order_by("code")
    )


def _record_batch(request: HttpRequest, form: QAEntryForm) -> list[QAResult]:
    """Record every entered value in one transaction; a refusal names its test's input."""
    at = form.cleaned_data.get("performed_at")
    results = []
    with transaction.atomic():
        for t in form.tests:
            value = form.cleaned_data.get(f"value-{t.pk}")
            if value is None:
                continue
            try:
                results.append(
                    qa.qa_result_record(
                        test=t,
                        value=value,
                        by=current_user(request),
                        performed_at=at,
                        comment=form.cleaned_data.get(f"comment-{t.pk}", ""),
                    )
                )
            except (ValidationFailed, Conflict) as exc:
                for p in exc.problems:
                    name = f"comment-{t.pk}" if p.field == "comment" else f"value-{t.pk}"
                    if p.field == "performed_at":
                        name = "performed_at"
                    form.add_error(name, p.message)
                if not exc.problems:
                    form.add_error(f"value-{t.pk}", exc.message)
                raise
    return results


@require_http_methods(["GET", "POST"])
@permission_required("machine.view")
def machine_qa(request: HttpRequest, code: str) -> HttpResponse:
    machine = machine_get(code=code)
    frequency = _frequency(request)
    if frequency is None:
        return error_response(
            request,
            status=400,
            title=_("Unknown test list"),
            message=_("frequency: must be one of %(choices)s.")
            % {"choices": ", ".join(QAFrequency.values)},
        )
    tests = _tests(machine, frequency)
    entry = QAEntryForm(tests=tests)
    release = QAReleaseForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "results":
            require(request.user, "machine.qa.record")
            entry = QAEntryForm(request.POST, tests=tests)
            if not tests:
                return error_response(
                    request,
                    status=409,
                    title=_("No tests"),
                    message=_("This machine has no active tests in this list."),
                )
            if not entry.is_valid():
                status = 422
            else:
                try:
                    results = _record_batch(request, entry)
                except (ValidationFailed, Conflict) as exc:
                    status = exc.status
                else:
                    held = any(r.status == "action" for r in results)
                    messages.success(
                        request,
                        _("%(n)d result(s) recorded.") % {"n": len(results)}
                        + (" " + _("The machine is on QA hold.") if held else ""),
                    )
                    return redirect(f"{request.path}?frequency={frequency}")
        elif action == "release":
            require(request.user, "machine.qa.release")
            release = QAReleaseForm(request.POST)
            outcome = run_service(
                request,
                release,
                lambda: qa.qa_hold_release(
                    machine=machine, by=current_user(request), reason=release.cleaned_data["reason"]
                ),
                success=_("QA hold released; the machine may treat again."),
            )
            if outcome.ok:
                return redirect("scheduling:machine-qa", code=machine.code)
            status = outcome.status
        else:
            return error_response(
                request, status=400, title=_("Unknown action"), message=_("Unknown action.")
            )
    state = qa.qa_state(machine)
    hold = state.hold
    context = {
        "machine": machine,
        "state": state,
        "hold": hold,
        "hold_result": hold.result if hold and hold.result_id else None,
        "holds": QAHold.objects.filter(machine=machine)
        .select_related("released_by", "result__test")
        .order_by("-started_at")[:10],
        "frequency": frequency,
        "frequencies": QAFrequency.choices,
        "entry": entry,
        "release": release,
        "recent": QAResult.objects.filter(machine=machine)
        .select_related("test", "performed_by")
        .order_by("-performed_at")[:30],
        "all_tests": QATest.objects.filter(machine=machine, active=True).order_by(
            "frequency", "code"
        ),
        "can_record": has_perm(request.user, "machine.qa.record"),
        "can_release": has_perm(request.user, "machine.qa.release"),
    }
    return render(request, "scheduling/machine_qa.html", context, status=status)


@permission_required("machine.view")
def machine_qa_chart(request: HttpRequest, code: str, test: str) -> HttpResponse:
    machine = machine_get(code=code)
    qa_test = QATest.objects.filter(machine=machine, code=test).first()
    if qa_test is None:
        raise NotFound(
            _("%(machine)s has no QA test %(test)s.") % {"machine": machine.code, "test": test}
        )
    rows = list(
        QAResult.objects.filter(test=qa_test)
        .select_related("performed_by")
        .order_by("-performed_at")[:CHART_POINTS]
    )
    svg = qa_test_svg(
        title=f"{machine.code} · {qa_test.name}",
        unit=qa_test.unit,
        nominal=qa_test.nominal,
        tolerance=qa_test.tolerance,
        action=qa_test.action,
        points=[
            QAPoint(at=timezone.localtime(r.performed_at), value=r.value, status=r.status)
            for r in rows
        ],
        empty_text=_("No results"),
    )
    return render(
        request,
        "scheduling/machine_qa_chart.html",
        {"machine": machine, "test": qa_test, "svg": svg, "rows": rows},
    )
