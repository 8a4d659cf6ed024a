"""The shipped reference data is well formed (it seeds editable tables in migrations)."""

from oncocenter.radiotherapy.reference_data import (
    ctcae_terms,
    gap_sensitive_sites,
    mppg_checks,
    oar_constraint_sets,
)
from oncocenter.radiotherapy.rules import Constraint


def test_constraint_sets_parse_and_carry_alpha_beta():
    sets = oar_constraint_sets()
    assert sets and all(s["code"] and "example" in s["source"].lower() for s in sets)
    for s in sets:
        for raw in s["constraints"]:
            c = Constraint.from_dict(raw)
            assert c.alpha_beta_gy > 0 and c.unit in ("Gy", "%")
    organs = {c["organ"] for c in sets[0]["constraints"]}
    assert {"Spinal cord", "Brainstem", "Parotid", "Lungs", "Heart", "Esophagus"} <= organs


def test_mppg_checks_cover_the_three_reviews_with_unique_codes():
    items = mppg_checks()
    assert {i["kind"] for i in items} == {"initial", "weekly", "end"}
    assert len({i["code"] for i in items}) == len(items)
    assert all(i["text"] and i["text_ko"] for i in items)
    assert mppg_checks("weekly") and all(i["kind"] == "weekly" for i in mppg_checks("weekly"))


def test_ctcae_terms_have_consecutive_grades_from_one():
    terms = ctcae_terms()
    codes = {t["code"] for t in terms}
    assert {
        "dermatitis-radiation", "mucositis-oral", "esophagitis", "dysphagia", "fatigue",
        "nausea", "diarrhea", "pneumonitis", "cystitis-noninfective", "proctitis",
    } <= codes  # fmt: skip
    for t in terms:
        grades = sorted(int(g) for g in t["grades"])
        assert grades == list(range(1, len(grades) + 1)), t["code"]
        assert t["term_ko"]
        if "5" in t["grades"]:
            assert t["grades"]["5"] == "Death"


def test_gap_sensitive_sites():
    assert [s["code"] for s in gap_sensitive_sites()] == ["head-neck", "cervix", "lung-scc"]
