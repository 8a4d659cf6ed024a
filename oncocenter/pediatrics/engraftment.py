"""HSCT engraftment dates computed from the laboratory's counts, not typed (issue 19).

Subscribed to ``labs.events.ResultRecorded`` and ``TransfusionGiven``: whenever an ANC or platelet
count (or a platelet transfusion) is recorded for a patient with a transplant after day 0, the
engraftment dates of that episode are recomputed from all counts (rules in ``labs.calc``) and
saved, audited, in the same transaction. An episode with no counts keeps what was entered."""

from __future__ import annotations

from typing import Any

from oncocenter.audit.services import audit_record
from oncocenter.labs import calc as lab_calc
from oncocenter.labs import selectors as lab_selectors
from oncocenter.labs.events import ResultRecorded, TransfusionGiven
from oncocenter.patients.models import Patient
from oncocenter.pediatrics.models import HSCTEpisode, HSCTStatus

_OPEN = [HSCTStatus.INFUSED, HSCTStatus.ENGRAFTED, HSCTStatus.COMPLETED]


def recompute_for(patient: Patient) -> list[HSCTEpisode]:
    changed = []
    for e in HSCTEpisode.objects.filter(patient=patient, day0__isnull=False, status__in=_OPEN):
        assert e.day0 is not None
        anc = lab_selectors.values_on(patient, "anc", e.day0)
        plt = lab_selectors.values_on(patient, "plt", e.day0)
        if not anc and not plt:
            continue
        tx = lab_selectors.platelet_transfusion_days(patient, e.day0)
        neutro = (
            lab_calc.neutrophil_engraftment(e.day0, anc) if anc else e.neutrophil_engraftment_on
        )
        plate = lab_calc.platelet_engraftment(e.day0, plt, tx) if plt else e.platelet_engraftment_on
        if (neutro, plate) == (e.neutrophil_engraftment_on, e.platelet_engraftment_on):
            continue
        before = (e.neutrophil_engraftment_on, e.platelet_engraftment_on)
        e.neutrophil_engraftment_on, e.platelet_engraftment_on = neutro, plate
        if neutro is not None and e.status == HSCTStatus.INFUSED:
            e.status = HSCTStatus.ENGRAFTED
        elif neutro is None and e.status == HSCTStatus.ENGRAFTED:
            e.status = HSCTStatus.INFUSED
        e.save(
            update_fields=[
                "neutrophil_engraftment_on",
                "platelet_engraftment_on",
                "status",
                "updated_at",
            ]
        )
        audit_record(
            action="update",
            obj=e,
            patient=patient,
            detail={
                "engraftment": "computed from counts",
                "before": [str(d) for d in before],
                "after": [str(neutro), str(plate)],
            },
        )
        changed.append(e)
    return changed


def on_result(event: ResultRecorded) -> None:
    if event.analyte_code in ("anc", "plt"):
        recompute_for(Patient.objects.get(pk=event.patient_id))


def on_transfusion(event: TransfusionGiven) -> None:
    if event.product == "platelets":
        recompute_for(Patient.objects.get(pk=event.patient_id))


def register(*_: Any) -> None:
    from oncocenter.core.events import subscribe

    subscribe(ResultRecorded, on_result)
    subscribe(TransfusionGiven, on_transfusion)
