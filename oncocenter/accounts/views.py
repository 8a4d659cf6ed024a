from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth import login, logout
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from oncocenter.accounts.models import ApiToken, Credential, RoleAssignment, User
from oncocenter.accounts.services import login_check, token_issue, token_revoke
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.errors import DomainError
from oncocenter.core.views import login_required_view, permission_required


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    error = ""
    username = ""
    status = 200
    if request.method == "POST":
        username = request.POST.get("username", "")
        try:
            user = login_check(
                request=request, username=username, password=request.POST.get("password", "")
            )
        except DomainError as exc:
            error = exc.problems[0].message if exc.problems else exc.message
            status = exc.status if exc.status in (403, 429) else 400
        else:
            login(request, user)
            audit_record(action=AuditAction.LOGIN, actor=user, detail={})
            return redirect(next_url)
    return render(
        request,
        "accounts/login.html",
        {"error": error, "username": username, "next": next_url},
        status=status,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_record(action=AuditAction.LOGOUT, actor=request.user, detail={})
    logout(request)
    return redirect("accounts:login")


@require_http_methods(["GET", "POST"])
@login_required_view
def account(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required_view guarantees a signed-in user
    new_token = ""
    if request.method == "POST":
        if "revoke" in request.POST:
            token = get_object_or_404(ApiToken, pk=request.POST["revoke"], user=user)
            token_revoke(token=token)
            messages.success(request, _("Token revoked."))
            return redirect("accounts:account")
        try:
            _token, new_token = token_issue(user=user, name=request.POST.get("name", ""))
        except DomainError as exc:
            messages.error(request, str(exc))
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at")
    credentials = Credential.objects.filter(user=user)
    return render(
        request,
        "accounts/account.html",
        {"tokens": tokens, "credentials": credentials, "new_token": new_token},
    )


@permission_required("staff.manage")
def staff_list(request: HttpRequest) -> HttpResponse:
    role = request.GET.get("role", "")
    users = User.objects.prefetch_related(
        Prefetch("role_assignments", queryset=RoleAssignment.objects.order_by("role")),
        Prefetch("credentials", queryset=Credential.objects.order_by("kind")),
    ).order_by("username")
    if role:
        users = users.filter(role_assignments__role=role)
    from oncocenter.core.roles import Role

    return render(
        request,
        "accounts/staff_list.html",
        {"users": users[:500], "roles": Role.choices, "role": role},
    )
