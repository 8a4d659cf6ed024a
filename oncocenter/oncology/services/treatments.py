"""Treatment episodes: the one shared record of treatments given here or elsewhere. Other areas
(radiotherapy courses, HSCT, operations) create and correct their rows through these services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import Conflict, FieldProblem, ValidationFailed
from oncocenter.oncology.models import Diagnosis, Modality, TreatmentEpisode
from oncocenter.oncology.services._checks import check_choice
from oncocenter.patients.checks import check_date, check_same_patient
from oncocenter.patients.models import Patient


def treatment_episode_create(
    *,
    patient: Patient,
    by: User,
    modality: str,
    started_on: dt.date | str,
    ended_on: dt.date | str | None = None,
    diagnosis: Diagnosis | None = None,
    at_this_center: bool = True,
    description: str = "",
    source: str = "",
) -> TreatmentEpisode:
    """Record a treatment episode. Other areas call this for RT courses, operations and HSCT;
    `source` names the row that owns it there (e.g. "radiotherapy.course:12")."""
    problems: list[FieldProblem] = []
    check_choice(problems, "modality", modality, Modality)
    start = check_date(problems, "started_on", started_on, patient)
    end = check_date(problems, "ended_on", ended_on, patient, required=False)
    if start and end and end < start:
        problems.append(FieldProblem("ended_on", _("cannot be before the start"), end.isoformat()))
    check_same_patient(problems, "diagnosis", diagnosis, patient)
    if problems:
        raise ValidationFailed(problems)
    assert start is not None
    episode = TreatmentEpisode(
        patient=patient,
        diagnosis=diagnosis,
        modality=modality,
        started_on=start,
        ended_on=end,
        at_this_center=at_this_center,
        description=description.strip(),
        source=source,
    )
    with transaction.atomic():
        episode.save()
        audit_record(
            action=AuditAction.CREATE, obj=episode, patient=patient, detail={"modality": modality}
        )
    return episode


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Any = _Unchanged()


def treatment_episode_update(
    *,
    episode: TreatmentEpisode,
    by: User,
    started_on: dt.date | str = UNCHANGED,
    ended_on: dt.date | str | None = UNCHANGED,
    description: str = UNCHANGED,
) -> TreatmentEpisode:
    """Correct or complete an episode (its dates, its description); audited with before/after.

    Arguments left out are kept. An episode entered in error cannot be changed."""
    if episode.entered_in_error_at is not None:
        raise Conflict(
            _("this treatment episode was entered in error and cannot be changed"),
            rule="episode_entered_in_error",
        )
    problems: list[FieldProblem] = []
    start = episode.started_on
    end = episode.ended_on
    if started_on is not UNCHANGED:
        start = check_date(problems, "started_on", started_on, episode.patient) or start
    if ended_on is not UNCHANGED:
        end = check_date(problems, "ended_on", ended_on, episode.patient, required=False)
    if start and end and end < start:
        problems.append(FieldProblem("ended_on", _("cannot be before the start"), end.isoformat()))
    if problems:
        raise ValidationFailed(problems)
    new_description = episode.description if description is UNCHANGED else description.strip()
    changed: dict[str, list[str]] = {}
    for name, before, after in (
        ("started_on", episode.started_on, start),
        ("ended_on", episode.ended_on, end),
        ("description", episode.description, new_description),
    ):
        if before != after:
            changed[name] = [str(before or ""), str(after or "")]
    if not changed:
        return episode
    with transaction.atomic():
        TreatmentEpisode.all_objects.filter(pk=episode.pk).update(
            started_on=start, ended_on=end, description=new_description, updated_at=timezone.now()
        )
        episode.started_on, episode.ended_on, episode.description = start, end, new_description
        audit_record(
            action=AuditAction.UPDATE,
            obj=episode,
            patient=episode.patient,
            detail={"changed": changed},
        )
    return episode


def treatment_episode_mark_entered_in_error(
    *, episode: TreatmentEpisode, by: User, reason: str
) -> TreatmentEpisode:
    """Withdraw an episode recorded by mistake: it stays, marked, and leaves every reader."""
    if not reason.strip():
        raise ValidationFailed.single("reason", _("is required"))
    with transaction.atomic():
        locked = TreatmentEpisode.all_objects.select_for_update().get(pk=episode.pk)
        if locked.entered_in_error_at is not None:
            return locked
        locked.entered_in_error_at = timezone.now()
        locked.entered_in_error_reason = reason.strip()[:300]
        locked.save(update_fields=["entered_in_error_at", "entered_in_error_reason", "updated_at"])
        audit_record(
            action=AuditAction.UPDATE,
            obj=locked,
            patient=locked.patient,
            detail={"entered_in_error": locked.entered_in_error_reason},
        )
    return locked


def treatment_episode_for_source(source: str) -> TreatmentEpisode | None:
    """The current episode another area created for one of its rows (None when there is none)."""
    return TreatmentEpisode.objects.filter(source=source).order_by("-pk").first()
