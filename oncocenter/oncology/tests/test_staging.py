import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncocenter.oncology import staging

SCC = "8070/3"
ADENO = "8140/3"

ESOPHAGUS_SCC_CLINICAL = [
    ("Tis", "N0", "M0", "0"),
    ("T1a", "N1", "M0", "I"),
    ("T2", "N0", "M0", "II"),
    ("T3", "N0", "M0", "II"),
    ("T3", "N1", "M0", "III"),
    ("T2", "N2", "M0", "III"),
    ("T4b", "N1", "M0", "IVA"),
    ("T1", "N3", "M0", "IVA"),
    ("TX", "NX", "M1", "IVB"),
]
ESOPHAGUS_ADENO_CLINICAL = [
    ("Tis", "N0", "M0", "0"),
    ("T1b", "N0", "M0", "I"),
    ("T1", "N1", "M0", "IIA"),
    ("T2", "N0", "M0", "IIB"),
    ("T2", "N1", "M0", "III"),
    ("T4a", "N1", "M0", "III"),
    ("T4a", "N2", "M0", "IVA"),
    ("T4b", "N0", "M0", "IVA"),
    ("T3", "N3", "M0", "IVA"),
    ("T2", "N0", "M1", "IVB"),
]


@pytest.mark.parametrize(("t", "n", "m", "stage"), ESOPHAGUS_SCC_CLINICAL)
def test_esophagus_squamous_clinical_groups(t, n, m, stage):
    result = staging.validate(
        site="esophagus", classification="clinical", t=t, n=n, m=m, morphology=SCC
    )
    assert result.stage_group == stage
    assert result.derived_stage_group == stage


@pytest.mark.parametrize(("t", "n", "m", "stage"), ESOPHAGUS_ADENO_CLINICAL)
def test_esophagus_adenocarcinoma_clinical_groups(t, n, m, stage):
    result = staging.validate(
        site="esophagus",
        classification="clinical",
        t=t,
        n=n,
        m=m,
        stage_group=stage,
        morphology=ADENO,
    )
    assert result.stage_group == stage


@pytest.mark.parametrize(
    ("kwargs", "field", "fragment"),
    [
        ({"t": "T3", "n": "N1", "m": "M0", "stage_group": "II"}, "stage_group", "is stage III"),
        ({"t": "T1", "n": "N0", "m": "M1", "stage_group": "I"}, "stage_group", "is stage IVB"),
        ({"t": "Tis", "n": "N2", "m": "M0", "stage_group": "0"}, "stage_group", "defines no stage"),
        ({"t": "T5", "n": "N0", "m": "M0"}, "t_category", "is not an AJCC 8th T category"),
        ({"t": "T1", "n": "N4", "m": "M0"}, "n_category", "is not an AJCC 8th N category"),
        ({"t": "T1", "n": "N0", "m": "MX"}, "m_category", "is not an AJCC 8th M category"),
        ({"t": "T1", "n": "N0", "m": "M0", "stage_group": "IIIC"}, "stage_group", "not an AJCC"),
        ({"t": "", "n": "N0", "m": "M0"}, "t_category", "is required"),
    ],
)
def test_esophagus_rejections_name_the_field(kwargs, field, fragment):
    result = staging.evaluate(site="esophagus", classification="clinical", morphology=SCC, **kwargs)
    assert not result.ok
    assert result.problems[0].field == field
    assert fragment in result.problems[0].rule
    with pytest.raises(staging.StagingError):
        staging.validate(site="esophagus", classification="clinical", morphology=SCC, **kwargs)


def test_pathological_esophagus_tables():
    ok = staging.evaluate(
        site="esophagus",
        classification="pathological",
        t="pT3",
        n="pN1",
        m="M0",
        morphology=SCC,
    )
    assert ok.ok and ok.stage_group == "IIIB"
    # pT3 N0 SCC depends on grade and location: IIA or IIB, nothing is derived, IIIA is refused.
    ambiguous = staging.evaluate(
        site="esophagus", classification="pathological", t="T3", n="N0", m="M0", morphology=SCC
    )
    assert ambiguous.ok and ambiguous.stage_group == ""
    for group, accepted in (("IIA", True), ("IIB", True), ("IIIA", False)):
        result = staging.evaluate(
            site="esophagus",
            classification="pathological",
            t="T3",
            n="N0",
            m="M0",
            stage_group=group,
            morphology=SCC,
        )
        assert result.ok is accepted
    bad = staging.evaluate(
        site="esophagus",
        classification="pathological",
        t="T1b",
        n="N0",
        m="M0",
        stage_group="IA",
        morphology=ADENO,
    )
    assert "IB or IC" in bad.problems[0].rule
    bad = staging.evaluate(
        site="esophagus",
        classification="pathological",
        t="T3",
        n="N1",
        m="M0",
        stage_group="IVB",
        morphology=SCC,
    )
    assert [p.field for p in bad.problems] == ["stage_group"]


def test_unknown_histology_has_no_table_on_esophagus():
    result = staging.evaluate(site="esophagus", classification="clinical", t="T3", n="N1", m="M0")
    assert result.ok and result.derived_stage_group is None and result.stage_group == ""


