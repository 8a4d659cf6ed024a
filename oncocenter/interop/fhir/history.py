"""Resource history for vread and `_history`: each save of a served row stores the resource.

The receivers are connected per source model in `InteropConfig.ready`; a source whose version
follows a related row (a MedicationRequest follows its order's `updated_at`) is also stored when
that row is saved. A failure to build the FHIR view never blocks the clinical write: it is
logged, and that version is then missing from the history (the current version is always served).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import Model, Q
from django.db.models.signals import post_save

from oncocenter.interop.fhir import server
from oncocenter.interop.models import ResourceVersion

log = logging.getLogger(__name__)


def record(res: dict[str, Any]) -> bool:
    """Store `res` as a version unless that version is already stored; True when stored."""
    meta = res.get("meta", {})
    if "lastUpdated" not in meta:
        return False  # a row without a modification time has one version only (the current)
    _obj, created = ResourceVersion.objects.get_or_create(
        resource_type=res["resourceType"],
        resource_id=res["id"],
        version_id=meta["versionId"],
        defaults={"last_updated": meta["lastUpdated"], "resource": res},
    )
    return created


def _store(sources: list[tuple[server.Source, str]], instance: Model) -> None:
    for source, path in sources:
        try:
            with transaction.atomic():
                rows = source.queryset().filter(**{path: instance.pk})
                for row in rows[:500]:
                    record(source.build(row))
        except Exception:  # the write it follows must not fail for its FHIR view
            log.exception("FHIR history: %s %s not stored", source.resource_type, instance.pk)


def connect() -> None:
    by_model: dict[type[Model], list[tuple[server.Source, str]]] = defaultdict(list)
    for type_sources in server.SOURCES.values():
        for source in type_sources:
            model = source.queryset().model
            if source.resource_type == "Practitioner":
                continue  # staff accounts: no modification time, one version
            by_model[model].append((source, "pk"))
            paths = list(source.follows)
            if source.updated_field and "__" in source.updated_field:
                paths.append(source.updated_field.rsplit("__", 1)[0])
            for path in paths:
                related: Any = model
                for hop in path.split("__"):
                    related = related._meta.get_field(hop).related_model
                by_model[related].append((source, f"{path}__pk"))
    for model, sources in by_model.items():

        def receiver(
            sender: type[Model],
            instance: Model,
            raw: bool = False,
            _sources: list[tuple[server.Source, str]] = sources,
            **kwargs: Any,
        ) -> None:
            if not raw:
                _store(_sources, instance)

        post_save.connect(
            receiver, sender=model, weak=False, dispatch_uid=f"fhir-history-{model._meta.label}"
        )


def versions(resource_type: str, rid: str) -> list[ResourceVersion]:
    """The stored versions of one resource, newest first."""
    return list(
        ResourceVersion.objects.filter(resource_type=resource_type, resource_id=rid).order_by(
            "-last_updated", "-pk"
        )
    )


def _visible_q(sources: list[server.Source]) -> Q:
    """The stored versions of resources served by `sources` (by type and id shape). Sources of one
    type whose id shapes overlap (the TNM Observations) share their permission, so the shape is
    enough to tell what a role may read."""
    q = Q(pk__in=[])
    for s in sources:
        part = Q(resource_type=s.resource_type)
        if s.prefix:
            part &= Q(resource_id__startswith=s.prefix)
        if s.suffix:
            part &= Q(resource_id__endswith=s.suffix)
        q |= part
    return q


def stored_page(
    sources: list[server.Source], *, since: dt.datetime | None, count: int, offset: int
) -> tuple[int, list[ResourceVersion]]:
    """Type- or system-level `_history`: the stored versions of what `sources` serve, newest
    first, from `since` on; (total, one page)."""
    qs = ResourceVersion.objects.filter(_visible_q(sources))
    if since is not None:
        qs = qs.filter(last_updated__gte=since)
    qs = qs.order_by("-last_updated", "-pk")
    return qs.count(), list(qs[offset : offset + count])


def patient_of(res: dict[str, Any]) -> str | None:
    """The MRN a stored resource is about (for the audit)."""
    if res.get("resourceType") == "Patient":
        return str(res.get("id"))
    for key in ("subject", "patient"):
        ref = (res.get(key) or {}).get("reference", "")
        if ref.startswith("Patient/"):
            return str(ref.split("/", 1)[1])
    for p in res.get("participant", []):
        ref = (p.get("actor") or {}).get("reference", "")
        if ref.startswith("Patient/"):
            return str(ref.split("/", 1)[1])
    return None
