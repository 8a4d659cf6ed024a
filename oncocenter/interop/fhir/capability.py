"""The CapabilityStatement, generated from what the server really does (`server.SOURCES`)."""

from __future__ import annotations

from typing import Any

from oncocenter.interop.fhir import server, vitals
from oncocenter.interop.fhir.transaction import WRITABLE

PROFILES = {
    "Patient": ["mcode-cancer-patient"],
    "Condition": ["mcode-primary-cancer-condition", "mcode-secondary-cancer-condition"],
    "Observation": [
        "mcode-tnm-stage-group",
        "mcode-tnm-primary-tumor-category",
        "mcode-tnm-regional-nodes-category",
        "mcode-tnm-distant-metastases-category",
        "mcode-ecog-performance-status",
        "mcode-karnofsky-performance-status",
        "mcode-lansky-play-performance-status",
        "mcode-tumor-marker-test",
        "mcode-cancer-disease-status",
        *(f"{vitals.PROFILE}/{k.profile}" for k in vitals.KINDS.values()),
    ],
    "Procedure": ["mcode-radiotherapy-course-summary"],
}
MCODE = "http://hl7.org/fhir/us/mcode/StructureDefinition"


def capability_statement(base: str) -> dict[str, Any]:
    resources = []
    for rtype in sorted(server.SOURCES):
        entry: dict[str, Any] = {
            "type": rtype,
            "interaction": [
                {"code": "read"},
                {"code": "vread"},
                {"code": "history-instance"},
                {"code": "history-type"},
                {"code": "search-type"},
            ]
            + ([{"code": "create"}] if rtype in WRITABLE else []),
            "versioning": "versioned",
            "readHistory": True,
            "conditionalRead": "not-supported",
            "searchParam": [
                {"name": name, "type": kind}
                for name, kind in sorted(server.supported_params(rtype).items())
            ],
        }
        if rtype in WRITABLE:
            entry["conditionalCreate"] = True
        if rtype in server.INCLUDES:
            entry["searchInclude"] = sorted(server.INCLUDES[rtype])
        if server.revincludes_of(rtype):
            entry["searchRevInclude"] = server.revincludes_of(rtype)
        if rtype in PROFILES:
            entry["supportedProfile"] = [
                p if p.startswith("http") else f"{MCODE}/{p}" for p in PROFILES[rtype]
            ]
        if rtype == "Patient":
            entry["operation"] = [
                {
                    "name": "everything",
                    "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything",
                },
                {
                    "name": "mcode-everything",
                    "definition": "http://hl7.org/fhir/us/mcode/OperationDefinition/mcode-patient-everything",
                },
            ]
        resources.append(entry)
    resources.append(
        {
            "type": "ConceptMap",
            "interaction": [{"code": "read"}],
            "documentation": "The maintained maps from local codes to SNOMED CT, LOINC and AJCC codes.",
        }
    )
    resources.append(
        {
            "type": "ValueSet",
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "documentation": "The target codes of each maintained map, expanded; usable in "
            f"`code:in=` and `value-concept:in=` ({', '.join(server.TOKEN_IN)}).",
        }
    )
    return {
        "resourceType": "CapabilityStatement",
        "id": "oncocenter",
        "status": "active",
        "date": "2026-12-07",
        "kind": "instance",
        "software": {"name": "OncoCenter"},
        "implementation": {"description": "OncoCenter FHIR R4 server", "url": base},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "instantiates": [
            "http://hl7.org/fhir/us/mcode/CapabilityStatement/mcode-sender-patient-bundle"
        ],
        "rest": [
            {
                "mode": "server",
                "documentation": "Search results page with _count (at most "
                f"{server.MAX_COUNT}) and 'next' links; unknown parameters and modifiers are "
                "refused with an OperationOutcome (400). Token modifiers: ':in' (value sets held "
                "here) on code and value-concept. Each save of a row stores the resource's "
                "version (vread, _history); rows saved before history was kept have their "
                "current version only; type- and system-level _history list the stored "
                "versions the role may read (_since, _count). Writes: POST a transaction or "
                "batch Bundle of creates "
                "(conditional with ifNoneExist) of "
                f"{', '.join(WRITABLE)}; a token needs the 'write' or 'write:fhir' scope.",
                "interaction": [
                    {"code": "transaction"},
                    {"code": "batch"},
                    {"code": "history-system"},
                ],
                "security": {
                    "cors": False,
                    "service": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                    "code": "OAuth",
                                }
                            ],
                            "text": "Bearer token from POST /api/auth/token, or the staff session; "
                            "the same roles as the rest of the API.",
                        }
                    ],
                },
                "resource": resources,
            }
        ],
    }
