"""What every radiotherapy view needs: the acting user, a course or a 404."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest
from django.utils.translation import gettext as _

from oncocenter.accounts.models import User
from oncocenter.core.errors import NotFound
from oncocenter.radiotherapy.models import Course


def _me(request: HttpRequest) -> User:
    """The signed-in staff member (the views' decorator guarantees one)."""
    return cast(User, request.user)


def _course(pk: int) -> Course:
    course = Course.objects.select_related("patient", "physician").filter(pk=pk).first()
    if course is None:
        raise NotFound(_("No radiotherapy course with id %(id)s.") % {"id": pk})
    return course