@pytest.mark.parametrize(
    ("site", "t", "n", "m", "stage"),
    [
        ("lung", "T1mi", "N0", "M0", "IA1"),
        ("lung", "T2b", "N0", "M0", "IIA"),
        ("lung", "T4", "N1", "M0", "IIIA"),
        ("lung", "T3", "N3", "M0", "IIIC"),
        ("lung", "T1a", "N0", "M1c", "IVB"),
        ("lung", "TX", "N0", "M0", "Occult"),
        ("colorectal", "T3", "N0", "M0", "IIA"),
        ("colorectal", "T1", "N2a", "M0", "IIIA"),
        ("colorectal", "T4b", "N1c", "M0", "IIIC"),
        ("colorectal", "T2", "N0", "M1b", "IVB"),
        ("nasopharynx", "T2", "N2", "M0", "III"),
        ("nasopharynx", "T1", "N3", "M0", "IVA"),
        ("breast", "T1c", "N0", "M0", "IA"),
        ("breast", "T2", "N1a", "M0", "IIB"),
        ("breast", "T4d", "N2", "M0", "IIIB"),
    ],
)
def test_other_site_tables(site, t, n, m, stage):
    result = staging.validate(site=site, classification="pathological", t=t, n=n, m=m)
    assert result.stage_group == stage


def test_sites_without_table_check_consistency():
    assert staging.evaluate(
        site="prostate", classification="clinical", t="T2a", n="N0", m="M0", stage_group="IIA"
    ).ok
    bad = staging.evaluate(
        site="prostate", classification="clinical", t="T2a", n="N1", m="M0", stage_group="IIA"
    )
    assert bad.problems[0].field == "n_category"
    bad = staging.evaluate(
        site="cervix", classification="clinical", t="T2b", n="N0", m="M0", stage_group="IVA"
    )
    assert bad.problems[0].field == "t_category"
    assert staging.evaluate(
        site="generic", classification="clinical", t="T2", n="N1", m="M0", stage_group="III"
    ).ok


def test_normalization_and_site_lookup():
    assert staging.normalize_category("T", "cT1B") == "T1b"
    assert staging.normalize_category("N", "ypnx") == "NX"
    assert staging.normalize_category("T", "Tis") == "Tis"
    assert staging.normalize_stage_group("stage iiia") == "IIIA"
    assert staging.site_for_icd10("C15.4") == "esophagus"
    assert staging.site_for_icd10("C16.0") == "esophagus"
    assert staging.site_for_icd10("C34.1") == "lung"
    assert staging.site_for_icd10("C74.9") == "generic"
    assert staging.histology_for("esophagus", "8070/3") == "squamous"
    assert staging.histology_for("esophagus", "8140") == "adenocarcinoma"
    assert staging.histology_for("esophagus", "9500/3") is None


def test_unknown_site_and_classification():
    assert (
        staging.evaluate(site="moon", classification="clinical", t="T1", n="N0", m="M0")
        .problems[0]
        .field
        == "site"
    )
    assert (
        staging.evaluate(site="lung", classification="guess", t="T1a", n="N0", m="M0")
        .problems[0]
        .field
        == "classification"
    )


ESOPHAGUS = staging.sites()["esophagus"]
COMBOS = list(itertools.product(ESOPHAGUS["T"], ESOPHAGUS["N"], ESOPHAGUS["M"]))


@settings(max_examples=300, deadline=None)
@given(
    combo=st.sampled_from(COMBOS),
    histology=st.sampled_from([SCC, ADENO]),
    stage=st.sampled_from(ESOPHAGUS["stage_groups"]),
)
def test_esophagus_pathological_accepts_exactly_the_allowed_groups(combo, histology, stage):
    t, n, m = combo
    allowed = staging.allowed_stage_groups(
        site="esophagus", classification="pathological", t=t, n=n, m=m, morphology=histology
    )
    result = staging.evaluate(
        site="esophagus",
        classification="pathological",
        t=t,
        n=n,
        m=m,
        stage_group=stage,
        morphology=histology,
    )
    if allowed is not None:
        assert result.ok == (stage in allowed)
    if m == "M1":
        assert allowed == ("IVB",)


@settings(max_examples=300, deadline=None)
@given(
    combo=st.sampled_from(COMBOS),
    histology=st.sampled_from([SCC, ADENO]),
    stage=st.sampled_from(ESOPHAGUS["stage_groups"]),
)
def test_esophagus_accepts_exactly_the_derived_group(combo, histology, stage):
    t, n, m = combo
    derived = staging.evaluate(
        site="esophagus", classification="clinical", t=t, n=n, m=m, morphology=histology
    ).derived_stage_group
    result = staging.evaluate(
        site="esophagus",
        classification="clinical",
        t=t,
        n=n,
        m=m,
        stage_group=stage,
        morphology=histology,
    )
    if derived is not None:
        assert result.ok == (stage == derived)
    if m == "M1":
        assert derived == "IVB"
        assert result.ok == (stage == "IVB")
    if stage == "IVB":
        assert result.ok == (m == "M1")
