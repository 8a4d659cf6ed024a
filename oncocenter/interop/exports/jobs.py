"""The research dataset and the registry abstract as jobs: the exports page queues one and goes
to the job page, which shows its progress and then offers the files as one zip archive (kept
with the job in the database, so a worker on another host needs no shared disk)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oncocenter.jobs.models import Job
from oncocenter.jobs.progress import Progress
from oncocenter.jobs.registry import JobKind, register
from oncocenter.jobs.services import job_file_save

RESEARCH_EXPORT = "interop.research_export"
REGISTRY_EXPORT = "interop.registry_export"


def _zip(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            if path.is_file():
                archive.write(path, arcname=f"{folder.name}/{path.name}")
    return buffer.getvalue()


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _research(job: Job, progress: Progress) -> dict[str, Any]:
    from oncocenter.interop.exports.research import research_export

    p = job.params
    progress(0, 2, _("Building and writing the dataset"))
    folder = research_export(
        by=job.created_by,
        icd10_prefix=p.get("icd10_prefix", ""),
        diagnosed_from=_date(p.get("diagnosed_from")),
        diagnosed_to=_date(p.get("diagnosed_to")),
        treated_with=p.get("treated_with", ""),
    )
    progress(1, 2, _("Packing the files"))
    job_file_save(
        job=job, name=f"{folder.name}.zip", content_type="application/zip", data=_zip(folder)
    )
    files = sorted(f.name for f in folder.iterdir() if f.is_file())
    return {
        "summary": _("Research dataset %(name)s: %(n)d files.")
        % {"name": folder.name, "n": len(files)},
        "lines": files,
    }


def _registry(job: Job, progress: Progress) -> dict[str, Any]:
    from oncocenter.interop.exports.registry import registry_export

    progress(0, 2, _("Checking and writing the abstracts"))
    folder = registry_export(by=job.created_by, year=int(job.params["year"]))
    progress(1, 2, _("Packing the files"))
    job_file_save(
        job=job, name=f"{folder.name}.zip", content_type="application/zip", data=_zip(folder)
    )
    records = max(0, sum(1 for _ in (folder / "abstract.csv").open(encoding="utf-8")) - 1)
    refused = max(0, sum(1 for _ in (folder / "refused.csv").open(encoding="utf-8")) - 1)
    return {
        "summary": _("Registry abstract for %(year)s: %(r)d records, %(x)d refused fields.")
        % {"year": job.params["year"], "r": records, "x": refused},
    }


def register_kinds() -> None:
    register(
        JobKind(
            RESEARCH_EXPORT,
            gettext_lazy("Research dataset export"),
            _research,
            "research.export",
            queue="exports",
        )
    )
    register(
        JobKind(
            REGISTRY_EXPORT,
            gettext_lazy("Cancer registry abstract"),
            _registry,
            "registry.export",
            queue="exports",
        )
    )
