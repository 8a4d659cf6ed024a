"""The permission table as a Markdown matrix (docs/permissions.md is generated from it)."""

from __future__ import annotations

from oncocenter.core.permissions import PERMISSIONS
from oncocenter.core.roles import Role

# Short column headers so the matrix fits on a page.
ABBREVIATIONS = {
    Role.RADIATION_ONCOLOGIST: "RO",
    Role.MEDICAL_PHYSICIST: "MP",
    Role.DOSIMETRIST: "Dos",
    Role.RADIATION_THERAPIST: "RTT",
    Role.NURSE: "RN",
    Role.SCHEDULER: "Sch",
    Role.SURGEON: "Sur",
    Role.MEDICAL_ONCOLOGIST: "MO",
    Role.PEDIATRIC_ONCOLOGIST: "PO",
    Role.PATHOLOGIST: "Path",
    Role.RADIOLOGIST: "Rad",
    Role.NUCLEAR_MEDICINE: "NM",
    Role.ANESTHESIOLOGIST: "Anes",
    Role.DIETITIAN: "Diet",
    Role.SOCIAL_WORKER: "SW",
    Role.TEACHER: "Tch",
    Role.PALLIATIVE_CARE: "Pal",
    Role.RESEARCH_COORDINATOR: "CRC",
    Role.PHARMACIST: "Pha",
    Role.ADMINISTRATOR: "Adm",
}


def permission_matrix_markdown() -> str:
    roles = list(Role)
    lines = [
        "# Who may do what",
        "",
        "Generated from `oncocenter/core/permissions.py` by `oncocenter permissions-matrix`;",
        "a test fails when this file and the table differ. x = granted.",
        "",
        "Roles: " + ", ".join(f"{ABBREVIATIONS[r]} = {r.label}" for r in roles) + ".",
        "",
        "| permission | " + " | ".join(ABBREVIATIONS[r] for r in roles) + " |",
        "| --- | " + " | ".join(":-:" for _ in roles) + " |",
    ]
    for perm in sorted(PERMISSIONS):
        granted = PERMISSIONS[perm]
        cells = " | ".join("x" if r.value in granted else "" for r in roles)
        lines.append(f"| `{perm}` | {cells} |")
    return "\n".join(lines) + "\n"
