import copy

import pytest

from oncocenter.nutrition.qol import (
    QuestionnaireError,
    detect_drops,
    load_shipped_questionnaires,
    score,
    validate_questionnaire,
)

Q = load_shipped_questionnaires()["esophageal-qol-example"]


def test_best_and_worst_answers_score_100_and_0():
    best = {it["code"]: (1 if it["reverse"] else 4) for it in Q["items"]}
    worst = {it["code"]: (4 if it["reverse"] else 1) for it in Q["items"]}
    assert set(score(Q, best).values()) == {100.0}
    assert set(score(Q, worst).values()) == {0.0}


def test_subscale_needs_half_of_items():
    res = score(Q, {"eat_solid": 4})  # 1 of 3 eating items
    assert res["eating"] is None
    res = score(Q, {"eat_solid": 4, "swallow_trouble": 2})
    assert res["eating"] == pytest.approx((100 + 66.7) / 2, abs=0.1)
    assert score(Q, {"walk": 3})["physical"] == pytest.approx(66.7)


def test_bad_answers_name_the_item():
    with pytest.raises(QuestionnaireError) as exc:
        score(Q, {"eat_solid": 5})
    assert exc.value.path == "eat_solid"
    with pytest.raises(QuestionnaireError) as exc:
        score(Q, {"nope": 1})
    assert exc.value.path == "nope"


def test_drop_detection():
    drops = detect_drops(
        {"eating": 80.0, "physical": 70.0, "emotional": None},
        {"eating": 60.0, "physical": 65.0, "emotional": 20.0},
        threshold_points=15,
    )
    assert [(x.subscale, x.points) for x in drops] == [("eating", 20.0)]


def test_definition_validation():
    q = copy.deepcopy(Q)
    q["items"][0]["subscale"] = "mystery"
    with pytest.raises(QuestionnaireError) as exc:
        validate_questionnaire(q)
    assert exc.value.path == "items[0].subscale"
    q = copy.deepcopy(Q)
    q["scale"] = {"min": 3, "max": 1}
    with pytest.raises(QuestionnaireError) as exc:
        validate_questionnaire(q)
    assert exc.value.path == "scale"
