"""Staff management forms. The rules live in `accounts.services`; the initial password is checked
here by Django's password validators (AUTH_PASSWORD_VALIDATORS), as Django's own user forms do,
because they judge it against the other inputs (the username, the names)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from oncocenter.accounts.models import CredentialKind, User
from oncocenter.core.forms import DATE, DomainForm
from oncocenter.core.limits import PASSWORD_MAX
from oncocenter.core.roles import Role


def _roles_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )


class StaffCreateForm(DomainForm):
    username = forms.CharField(label=_("Username"), max_length=150)
    display_name_ko = forms.CharField(label=_("Name (Hangul)"), max_length=60, required=False)
    last_name = forms.CharField(label=_("Family name (Latin)"), max_length=150, required=False)
    first_name = forms.CharField(label=_("Given name (Latin)"), max_length=150, required=False)
    department = forms.CharField(label=_("Department"), max_length=120, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    roles = _roles_field()
    password = forms.CharField(
        max_length=PASSWORD_MAX,
        label=_("Initial password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "At least 12 characters; not a common password, not all digits, not like the "
            "username or the names."
        ),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password = cleaned.get("password")
        if password:
            candidate = User(
                username=cleaned.get("username", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
                email=cleaned.get("email", ""),
            )
            try:
                password_validation.validate_password(password, user=candidate)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class StaffRolesForm(DomainForm):
    roles = _roles_field()


class CredentialForm(DomainForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=CredentialKind.choices)
    number = forms.CharField(label=_("Number"), max_length=60)
    issued_on = forms.DateField(label=_("Issued on"), widget=DATE)
    expires_on = forms.DateField(
        label=_("Expires on"),
        widget=DATE,
        required=False,
        help_text=_("Empty for a licence that does not expire."),
    )


class StaffActiveForm(DomainForm):
    """No input: the deactivate / reactivate button, whose refusal shows beside it."""


class ApiTokenForm(DomainForm):
    name = forms.CharField(label=_("Token name"), max_length=80)
    access = forms.ChoiceField(
        label=_("Access"),
        choices=[("read", _("Read only")), ("write", _("Read and write"))],
        initial="read",
        required=False,
    )

    def scopes(self) -> list[str]:
        return ["read", "write"] if self.cleaned_data.get("access") == "write" else ["read"]


class PasswordChangeForm(DomainForm):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "At least 12 characters; not a common password, not all digits, not like the "
            "username or the names."
        ),
    )
    new_password_again = forms.CharField(
        label=_("New password, again"),
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        new, again = cleaned.get("new_password"), cleaned.get("new_password_again")
        if new and again and new != again:
            self.add_error("new_password_again", _("does not match the new password"))
        return cleaned
