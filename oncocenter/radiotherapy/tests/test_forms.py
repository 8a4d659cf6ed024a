"""The course page's forms: no default checklist answer, problems beside the field they name
(by its label), in the user's language; 404 for what is not part of the course."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from oncocenter.radiotherapy import forms as f
from oncocenter.radiotherapy.models import ChecklistKind, PhysicsCheck, Prescription
from oncocenter.radiotherapy.selectors import checklist
from oncocenter.radiotherapy.tests.factories import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world()


def as_user(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def act(client, course, action, data, htmx=True, **headers):
    if htmx:
        headers["HTTP_HX_REQUEST"] = "true"
    return client.post(reverse("radiotherapy:action", args=[course.pk, action]), data, **headers)


def _field_block(body: str, input_id: str) -> str:
    """The `<div class="field ...">` holding the input with this id."""
    match = re.search(
        r'<div class="field[^"]*">(?:(?!<div class="field).)*?id="'
        + re.escape(input_id)
        + r'".*?</div>',
        body,
        re.S,
    )
    assert match, input_id
    return match.group(0)


def test_checklists_have_no_default_answer(w):
    w.make_rx()
    form = f.PhysicsCheckForm(course=w.course, key=1)
    items = list(checklist(ChecklistKind.INITIAL))
    assert items and all(form[f"item-{i.code}"].initial is None for i in items)
    assert all(form.fields[f"item-{i.code}"].required for i in items)
    assert "checked" not in str(form[f"item-{items[0].code}"])
    chart = f.ChartCheckForm(course=w.course, key="weekly")
    first = next(chart.rows())[1]
    assert first.field.required and '<option value="" selected>' in str(first)


def test_a_physics_check_without_answers_is_refused_item_by_item(w):
    w.make_rx()
    from oncocenter.radiotherapy import services as s

    s.prescription_sign(prescription=w.rx, by=w.ro)
    w.make_plan()
    s.plan_approve(plan=w.plan, by=w.ro)
    r = act(as_user(w.physicist), w.course, "physics-check", {"target": w.plan.pk})
    assert r.status_code == 422
    body = r.content.decode()
    assert body.count("This field is required.") == checklist(ChecklistKind.INITIAL).count()
    assert "<html" not in body  # the course body, re-rendered for htmx
    assert not PhysicsCheck.objects.exists()


def test_a_service_problem_is_shown_beside_its_field_with_the_label(w):
    w.make_course()
    r = act(
        as_user(w.ro),
        w.course,
        "rx-create",
        {"site": "", "technique": "3D", "dose_per_fraction_gy": "2", "intent": "curative"},
    )
    assert r.status_code == 422
    body = r.content.decode()
    site = _field_block(body, "rx-site")
    assert "has-error" in site and "Treatment site" in site and "is required" in site
    count = _field_block(body, "rx-n")
    assert "Number of fractions" in count and "must be a whole number" in count
    assert not Prescription.objects.exists()


def test_problems_speak_korean(w):
    w.make_course()
    client = as_user(w.ro)
    r = act(
        client,
        w.course,
        "rx-create",
        {
            "site": "Lung",
            "technique": "3D",
            "dose_per_fraction_gy": "2",
            "number_of_fractions": "99",
            "intent": "curative",
        },
        HTTP_ACCEPT_LANGUAGE="ko",
    )
    assert r.status_code == 422
    assert "1에서 60 사이여야 합니다" in _field_block(r.content.decode(), "rx-n")


def test_an_interlock_is_409_with_its_message_where_the_step_stands(w):
    w.make_rx()
    w.make_plan()
    r = act(as_user(w.ro), w.course, "plan-approve", {"target": w.plan.pk})
    assert r.status_code == 409
    body = r.content.decode()
    plan_block = body[body.index(f'id="plan-{w.plan.pk}"') :]
    assert "signed before the plan is approved" in plan_block[: plan_block.index("</div>\n")]


def test_records_outside_the_course_and_unknown_steps_are_404(w):
    from oncocenter.patients.tests.factories import PatientFactory
    from oncocenter.radiotherapy import services as s

    other = s.course_create(
        patient=PatientFactory(), label="Other", intent="curative", physician=w.ro, by=w.ro
    )
    w.make_rx()
    w.course, mine = other, w.course
    foreign = w.make_rx()
    client = as_user(w.ro)
    assert act(client, mine, "rx-sign", {"target": foreign.pk}, htmx=False).status_code == 404
    w.course = mine
    assert act(client, w.course, "no-such-step", {}, htmx=False).status_code == 404
    missing = client.get(reverse("radiotherapy:course", args=[999999]))
    assert missing.status_code == 404 and 'class="sidenav"' in missing.content.decode()
    assert client.get(reverse("radiotherapy:patient", args=["NOPE"])).status_code == 404


def test_override_form_carries_its_constraint_and_signs_it(w):
    from oncocenter.radiotherapy import services as s

    w.make_rx()
    s.prescription_sign(prescription=w.rx, by=w.ro)
    w.make_plan()
    s.plan_set_organ_doses(
        plan=w.plan,
        by=w.dosimetrist,
        doses=[{"organ": "Spinal cord", "metric": "Dmax", "value": 52, "unit": "Gy"}],
    )
    client = as_user(w.ro)
    page = client.get(reverse("radiotherapy:course", args=[w.course.pk])).content.decode()
    form = page[page.index("do/override/") :]
    form = form[: form.index("</form>")]
    assert 'name="organ" value="Spinal cord"' in form and 'name="cumulative" value="0"' in form
    short = {"target": w.plan.pk, "organ": "Spinal cord", "metric": "Dmax", "cumulative": "0"}
    r = act(client, w.course, "override", {**short, "justification": "ok"})
    assert r.status_code == 422 and "at least 20 characters" in r.content.decode()
    justification = "palliative re-treatment, cord dose accepted"
    r = act(client, w.course, "override", {**short, "justification": justification}, htmx=False)
    assert r.status_code == 302 and w.plan.overrides.get().justification == justification
