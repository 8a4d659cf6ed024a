"""No demo login is a superuser: administrators get the administrator role, nothing more, so the
permission table (and the view-only clinical admin) holds for them too (issue 14)."""

import pytest

from oncocenter.accounts.models import User
from oncocenter.core.permissions import has_perm, user_roles
from oncocenter.demo.seed import seed_demo

pytestmark = pytest.mark.django_db


def test_no_demo_login_is_a_superuser():
    seed_demo(size="small")
    users = list(User.objects.all())
    assert users
    assert [u.username for u in users if u.is_superuser] == []
    admin = User.objects.get(username="admin")
    assert user_roles(admin) == {"administrator"}
    assert admin.is_staff and has_perm(admin, "admin.view")
    # The Django admin is for administrators only.
    assert [u.username for u in users if u.is_staff and "administrator" not in user_roles(u)] == []
