"""Typed request and response bodies of the social-work API (names carry "Social")."""

from __future__ import annotations

import datetime as dt

from ninja import Schema

from oncocenter.core.schemas import InputSchema


class SocialCaseIn(Schema):
    social_worker_id: int | None = None
    opened_on: dt.date


class SocialCaseCloseIn(Schema):
    closed_on: dt.date


class SocialNeedsAssessmentIn(InputSchema):
    assessed_on: dt.date
    levels: dict[str, str]
    summary: str = ""


class SocialInterventionIn(InputSchema):
    domain: str
    description: str
    started_on: dt.date


class SocialOutcomeIn(InputSchema):
    outcome: str
    outcome_note: str = ""
    completed_on: dt.date | None = None


class SocialCaseloadOut(Schema):
    social_worker_id: int
    username: str
    open_cases: int
