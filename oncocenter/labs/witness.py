"""The second person of a two-person bedside check signs in on the same screen: their user name
and password are checked here, with their permission, and they must not be the first person."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.core.errors import ValidationFailed
from oncocenter.core.permissions import has_perm


def second_person(*, username: str, password: str, permission: str, first: User) -> User:
    """The authenticated second checker, or a 422 naming `witness_username`/`witness_password`."""
    if not (username or "").strip():
        raise ValidationFailed.single("witness_username", _("is required (second person)"))
    user = authenticate(username=username.strip(), password=password or "")
    if not isinstance(user, User):
        raise ValidationFailed.single(
            "witness_password", _("user name and password do not match"), username
        )
    if user.pk == first.pk:
        raise ValidationFailed.single(
            "witness_username", _("must be a second person, not yourself"), username
        )
    if not has_perm(user, permission):
        raise ValidationFailed.single(
            "witness_username",
            _("%(user)s may not do this check (needs %(perm)s)")
            % {"user": username, "perm": permission},
            username,
        )
    return user
