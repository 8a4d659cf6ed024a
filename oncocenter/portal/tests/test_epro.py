"""The questionnaire rules without a database: branching and the alert rules."""

from __future__ import annotations

import pytest

from oncocenter.portal import epro


def full(value: int = 1) -> dict[str, int]:
    return {epro.answer_key(i.code, a): value for i in epro.ITEMS for a in i.attributes}


def test_a_complete_answer_validates():
    assert epro.validate(epro.ADULT, full(1)) == full(1)


def test_never_skips_the_follow_up_questions():
    answers = full(1)
    answers["pain.frequency"] = 0
    del answers["pain.severity"], answers["pain.interference"]
    clean = epro.validate(epro.ADULT, answers)
    assert "pain.severity" not in clean and clean["pain.frequency"] == 0


def test_a_skipped_question_answered_anyway_is_refused():
    answers = full(1)
    answers["pain.frequency"] = 0
    answers["pain.severity"] = 3
    with pytest.raises(epro.AnswerError) as exc:
        epro.validate(epro.ADULT, answers)
    assert exc.value.field == "pain.severity" and exc.value.rule == "skipped"


@pytest.mark.parametrize(("value", "rule"), [(None, "required"), (5, "range"), (-1, "range")])
def test_missing_or_out_of_range_answers_are_refused(value, rule):
    answers: dict[str, int | None] = dict(full(1))
    answers["mucositis.severity"] = value
    with pytest.raises(epro.AnswerError) as exc:
        epro.validate(epro.ADULT, answers)
    assert exc.value.rule == rule


def test_unknown_question_is_refused():
    answers = full(1)
    answers["hair.severity"] = 1
    with pytest.raises(epro.AnswerError, match="unknown"):
        epro.validate(epro.ADULT, answers)


def test_severe_answers_alert_and_mild_ones_do_not():
    assert epro.evaluate(full(2)) == []
    answers = full(1)
    answers["mucositis.severity"] = 3
    (finding,) = epro.evaluate(answers)
    assert (finding.item, finding.attribute, finding.rule) == ("mucositis", "severity", "severe")


def test_almost_constant_frequency_is_severe_but_frequently_is_not():
    answers = full(1)
    answers["nausea.frequency"] = 3
    assert epro.evaluate(answers) == []
    answers["nausea.frequency"] = 4
    assert [f.rule for f in epro.evaluate(answers)] == ["severe"]


def test_a_rise_of_two_points_is_worsening():
    now = full(1)
    now["fatigue.severity"] = 2
    before = dict(now)
    before["fatigue.severity"] = 0
    (finding,) = epro.evaluate(now, before)
    assert finding.rule == "worsening" and finding.previous == 0
    assert "피로" in epro.describe([finding], "ko")
    before["fatigue.severity"] = 1
    assert epro.evaluate(now, before) == []
