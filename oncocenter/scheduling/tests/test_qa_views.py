"""Machine QA pages (issue 15, item 5): result entry per test list by therapists and physicists,
the physicist's hold review and release (reason required, audited), charts of each test with
tolerance and action bands; allow and deny per role; bad input answered 4xx, nothing saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from oncocenter.audit.models import AuditEvent
from oncocenter.machines import qa
from oncocenter.machines.models import QAHold, QAResult
from oncocenter.machines.tests.factories import machine
from oncocenter.radiotherapy.tests.factories import staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def m():
    linac = machine("LINAC-Q")
    physicist = staff("medical_physicist")
    tests = {
        code: qa.qa_test_define(
            machine=linac,
            code=code,
            name=name,
            frequency=freq,
            nominal=nom,
            tolerance=tol,
            action=act,
            unit=unit,
            by=physicist,
        )
        for code, name, freq, nom, tol, act, unit in [
            ("output-6x", "Output 6 MV", "daily", "100", "2", "3", "%"),
            ("laser", "Lasers", "daily", "0", "1", "2", "mm"),
            ("door", "Door interlock", "daily", "1", "0", "0", "1 = works"),
            ("mlc", "MLC picket fence", "monthly", "0", "0.5", "1", "mm"),
            ("couch", "Couch travel", "annual", "0", "1", "2", "mm"),
        ]
    }
    linac.physicist = physicist
    linac.tests = tests
    return linac


def _as(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _url(m, **q):
    url = reverse("scheduling:machine-qa", args=[m.code])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in q.items()) if q else "")


def _daily(m, output="100.4", laser="0.3", door="1", **extra):
    t = m.tests
    data = {
        "action": "results",
        "frequency": "daily",
        f"value-{t['output-6x'].pk}": output,
        f"value-{t['laser'].pk}": laser,
        f"value-{t['door'].pk}": door,
    }
    data.update(extra)
    return data


@pytest.mark.parametrize("role", ["radiation_therapist", "medical_physicist"])
def test_therapists_and_physicists_enter_the_daily_list(m, role):
    c = _as(staff(role))
    page = c.get(_url(m))
    body = page.content.decode()
    assert page.status_code == 200 and 'data-testid="qa-entry"' in body
    assert 'data-qa-state="daily-missing"' in body
    r = c.post(_url(m), _daily(m))
    assert r.status_code == 302
    assert QAResult.objects.filter(machine=m).count() == 3
    assert qa.qa_state(m).state == qa.QAState.OK
    body = c.get(_url(m)).content.decode()
    assert 'data-qa-state="ok"' in body
    # The service audited each result.
    assert AuditEvent.objects.filter(object_type="machines.qaresult").count() >= 3


@pytest.mark.parametrize("frequency,code", [("monthly", "mlc"), ("annual", "couch")])
def test_monthly_and_annual_lists(m, frequency, code):
    c = _as(staff("medical_physicist"))
    body = c.get(_url(m, frequency=frequency)).content.decode()
    entry = body.split('id="qa-entry-h"')[1].split("</section>")[0]
    assert m.tests[code].name in entry and m.tests["output-6x"].name not in entry
    when = timezone.localtime() - dt.timedelta(days=1)
    r = c.post(
        _url(m),
        {
            "action": "results",
            "frequency": frequency,
            f"value-{m.tests[code].pk}": "0.2",
            "performed_at": when.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert r.status_code == 302
    result = QAResult.objects.get(test=m.tests[code])
    assert timezone.localtime(result.performed_at).date() == when.date()


def test_roles_without_qa_rights_see_but_cannot_enter_or_release(m):
    qa.qa_hold_place(machine=m, by=m.physicist, reason="output drift seen")
    for role in ("nurse", "scheduler", "radiation_oncologist", "dosimetrist"):
        c = _as(staff(role))
        body = c.get(_url(m)).content.decode()
        assert 'data-testid="qa-entry"' not in body and 'data-testid="qa-release"' not in body
        assert c.post(_url(m), _daily(m)).status_code == 403, role
        r = c.post(_url(m), {"action": "release", "reason": "checked and fine"})
        assert r.status_code == 403, role
    # A therapist enters results but does not release.
    t = _as(staff("radiation_therapist"))
    body = t.get(_url(m)).content.decode()
    assert 'data-testid="qa-release"' not in body
    assert t.post(_url(m), {"action": "release", "reason": "looks fine to me"}).status_code == 403
    assert not QAResult.objects.exists()
    assert QAHold.objects.get().released_at is None
    # A teacher does not see machines at all; anonymous goes to sign in.
    assert _as(staff("hospital_school_teacher")).get(_url(m)).status_code == 403
    assert Client().get(_url(m)).status_code == 302


def test_failed_daily_test_holds_then_physicist_reviews_and_releases(m):
    therapist = _as(staff("radiation_therapist"))
    r = therapist.post(
        _url(m), _daily(m, output="104.1", **{f"comment-{m.tests['output-6x'].pk}": "rechecked"})
    )
    assert r.status_code == 302
    assert qa.qa_state(m).state == qa.QAState.HOLD
    board = therapist.get(reverse("scheduling:board")).content.decode()
    assert f'data-testid="qa-{m.code}" data-qa-state="hold"' in board
    phys = _as(m.physicist)
    body = phys.get(_url(m)).content.decode()
    assert (
        'data-testid="qa-hold"' in body and "104.100" in body and 'data-testid="qa-release"' in body
    )
    # Release without a reason: 422 beside the field, still held.
    r = phys.post(_url(m), {"action": "release", "reason": "  "})
    assert r.status_code == 422 and 'role="alert"' in r.content.decode()
    assert qa.qa_state(m).state == qa.QAState.HOLD
    r = phys.post(_url(m), {"action": "release", "reason": "chamber re-measured 100.6 %, OK"})
    assert r.status_code == 302
    hold = QAHold.objects.get()
    assert hold.released_by == m.physicist and hold.release_reason.startswith("chamber")
    assert AuditEvent.objects.filter(object_type="machines.qahold", action="update").exists()
    # Released twice: the interlock answers 409 on the page.
    r = phys.post(_url(m), {"action": "release", "reason": "again, by mistake"})
    assert r.status_code == 409


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"action": "results", "frequency": "daily"}, 422),  # nothing entered
        ({"output": "abc"}, 422),
        ({"output": "1e400"}, 422),
        ({"output": "NaN"}, 422),
        ({"output": "103.0"}, 422),  # outside tolerance without a comment
        ({"performed_at": "2999-01-01T08:00"}, 422),  # in the future
        ({"performed_at": "not a date"}, 422),
        ({"action": "nonsense"}, 400),
    ],
)
def test_bad_input_is_4xx_and_saves_nothing(m, data, status):
    c = _as(staff("radiation_therapist"))
    post = (
        dict(data)
        if data.get("action")
        else _daily(m, **{k: v for k, v in data.items() if k in ("output",)})
    )
    if "performed_at" in data:
        post["performed_at"] = data["performed_at"]
    r = c.post(_url(m), post)
    assert r.status_code == status, r.content.decode()[:3000]
    assert not QAResult.objects.exists()
    assert not QAHold.objects.exists()


def test_unknown_list_and_machine_and_test(m):
    c = _as(staff("radiation_therapist"))
    assert c.get(_url(m, frequency="weekly")).status_code == 400
    assert c.get(reverse("scheduling:machine-qa", args=["NOPE"])).status_code == 404
    assert c.get(reverse("scheduling:machine-qa-chart", args=[m.code, "nope"])).status_code == 404


def test_chart_shows_bands_and_each_result(m):
    t = m.tests["output-6x"]
    now = timezone.now()
    for days, value, comment in [(3, "100.2", ""), (2, "102.5", "warm-up"), (1, "103.5", "fail")]:
        qa.qa_result_record(
            test=t,
            value=value,
            by=m.physicist,
            performed_at=now - dt.timedelta(days=days),
            comment=comment,
        )
    c = _as(staff("nurse"))
    r = c.get(reverse("scheduling:machine-qa-chart", args=[m.code, t.code]))
    body = r.content.decode()
    assert r.status_code == 200
    assert 'class="tolerance-band"' in body and 'class="action-band"' in body
    assert body.count('class="qa-point pass"') == 1
    assert body.count('class="qa-point tolerance"') == 1
    assert body.count('class="qa-point action"') == 1
    assert "style=" not in body.split('data-testid="qa-chart"')[1].split("</figure>")[0]
    # An empty chart says so.
    r = c.get(reverse("scheduling:machine-qa-chart", args=[m.code, "laser"]))
    assert "No results" in r.content.decode()


def test_database_keeps_qa_results_and_holds_append_only(m):
    from django.db import DatabaseError, transaction

    result = qa.qa_result_record(
        test=m.tests["output-6x"], value="104", by=m.physicist, comment="chamber checked twice"
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        QAResult.objects.filter(pk=result.pk).update(value="100")
    hold = QAHold.objects.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        QAHold.objects.filter(pk=hold.pk).update(reason="nothing happened")
    qa.qa_hold_release(machine=m, by=m.physicist, reason="re-measured with a second chamber")
    with pytest.raises(DatabaseError), transaction.atomic():
        QAHold.objects.filter(pk=hold.pk).update(release_reason="edited")
