"""FHIR Bulk Data `$export` for a group (one of the three centers), as a job on queue "exports".

`GET /fhir/Group/<center>/$export` (with `Prefer: respond-async`) enqueues the job and answers
202 with `Content-Location` pointing to the status URL; the status answers 202 while the job
runs and then the manifest; each file is NDJSON, one resource per line, served only to the user
who asked. Resources are built by the server's own sources, so they are the ones `/fhir/` serves.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from oncocenter.accounts.models import User
from oncocenter.audit.context import AuditContext, bind_context, reset_context
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.permissions import has_perm
from oncocenter.interop.fhir import server
from oncocenter.patients.models import Patient

TYPES = ("Patient", "Condition", "Observation", "Procedure")


def export_dir(job_id: str) -> Path:
    return Path(settings.DATA_DIR) / "exports" / "fhir-bulk" / job_id


@task(queue_name="exports")
def bulk_export_task(user_id: int, center: str, types: list[str], job_id: str) -> dict[str, int]:
    """Write one NDJSON file per type for the center's active patients; return lines per type."""
    user = User.objects.get(pk=user_id)
    token = bind_context(AuditContext(user=user, system_actor="fhir-bulk"))
    try:
        out = export_dir(job_id)
        out.mkdir(parents=True, exist_ok=True)
        mrns = list(
            Patient.objects.filter(
                center_memberships__center__code=center, center_memberships__active=True
            ).values_list("mrn", flat=True)
        )
        counts: dict[str, int] = {}
        for rtype in types:
            lines = 0
            with (out / f"{rtype}.ndjson").open("w", encoding="utf-8") as fh:
                for source in server.SOURCES[rtype]:
                    if not has_perm(user, source.permission) or source.patient_path is None:
                        continue
                    qs = (
                        source.queryset()
                        .filter(**{f"{source.patient_path}__in": mrns})
                        .order_by("pk")
                    )
                    for row in qs:
                        fh.write(
                            json.dumps(source.build(row), ensure_ascii=False, separators=(",", ":"))
                            + "\n"
                        )
                        lines += 1
            counts[rtype] = lines
        audit_record(
            action=AuditAction.EXPORT,
            object_type="fhir.Group",
            object_id=center,
            actor=user,
            detail={"operation": "$export", "patients": len(mrns), "lines": counts, "job": job_id},
        )
        (out / "done.json").write_text(
            json.dumps({"transactionTime": timezone.now().isoformat(), "counts": counts})
        )
        return counts
    finally:
        reset_context(token)
