from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from oncocenter.accounts.services import login_check, token_issue
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.access import PUBLIC, SIGNED_IN, declare
from oncocenter.core.permissions import active_role, permissions_of, user_roles

router = Router(tags=["auth"])


class AuthTokenIn(Schema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=256)
    name: str = Field("api client", max_length=80)
    scopes: list[Annotated[str, Field(max_length=48)]] = Field(
        default_factory=lambda: ["read"],
        max_length=40,
        description="'read', 'write', 'read:<area>' or 'write:<area>' (area = the path "
        "segment after /api/, e.g. 'patients'). Read-only unless asked.",
    )


class AuthTokenOut(Schema):
    token: str
    expires_at: datetime
    scopes: list[str]


class AuthMeOut(Schema):
    username: str
    name: str
    roles: list[str]
    active_role: str
    permissions: list[str]


@router.post("/token", auth=None, response={201: AuthTokenOut})
@declare(PUBLIC)
def create_token(request: HttpRequest, payload: AuthTokenIn):
    """Exchange a username and password for a bearer token (shown once; store it safely)."""
    user = login_check(request=request, username=payload.username, password=payload.password)
    audit_record(action=AuditAction.LOGIN, actor=user, detail={"via": "api"})
    token, raw = token_issue(user=user, name=payload.name, scopes=payload.scopes)
    return Status(201, {"token": raw, "expires_at": token.expires_at, "scopes": token.scopes})


@router.get("/me", response=AuthMeOut)
@declare(SIGNED_IN)
def me(request: HttpRequest):
    roles = user_roles(request.user)
    return {
        "username": request.user.username,
        "name": str(request.user),
        "roles": sorted(roles),
        "active_role": active_role(request),
        "permissions": sorted(permissions_of(roles)),
    }
