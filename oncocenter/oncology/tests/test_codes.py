import pytest

from oncocenter.oncology import codes

SEED_DISEASES = {
    # disease named in the seeds -> a search term that must find at least one ICD-10 code
    "esophageal cancer": "C15",
    "leukemia": "leukaemia",
    "lymphoma": "lymphoma",
    "brain tumor": "brain",
    "neuroblastoma": "neuroblastoma",
    "retinoblastoma": "retinoblastoma",
    "osteosarcoma": "osteosarcoma",
    "ewing": "ewing",
    "wilms": "wilms",
    "rhabdomyosarcoma": "rhabdomyosarcoma",
    "soft tissue sarcoma": "soft tissue",
    "germ cell tumor": "germ cell",
    "hepatoblastoma": "hepatoblastoma",
    "histiocytosis": "histiocytosis",
    "anemia": "anaemia",
    "leukopenia": "leukopenia",
    "thrombocytopenia": "thrombocytopenia",
    "head and neck": "larynx",
    "lung": "lung",
    "breast": "breast",
    "cervix": "cervix",
    "prostate": "prostate",
    "rectum": "rectum",
}


@pytest.mark.parametrize("code_list", codes.LISTS)
def test_every_entry_is_complete_and_well_formed(code_list):
    entries = codes.load(code_list)
    assert len(entries) > 50
    for code, entry in entries.items():
        assert entry.code == code
        assert codes.is_well_formed(code_list, code), code
        assert entry.display_en and entry.display_ko
        assert entry.system in (codes.ICD10_SYSTEM, codes.ICDO3_SYSTEM)


@pytest.mark.parametrize(("disease", "term"), SEED_DISEASES.items())
def test_every_seed_disease_has_a_code(disease, term):
    assert codes.search(codes.ICD10, term), disease


def test_search_korean_and_code_without_dot():
    assert [c.code for c in codes.search(codes.ICD10, "c154")] == ["C15.4"]
    assert any(c.code == "C74.9" for c in codes.search(codes.ICD10, "신경모세포종"))
    assert codes.search(codes.ICD10, "   ") == []
    assert len(codes.search(codes.ICD10, "C", limit=5)) == 5


def test_lookup_normalizes_and_rejects():
    assert codes.lookup(codes.ICD10, "c15.4").code == "C15.4"
    assert codes.lookup(codes.ICDO3_TOPOGRAPHY, "C749").code == "C74.9"
    with pytest.raises(codes.UnknownCodeError, match="not a well-formed"):
        codes.lookup(codes.ICD10, "15.4")
    with pytest.raises(codes.UnknownCodeError, match="not in the curated"):
        codes.lookup(codes.ICDO3_MORPHOLOGY, "9999/3")


def test_as_coding_is_fhir_shaped():
    coding = codes.lookup(codes.ICDO3_MORPHOLOGY, "9500/3").as_coding()
    assert coding == {
        "system": codes.ICDO3_SYSTEM,
        "code": "9500/3",
        "display": "Neuroblastoma, NOS",
    }
    assert codes.lookup(codes.ICD10, "C74.9").display("ko").startswith("상세불명 부신")
