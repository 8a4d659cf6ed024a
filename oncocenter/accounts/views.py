"""Sign-in and out, the user's own account (credentials, API tokens), and the staff management
pages of administrators (`staff.manage`): new staff member, roles, credentials, deactivation."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.views import redirect_to_login
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from oncocenter.accounts import services
from oncocenter.accounts.forms import (
    ApiTokenForm,
    CredentialForm,
    PasswordChangeForm,
    StaffActiveForm,
    StaffCreateForm,
    StaffRolesForm,
)
from oncocenter.accounts.models import ApiToken, Credential, RoleAssignment, User
from oncocenter.accounts.selectors import current_user
from oncocenter.accounts.services import login_check, token_issue, token_revoke
from oncocenter.audit.models import AuditAction
from oncocenter.audit.services import audit_record
from oncocenter.core.access import PUBLIC, declare
from oncocenter.core.errors import DomainError, NotPermitted
from oncocenter.core.forms import DomainForm, run_service
from oncocenter.core.roles import Role
from oncocenter.core.views import login_required_view, permission_required


@declare(PUBLIC)
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


def admin_login(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    """The admin site's sign-in, replaced: it sends people to the one throttled, audited sign-in
    page (and back to the admin afterwards). Signed in without the admin permission: 403."""
    if request.user.is_authenticated:
        from oncocenter.core.middleware import forbidden_response

        return forbidden_response(request, "admin.view")
    next_url = request.GET.get("next", "") or "/admin/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/admin/"
    return redirect_to_login(next_url, login_url=reverse("accounts:login"))


@declare(PUBLIC)
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
    form = ApiTokenForm(request.POST if "name" in request.POST else None)
    status = 200
    if request.method == "POST":
        if "revoke" in request.POST:
            token = get_object_or_404(ApiToken, pk=request.POST["revoke"], user=user)
            token_revoke(token=token, by=user)
            messages.success(request, _("Token revoked."))
            return redirect("accounts:account")
        outcome = run_service(
            request,
            form,
            lambda: token_issue(user=user, name=form.cleaned_data["name"], scopes=form.scopes()),
        )
        if outcome.ok and outcome.value is not None:
            new_token = outcome.value[1]
            form = ApiTokenForm()
        status = outcome.status
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at")
    credentials = Credential.objects.filter(user=user)
    return render(
        request,
        "accounts/account.html",
        {"tokens": tokens, "credentials": credentials, "new_token": new_token, "form": form},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required_view
def password_change(request: HttpRequest) -> HttpResponse:
    """Change one's own password (the current one is asked again); other sessions end."""
    user = cast(User, request.user)
    form = PasswordChangeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        outcome = run_service(
            request,
            form,
            lambda: services.password_change(
                user=user,
                by=user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            ),
            success=lambda _u: _("Password changed."),
        )
        if outcome.ok:
            update_session_auth_hash(request, user)
            return redirect("accounts:account")
        status = outcome.status
    return render(request, "accounts/password_change.html", {"form": form}, status=status)


@permission_required("staff.manage")
def staff_list(request: HttpRequest) -> HttpResponse:
    role = request.GET.get("role", "")
    users = User.objects.prefetch_related(
        Prefetch("role_assignments", queryset=RoleAssignment.objects.order_by("role")),
        Prefetch("credentials", queryset=Credential.objects.order_by("kind")),
    ).order_by("username")
    if role:
        users = users.filter(role_assignments__role=role)
    return render(
        request,
        "accounts/staff_list.html",
        {"users": users[:500], "roles": Role.choices, "role": role},
    )


@require_http_methods(["GET", "POST"])
@permission_required("staff.manage")
def staff_new(request: HttpRequest) -> HttpResponse:
    form = StaffCreateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        outcome = run_service(
            request,
            form,
            lambda: services.user_create(by=current_user(request), **form.cleaned_data),
            success=lambda u: _("Staff member %(username)s created.") % {"username": u.username},
        )
        if outcome.ok and outcome.value is not None:
            return redirect("accounts:staff-detail", pk=outcome.value.pk)
        status = outcome.status
    return render(request, "accounts/staff_new.html", {"form": form}, status=status)


STAFF_FORMS = ("roles", "credential", "deactivate", "reactivate")


@require_http_methods(["GET", "POST"])
@permission_required("staff.manage")
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(
        User.objects.prefetch_related("role_assignments", "credentials"), pk=pk
    )
    posted = request.POST.get("form", "") if request.method == "POST" else None
    if posted is not None and posted not in STAFF_FORMS:
        raise NotPermitted(_("This page has no form '%(form)s'.") % {"form": posted})
    data = request.POST if posted is not None else None
    roles_form = StaffRolesForm(
        data if posted == "roles" else None, initial={"roles": member.role_list}, prefix="roles"
    )
    credential_form = CredentialForm(data if posted == "credential" else None, prefix="credential")
    active_form = StaffActiveForm(
        data if posted in ("deactivate", "reactivate") else None, prefix="active"
    )
    status = 200
    if posted is not None:
        by = current_user(request)
        actions: dict[str, tuple[DomainForm, Callable[[], object], str]] = {
            "roles": (
                roles_form,
                lambda: services.user_set_roles(user=member, by=by, **roles_form.cleaned_data),
                _("Roles saved."),
            ),
            "credential": (
                credential_form,
                lambda: services.credential_add(user=member, by=by, **credential_form.cleaned_data),
                _("Credential added."),
            ),
            "deactivate": (
                active_form,
                lambda: services.user_set_active(user=member, by=by, active=False),
                _("Account deactivated: it can no longer sign in."),
            ),
            "reactivate": (
                active_form,
                lambda: services.user_set_active(user=member, by=by, active=True),
                _("Account reactivated."),
            ),
        }
        form, call, success = actions[posted]
        outcome = run_service(request, form, call, success=success)
        if outcome.ok:
            return redirect("accounts:staff-detail", pk=member.pk)
        status = outcome.status
    return render(
        request,
        "accounts/staff_detail.html",
        {
            "member": member,
            "roles_form": roles_form,
            "credential_form": credential_form,
            "active_form": active_form,
        },
        status=status,
    )
