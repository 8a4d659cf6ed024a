from __future__ import annotations

from django.http import HttpRequest

from oncocenter.accounts.models import User


def current_user(request: HttpRequest) -> User:
    """The signed-in staff user of a request that passed a permission check (never anonymous)."""
    user = request.user
    if not isinstance(user, User):
        raise TypeError("current_user() needs an authenticated request")
    return user
