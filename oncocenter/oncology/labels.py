"""Clinical vocabulary in the reader's language: ICD-10 and ICD-O-3 names, ICCC-3 groups and
AJCC staging sites. The shipped data files carry English and Korean; these pick the one of the
active language (English where the data has no Korean)."""

from __future__ import annotations

from django.utils.translation import get_language

from oncocenter.oncology import codes, iccc, staging


def _korean() -> bool:
    return (get_language() or "").startswith("ko")


def code_name(code_list: str, code: str) -> str:
    """The display of a code of one of the shipped lists, or "" when it is not in the list."""
    if not code:
        return ""
    try:
        entry = codes.lookup(code_list, code)
    except codes.UnknownCodeError:
        return ""
    return (entry.display_ko if _korean() else "") or entry.display_en


def icd10_name(code: str) -> str:
    return code_name(codes.ICD10, code)


def morphology_name(code: str) -> str:
    return code_name(codes.ICDO3_MORPHOLOGY, code)


def topography_name(code: str) -> str:
    return code_name(codes.ICDO3_TOPOGRAPHY, code)


def iccc_label(subgroup: str | None) -> str:
    """ "IVa Neuroblastoma and ganglioneuroblastoma" (Korean label in Korean), "" for none."""
    if not subgroup:
        return ""
    try:
        described = iccc.describe(subgroup)
    except (KeyError, ValueError):
        return subgroup
    label = (described.subgroup_ko if _korean() else "") or described.subgroup_en
    return f"{subgroup} {label}"


def iccc_group_label(group: str | None) -> str:
    if not group:
        return ""
    names = iccc.rules_data()["groups"].get(group)
    if names is None:
        return group
    return f"{group} {(names.get('ko') if _korean() else '') or names['en']}"


def staging_site_label(site: str) -> str:
    spec = staging.sites().get(site)
    if spec is None:
        return site
    return (spec.get("label_ko") if _korean() else "") or spec["label_en"]
