import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncocenter.oncology import codes, iccc

EXAMPLES = [
    ("9836/3", "C42.1", "Ia"),
    ("9811/3", "C42.1", "Ia"),
    ("9861/3", "C42.1", "Ib"),
    ("9875/3", "C42.1", "Ic"),
    ("9946/3", "C42.1", "Id"),
    ("9663/3", "C77.9", "IIa"),
    ("9687/3", "C77.9", "IIc"),
    ("9751/3", "C41.0", "IId"),
    ("9421/1", "C71.6", "IIIb"),
    ("9380/3", "C72.3", "IIIb"),
    ("9380/3", "C71.7", "IIId"),
    ("9470/3", "C71.6", "IIIc"),
    ("9350/1", "C75.2", "IIIe"),
    ("9530/0", "C70.0", "IIIe"),
    ("9500/3", "C74.9", "IVa"),
    ("9490/3", "C47.4", "IVa"),
    ("9510/3", "C69.2", "V"),
    ("8960/3", "C64.9", "VIa"),
    ("8963/3", "C64.9", "VIa"),
    ("8963/3", "C49.4", "IXd"),
    ("8970/3", "C22.0", "VIIa"),
    ("8170/3", "C22.0", "VIIb"),
    ("9180/3", "C40.2", "VIIIa"),
    ("9180/3", "C49.2", "IXd"),
    ("9260/3", "C41.4", "VIIIc"),
    ("9260/3", "C49.0", "IXd"),
    ("8910/3", "C69.6", "IXa"),
    ("9040/3", "C49.2", "IXd"),
    ("8800/3", "C49.9", "IXe"),
    ("9064/3", "C75.3", "Xa"),
    ("9071/3", "C38.1", "Xb"),
    ("9071/3", "C62.9", "Xc"),
    ("8370/3", "C74.0", "XIa"),
    ("8260/3", "C73.9", "XIb"),
    ("8070/3", "C11.9", "XIc"),
    ("8720/3", "C44.9", "XId"),
    ("8070/3", "C15.4", "XIf"),
    ("8000/3", "C71.9", "IIIf"),
    ("8000/3", "C64.9", "VIc"),
    ("8000/3", "C49.9", "XIIb"),
]


@pytest.mark.parametrize(("morphology", "topography", "subgroup"), EXAMPLES)
def test_known_cases(morphology, topography, subgroup):
    result = iccc.derive(morphology, topography)
    assert result is not None
    assert result.subgroup == subgroup
    assert result.group == iccc.group_of(subgroup)
    assert result.group_en and result.group_ko and result.subgroup_ko


@pytest.mark.parametrize(
    ("morphology", "topography"),
    [("8140/2", "C15.5"), ("9421/1", "C49.9"), ("8800/0", "C49.9"), ("9999/3", "C15.4")],
)
def test_unclassified(morphology, topography):
    assert iccc.derive(morphology, topography) is None


@pytest.mark.parametrize(
    ("morphology", "topography", "field"),
    [("9500", "C74.9", "icdo3_morphology"), ("9500/3", "74.9", "icdo3_topography")],
)
def test_malformed_input_names_the_field(morphology, topography, field):
    with pytest.raises(iccc.IcccInputError) as exc:
        iccc.derive(morphology, topography)
    assert exc.value.field == field


def test_rules_data_is_consistent():
    data = iccc.rules_data()
    for rule in iccc.rules():
        assert rule.subgroup in data["subgroups"]
        assert iccc.group_of(rule.subgroup) in data["groups"]
        for lo, hi in rule.morphology + rule.sites:
            assert lo <= hi
    assert len(data["groups"]) == 12


def test_shipped_pediatric_morphologies_classify_at_a_plausible_site():
    # every shipped morphology lands in a group at "unknown primary" (C80.9), a CNS site or skin
    unclassified = [
        code
        for code in codes.load(codes.ICDO3_MORPHOLOGY)
        if all(iccc.derive(code, site) is None for site in ("C80.9", "C71.9", "C44.9"))
    ]
    assert unclassified == []


def test_age_limit():
    assert iccc.applies_to_age(19)
    assert not iccc.applies_to_age(20)


# Reference evaluation: expand each rule into explicit integer sets and scan them, without the
# range helpers of the module under test.
def _expand(text, parse):
    out = set()
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        out.update(range(parse(lo), parse(hi or lo) + 1))
    return out


def _topo_number(code):
    return int(code[1:3]) * 10 + int(code[4])


REFERENCE = [
    (r["subgroup"], _expand(r["morphology"], int), _expand(r["sites"], _topo_number))
    for r in iccc.rules_data()["rules"]
]
CNS = _expand(iccc.rules_data()["nonmalignant_sites"], _topo_number)


def reference(morph, behaviour, site):
    if behaviour != 3 and not (behaviour in (0, 1) and site in CNS):
        return None
    for subgroup, morphs, sites in REFERENCE:
        if morph in morphs and site in sites:
            return subgroup
    return None


@settings(max_examples=400, deadline=None)
@given(
    morph=st.integers(min_value=8000, max_value=9999),
    behaviour=st.sampled_from([0, 1, 2, 3]),
    site=st.integers(min_value=0, max_value=809),
)
def test_derive_matches_reference(morph, behaviour, site):
    topography = f"C{site // 10:02d}.{site % 10}"
    result = iccc.derive(f"{morph}/{behaviour}", topography)
    assert (result.subgroup if result else None) == reference(morph, behaviour, site)


GROUP_I = sorted(
    set().union(
        *(
            morphs
            for subgroup, morphs, _ in REFERENCE
            if subgroup.startswith("I") and iccc.group_of(subgroup) == "I"
        )
    )
)


@settings(max_examples=200, deadline=None)
@given(morph=st.sampled_from(GROUP_I), site=st.integers(min_value=0, max_value=809))
def test_leukemia_codes_are_group_i_at_any_site(morph, site):
    result = iccc.derive(f"{morph}/3", f"C{site // 10:02d}.{site % 10}")
    assert result is not None
    assert result.group == "I"
