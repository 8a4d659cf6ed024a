from oncocenter.mdt.quorum import check_quorum


def test_names_missing_disciplines_in_required_order():
    result = check_quorum(
        ["pediatric_oncology", "pediatric_surgery", "radiation_oncology", "radiology", "pathology"],
        ["radiology", "pediatric_oncology", "nursing"],
    )
    assert not result.met
    assert result.present == ("pediatric_oncology", "radiology")
    assert result.missing == ("pediatric_surgery", "radiation_oncology", "pathology")


def test_met_when_all_present():
    assert check_quorum(["a", "b", "a"], ["b", "a", "c"]).met
