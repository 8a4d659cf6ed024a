import copy
import json
from datetime import date

import pytest

from oncocenter.followup.protocols import (
    DATA_DIR,
    Exposure,
    Survivor,
    TemplateError,
    add_months,
    applies,
    generate_late_effects,
    generate_plan,
    load_shipped_templates,
    merge_due,
    overdue_days,
    rank_dates_for_due,
    validate_late_effects,
    validate_protocol,
)

T = load_shipped_templates()


def test_shipped_templates_load_and_validate():
    assert set(T) == {
        "esophagus-esophagectomy",
        "esophagus-definitive-crt",
        "after-radiotherapy",
        "childhood-late-effects",
    }
    for path in DATA_DIR.glob("*.json"):
        json.loads(path.read_text(encoding="utf-8"))


def test_add_months_clamps():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)
    assert add_months(date(2026, 11, 15), 0) == date(2026, 11, 15)


def test_esophagectomy_visits_3_6_12():
    plan = generate_plan(T["esophagus-esophagectomy"], treatment_end=date(2026, 1, 10))
    visits = [d.due_on for d in plan if d.item_code == "visit"]
    assert visits[:3] == [date(2026, 4, 10), date(2026, 7, 10), date(2026, 10, 10)]
    assert date(2028, 1, 10) in visits  # month 24
    assert date(2028, 7, 10) in visits  # month 30: every 6 months after year 2
    assert date(2028, 4, 10) not in visits
    assert date(2032, 1, 10) in visits and date(2031, 7, 10) not in visits  # yearly after 5
    assert max(visits) == date(2036, 1, 10)
    assert len(visits) == len(set(visits))
    post = [d for d in plan if d.item_code == "postop-visit"]
    assert post[0].due_on == date(2026, 2, 10) and post[0].appointment_type == "follow-up"
    assert plan == sorted(plan, key=lambda d: (d.due_on, d.item_code))


def test_nutrition_items_merge_overlapping_blocks():
    plan = generate_plan(T["esophagus-esophagectomy"], treatment_end=date(2026, 1, 10))
    months = [d.due_on for d in plan if d.item_code == "nutrition-review"]
    assert months == [
        date(2026, 2, 10),
        date(2026, 3, 10),
        date(2026, 4, 10),
        date(2026, 7, 10),
        date(2026, 10, 10),
        date(2027, 1, 10),
    ]


def test_rt_template_fills_treated_field_and_watches_second_cancer():
    plan = generate_plan(
        T["after-radiotherapy"],
        treatment_end=date(2026, 3, 1),
        context={"field": "mediastinum"},
        context_ko={"field": "종격동"},
    )
    second = [d for d in plan if d.item_code == "second-cancer-in-field"]
    assert second[0].due_on == date(2031, 3, 1)  # from year 5
    assert "mediastinum" in second[0].name_en and "종격동" in second[0].name_ko
    late = next(d for d in plan if d.item_code == "late-toxicity")
    assert "mediastinum" in late.name_en


def test_default_context_placeholder():
    plan = generate_plan(T["after-radiotherapy"], treatment_end=date(2026, 3, 1))
    assert all("{" not in d.name_en for d in plan)


def test_selection_by_diagnosis_and_modalities():
    surg = {"surgery", "chemotherapy", "radiotherapy"}
    crt = {"chemotherapy", "radiotherapy"}
    assert applies(T["esophagus-esophagectomy"], icd10_code="C15.4", modalities=surg)
    assert not applies(T["esophagus-definitive-crt"], icd10_code="C15.4", modalities=surg)
    assert applies(T["esophagus-definitive-crt"], icd10_code="C15.4", modalities=crt)
    assert not applies(T["esophagus-definitive-crt"], icd10_code="C34.1", modalities=crt)
    assert applies(T["after-radiotherapy"], icd10_code="C34.1", modalities=crt)
    assert not applies(T["after-radiotherapy"], icd10_code="C15.4", modalities={"surgery"})


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda t: t.update(format="x"), "format"),
        (lambda t: t["items"][0].update(kind="party"), "items[0].kind"),
        (
            lambda t: t["items"][1]["schedule"][0].update(every_months=0),
            "items[1].schedule[0].every_months",
        ),
        (
            lambda t: t["items"][1]["schedule"][0].update(to_month=0),
            "items[1].schedule[0].to_month",
        ),
        (lambda t: t["items"][0]["name"].pop("ko"), "items[0].name.ko"),
        (lambda t: t["items"].append(copy.deepcopy(t["items"][0])), "items[6].code"),
        (
            lambda t: t["applies_to"].update(requires_modalities=["magic"]),
            "applies_to.requires_modalities",
        ),
    ],
)
def test_protocol_validation_locates_error(mutate, path):
    t = copy.deepcopy(T["esophagus-esophagectomy"])
    mutate(t)
    with pytest.raises(TemplateError) as exc:
        validate_protocol(t)
    assert exc.value.path == path


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda r: r["rules"][0].update(exposure="sunlight"), "rules[0].exposure"),
        (lambda r: r["rules"][0].update(start={}), "rules[0].start"),
        (lambda r: r["rules"][0].pop("interval_months"), "rules[0].interval_months"),
        (lambda r: r["rules"][0]["when"].update(sex="X"), "rules[0].when.sex"),
    ],
)
def test_late_effect_validation_locates_error(mutate, path):
    r = copy.deepcopy(T["childhood-late-effects"])
    mutate(r)
    with pytest.raises(TemplateError) as exc:
        validate_late_effects(r)
    assert exc.value.path == path


