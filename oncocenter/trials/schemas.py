from __future__ import annotations

from datetime import date

from ninja import Schema

from oncocenter.core.schemas import InputSchema


class TrialStudyIn(InputSchema):
    code: str
    title: str
    phase: str
    status: str = "recruiting"
    target_diseases: str = ""
    min_age_years: int | None = None
    max_age_years: int | None = None
    diagnosis_code_prefixes: list[str] = []
    stage_groups: list[str] = []
    max_ecog: int | None = None
    performance_max_age_days: int | None = None
    excluded_prior_therapies: list[str] = []
    arms: list[str] = []


class TrialStudyOut(TrialStudyIn):
    id: int


class TrialVerdictOut(Schema):
    criterion: str
    verdict: str
    requirement: str
    data_used: str


class TrialCandidateOut(Schema):
    mrn: str
    name_ko: str
    overall: str
    verdicts: list[TrialVerdictOut]


class TrialScreeningIn(InputSchema):
    mrn: str
    outcome: str = "pre-screened"
    note: str = ""


class TrialScreeningOut(Schema):
    id: int
    mrn: str
    screened_on: date
    overall: str
    outcome: str
    verdicts: list[TrialVerdictOut]


class TrialEnrollmentIn(InputSchema):
    mrn: str
    consent_on: date
    arm: str = ""
    override_reason: str = ""


class TrialEnrollmentOut(Schema):
    id: int
    mrn: str
    study: str
    consent_on: date
    enrolled_on: date
    arm: str
    status: str
    eligibility_overall: str
    override_reason: str
    withdrawn_on: date | None
    withdrawal_reason: str


class TrialWithdrawIn(InputSchema):
    withdrawn_on: date
    reason: str
