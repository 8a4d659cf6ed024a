from __future__ import annotations

from datetime import date

from ninja import Schema
from pydantic import Field

from oncocenter.core.schemas import InputSchema


class PatientCenterMembershipOut(Schema):
    center: str
    since: date
    active: bool


class PatientOut(Schema):
    mrn: str
    name_ko: str
    family_name_en: str
    given_name_en: str
    birth_date: date
    sex: str
    rrn_masked: str
    centers: list[PatientCenterMembershipOut]


class PatientContactOut(PatientOut):
    phone: str
    email: str
    address: str
    postal_code: str


class PatientIn(InputSchema):
    name_ko: str = Field("", description="Full name in Hangul, family name first; may be empty")
    family_name_en: str
    given_name_en: str = ""
    birth_date: date
    sex: str = Field(description="male | female | other | unknown")
    rrn: str = Field(
        "", description="Resident registration number YYMMDD-NNNNNNN; stored encrypted"
    )
    phone: str = ""
    email: str = ""
    address: str = ""
    postal_code: str = ""
    centers: list[str] = Field(default_factory=list, description="radonc | esophageal | pediatric")


class PatientPatch(InputSchema):
    name_ko: str | None = None
    family_name_en: str | None = None
    given_name_en: str | None = None
    birth_date: date | None = None
    sex: str | None = None
    rrn: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    postal_code: str | None = None


class PatientRrnIn(InputSchema):
    rrn: str


class PatientRrnOut(Schema):
    matches: bool


class PatientCenterIn(InputSchema):
    center: str
    since: date | None = None
