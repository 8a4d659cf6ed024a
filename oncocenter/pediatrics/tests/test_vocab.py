"""Data files are well formed: unique codes, bilingual labels, consistent references."""

import pytest

from oncocenter.aid import vocab as aid_vocab
from oncocenter.pediatrics import vocab
from oncocenter.shelter import vocab as shelter_vocab
from oncocenter.socialwork import vocab as socialwork_vocab

LISTS = [
    vocab.donor_types,
    vocab.conditioning_regimens,
    aid_vocab.aid_documents,
    socialwork_vocab.social_work_domains,
    lambda: vocab.gvhd()["acute"]["organs"],
    lambda: vocab.gvhd()["chronic"]["organs"],
    lambda: shelter_vocab.shelter_ranking()["financial_need_levels"],
    lambda: shelter_vocab.shelter_ranking()["treatment_intensity_levels"],
]


@pytest.mark.parametrize("getter", LISTS)
def test_codes_unique_and_bilingual(getter):
    items = getter()
    codes = [i["code"] for i in items]
    assert len(codes) == len(set(codes)) and codes
    for i in items:
        assert i["en"].strip() and i["ko"].strip()


def test_issue_donor_types_present():
    codes = {d["code"] for d in vocab.donor_types()}
    assert {"autologous", "related", "unrelated", "cord_blood"} <= codes


def test_issue_social_domains_present():
    codes = {d["code"] for d in socialwork_vocab.social_work_domains()}
    assert {"financial", "housing", "schooling", "psychological"} <= codes


def test_acute_gvhd_stages_cover_max():
    for organ in vocab.gvhd()["acute"]["organs"]:
        assert sorted(int(k) for k in organ["stages"]) == list(range(organ["max_stage"] + 1))


def test_level_values_in_unit_interval():
    d = shelter_vocab.shelter_ranking()
    for lv in d["financial_need_levels"] + d["treatment_intensity_levels"]:
        assert 0 <= lv["value"] <= 1


def test_lansky_scale_complete():
    assert [r["score"] for r in vocab.lansky()] == list(range(100, -1, -10))


def test_choices():
    assert ("autologous", "자가") in vocab.choices(vocab.donor_types(), "ko")
