from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status

from oncocenter.accounts.services import login_check, token_issue
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.permissions import active_role, permissions_of, user_roles

router = Router(tags=["auth"])


class AuthTokenIn(Schema):
    username: str
    password: str
    name: str = "api client"


class AuthTokenOut(Schema):
    token: str
    expires_at: datetime


class AuthMeOut(Schema):
    username: str
    name: str
    roles: list[str]
    active_role: str
    permissions: list[str]


@router.post("/token", auth=None, response={201: AuthTokenOut})
def create_token(request: HttpRequest, payload: AuthTokenIn):
    """Exchange a username and password for a bearer token (shown once; store it safely)."""
    user = login_check(request=request, username=payload.username, password=payload.password)
    audit_record(action=AuditAction.LOGIN, actor=user, detail={"via": "api"})
    token, raw = token_issue(user=user, name=payload.name)
    return Status(201, {"token": raw, "expires_at": token.expires_at})


@router.get("/me", response=AuthMeOut)
def me(request: HttpRequest):
    roles = user_roles(request.user)
    return {
        "username": request.user.username,
        "name": str(request.user),
        "roles": sorted(roles),
        "active_role": active_role(request),
        "permissions": sorted(permissions_of(roles)),
    }
