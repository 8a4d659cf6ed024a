"""Writes for the oncology record. Each service checks every rule first (collecting all the
problems), then writes inside one transaction and records an audit event.

One module per concern; the public services are re-exported here, so callers keep writing
`from oncocenter.oncology import services; services.diagnosis_create(...)`.
"""

from oncocenter.oncology.services.copay import copay_register
from oncocenter.oncology.services.diagnoses import (
    diagnosis_create,
    diagnosis_set_status,
    staging_record,
)
from oncocenter.oncology.services.observations import (
    LANSKY_BELOW_AGE,
    disease_status_record,
    performance_record,
    tumor_marker_record,
)
from oncocenter.oncology.services.treatments import (
    UNCHANGED,
    treatment_episode_create,
    treatment_episode_for_source,
    treatment_episode_mark_entered_in_error,
    treatment_episode_update,
)
from oncocenter.oncology.services.vitals import (
    vital_signs_correct,
    vital_signs_mark_entered_in_error,
    vital_signs_record,
)
from oncocenter.oncology.services.workup import (
    WORKUP_TRANSITIONS,
    workup_order_advance,
    workup_order_create,
)

__all__ = [
    "LANSKY_BELOW_AGE",
    "UNCHANGED",
    "WORKUP_TRANSITIONS",
    "copay_register",
    "diagnosis_create",
    "diagnosis_set_status",
    "disease_status_record",
    "performance_record",
    "staging_record",
    "treatment_episode_create",
    "treatment_episode_for_source",
    "treatment_episode_mark_entered_in_error",
    "treatment_episode_update",
    "tumor_marker_record",
    "vital_signs_correct",
    "vital_signs_mark_entered_in_error",
    "vital_signs_record",
    "workup_order_advance",
    "workup_order_create",
]