LE = T["childhood-late-effects"]


def _survivor(sex="F", exposures=()):
    # born 2010-06-01, therapy ended 2020-06-01 (age 10)
    return Survivor(date(2010, 6, 1), sex, date(2020, 6, 1), tuple(exposures))


def test_chest_rt_breast_screening_later_of_age_25_and_8_years():
    s = _survivor(exposures=[Exposure("chest_rt", date(2020, 5, 1), 20.0)])
    due = generate_late_effects(LE, s, until=date(2040, 1, 1))
    breast = [d for d in due if d.item_code == "breast-mri-mammography"]
    # 8 years after RT = 2028-05, age 25 = 2035-06 -> later
    assert breast[0].due_on == date(2035, 6, 1)
    assert [d.due_on.year for d in breast] == [2035, 2036, 2037, 2038, 2039]
    assert "breast" in breast[0].rationale_en.lower()


def test_chest_rt_low_dose_or_male_no_breast_screening():
    low = _survivor(exposures=[Exposure("chest_rt", date(2020, 5, 1), 9.0)])
    male = _survivor("M", exposures=[Exposure("chest_rt", date(2020, 5, 1), 20.0)])
    for s in (low, male):
        due = generate_late_effects(LE, s, until=date(2040, 1, 1))
        assert not [d for d in due if d.item_code == "breast-mri-mammography"]


def test_anthracycline_echo_interval_by_dose():
    high = _survivor(exposures=[Exposure("anthracycline", date(2020, 6, 1), 300.0)])
    low = _survivor(exposures=[Exposure("anthracycline", date(2020, 6, 1), 150.0)])
    h = [d.due_on for d in generate_late_effects(LE, high, until=date(2032, 12, 31))]
    lo = [d.due_on for d in generate_late_effects(LE, low, until=date(2032, 12, 31))]
    assert h == [
        date(2022, 6, 1),
        date(2024, 6, 1),
        date(2026, 6, 1),
        date(2028, 6, 1),
        date(2030, 6, 1),
        date(2032, 6, 1),
    ]
    assert lo == [date(2022, 6, 1), date(2027, 6, 1), date(2032, 6, 1)]


def test_cranial_rt_endocrine_growth_until_18_and_baseline_neurocognitive():
    s = _survivor(exposures=[Exposure("cranial_rt", date(2020, 6, 1), 24.0)])
    due = generate_late_effects(LE, s, until=date(2035, 1, 1))
    neuro = [d for d in due if d.item_code == "neurocognitive-testing"]
    assert [d.due_on for d in neuro] == [date(2022, 6, 1)]
    growth = [d.due_on for d in due if d.item_code == "growth-puberty"]
    assert growth[0] == date(2022, 6, 1) and max(growth) <= date(2028, 6, 1)
    assert len(growth) == 13  # every 6 months from age 12 to 18
    endo = [d.due_on for d in due if d.item_code == "endocrine-panel"]
    assert endo[:2] == [date(2022, 6, 1), date(2023, 6, 1)]


def test_low_dose_cranial_rt_only_neurocognitive():
    s = _survivor(exposures=[Exposure("cranial_rt", date(2020, 6, 1), 12.0)])
    codes = {d.item_code for d in generate_late_effects(LE, s, until=date(2035, 1, 1))}
    assert codes == {"neurocognitive-testing"}


def test_second_cancer_in_field_uses_exposure_field():
    s = _survivor(exposures=[Exposure("any_rt", date(2020, 6, 1), 36.0, field="pelvis")])
    due = generate_late_effects(LE, s, until=date(2024, 1, 1))
    assert due[0].name_en.endswith("(pelvis) for a second cancer")


def test_alkylating_gonadal_from_age_13():
    s = _survivor(exposures=[Exposure("alkylating", date(2020, 6, 1), 8000.0)])
    due = generate_late_effects(LE, s, until=date(2035, 1, 1))
    assert [d.due_on for d in due] == [date(2023, 6, 1)]


def test_merge_due_drops_duplicates_within_window():
    s = _survivor(
        exposures=[
            Exposure("anthracycline", date(2020, 6, 1), 300.0),
            Exposure("anthracycline", date(2020, 7, 1), 300.0),
        ]
    )
    due = generate_late_effects(LE, s, until=date(2025, 1, 1))
    assert len(due) == 4
    assert len(merge_due(due)) == 2


def test_overdue_and_suggestions():
    due = date(2026, 12, 1)
    assert overdue_days(due_on=due, window_days=21, today=date(2026, 12, 20)) == 0
    assert overdue_days(due_on=due, window_days=21, today=date(2026, 12, 25)) == 3
    cands = [date(2026, 11, 5), date(2026, 11, 26), date(2026, 12, 3), date(2027, 1, 20)]
    assert rank_dates_for_due(
        due_on=due, window_days=21, candidates=cands, today=date(2026, 11, 1)
    ) == [
        date(2026, 12, 3),
        date(2026, 11, 26),
    ]
    # overdue: soonest future dates
    assert rank_dates_for_due(
        due_on=date(2026, 9, 1), window_days=21, candidates=cands, today=date(2026, 11, 1), limit=2
    ) == [date(2026, 11, 5), date(2026, 11, 26)]
