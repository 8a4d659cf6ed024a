"""The full record as FHIR JSON for the patient's right of access: the same Bundle that
interop's `Patient/[id]/$everything` serves to staff (Patient, Condition, Observation,
Procedure, Appointment, Encounter, CarePlan), built from interop's resource sources. The portal
sits above interop, so it reads interop's server functions directly; the portal's own grant
check (own record or a guardian's child) replaces the staff permissions."""

from __future__ import annotations

from typing import Any

from oncocenter.interop.fhir import resources
from oncocenter.interop.fhir.server import everything
from oncocenter.patients.models import Patient
from oncocenter.portal.models import ResultRelease


def _released_lab_ids(patient: Patient) -> set[str]:
    return {
        f"lab-{pk}"
        for pk in ResultRelease.objects.filter(patient=patient).values_list("result_id", flat=True)
    }


def everything_bundle(patient: Patient, base: str) -> dict[str, Any]:
    entries = [resources.patient(patient, list(patient.identifiers.all()))]
    released = _released_lab_ids(patient)
    # Laboratory results reach the patient only once the team released them (as on the results
    # page); interop's $everything serves staff and so carries every result.
    entries += [
        res
        for _source, res in everything(patient)
        if not (res["resourceType"] == "Observation" and str(res["id"]).startswith("lab-"))
        or res["id"] in released
    ]
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(entries),
        "entry": [
            {
                "fullUrl": f"{base}/{r['resourceType']}/{r['id']}",
                "resource": r,
                "search": {"mode": "match"},
            }
            for r in entries
        ],
    }
